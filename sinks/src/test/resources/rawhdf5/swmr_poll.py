"""Poll a raw-HDF5 file as an SWMR reader until killed.

Usage: swmr_poll.py FILE. Prints "ready <t>" and then, for every poll (each re-opens the file
with swmr=True, reads both dataset lengths and the last row of each, whose bytes must all equal
its row number modulo 251):
  "poll <t_start> <t_end> <len(msgs)> <len(msg_headers)>"  or  "error <t_start> <t_end> <text>"
Times are time.monotonic_ns() (CLOCK_MONOTONIC, the clock of Java's System.nanoTime on Linux),
so the test can tell which polls overlapped a write.
"""
import sys
import time

import h5py


def main(path):
    print("ready %d" % time.monotonic_ns(), flush=True)
    while True:
        t0 = time.monotonic_ns()
        try:
            with h5py.File(path, "r", libver="latest", swmr=True) as f:
                n = len(f["msgs"])
                h = len(f["msg_headers"])
                if n:
                    last = bytes(f["msgs"][n - 1])
                    if last.count(bytes([(n - 1) % 251])) != len(last):
                        raise ValueError("row %d: %d bytes, not all %d" % (n - 1, len(last), (n - 1) % 251))
                if h:
                    f["msg_headers"][h - 1]
            print("poll %d %d %d %d" % (t0, time.monotonic_ns(), n, h), flush=True)
        except Exception as e:  # report and keep polling: the test decides
            print("error %d %d %s" % (t0, time.monotonic_ns(), str(e).replace("\n", " ")), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
