"""Poll a raw-HDF5 file as an SWMR reader until killed.

Usage: swmr_poll.py FILE. Every poll re-opens the file with swmr=True, reads both dataset lengths
and the last row of each, and prints "count <msgs> <msg_headers>" (or "error <text>").
"""
import sys

import h5py


def main(path):
    print("ready", flush=True)
    while True:
        try:
            with h5py.File(path, "r", libver="latest", swmr=True) as f:
                n = len(f["msgs"])
                h = len(f["msg_headers"])
                if n:
                    f["msgs"][n - 1]
                if h:
                    f["msg_headers"][h - 1]
            print("count %d %d" % (n, h), flush=True)
        except Exception as e:  # report, keep polling: the test decides
            print("error %s" % str(e).replace("\n", " "), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
