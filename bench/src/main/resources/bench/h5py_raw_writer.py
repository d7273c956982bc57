"""h5py baseline for RawWriterBench: writes the raw-HDF5 layout the way the reference does.

Usage: h5py_raw_writer.py MODE COUNT SIZE PATH REPEATS
  MODE "one":     like the reference to_rawfile: one call creates the file and writes all messages.
  MODE "batched": the file is kept open (SWMR) and messages are appended 1000 at a time, each
                  batch followed by a flush.
Prints a JSON list of [wall seconds, CPU seconds] per repeat (from a list of bytes to a closed file).
"""
import json
import os
import sys
import time

import h5py
import numpy as np

VLEN_U8 = h5py.vlen_dtype(np.dtype("u1"))
HEADER = np.dtype([("io_groups", "u1")])


def create(path):
    f = h5py.File(path, "w", libver=("v110", "v110"))
    meta = f.create_group("meta")
    meta.attrs["version"] = "0.0"
    meta.attrs["io_version"] = "0.0"
    meta.attrs["created"] = time.time()
    meta.attrs["modified"] = time.time()
    for name, dtype in (("msgs", VLEN_U8), ("msg_headers", HEADER)):
        f.create_dataset(name, shape=(0,), maxshape=(None,), chunks=(1024,), compression="gzip",
                         compression_opts=4, dtype=dtype, fillvalue=None)
    return f


def append(f, msgs, groups):
    n = len(f["msgs"])
    arr = np.empty(len(msgs), dtype=VLEN_U8)
    for i, m in enumerate(msgs):
        arr[i] = np.frombuffer(m, dtype="u1")
    headers = np.empty(len(msgs), dtype=HEADER)
    headers["io_groups"] = groups
    f["msgs"].resize((n + len(msgs),))
    # write_direct: equal-length messages would otherwise be broadcast as a 2-D array by h5py.
    f["msgs"].write_direct(arr, dest_sel=np.s_[n:n + len(msgs)])
    f["msg_headers"].resize((n + len(msgs),))
    f["msg_headers"][n:] = headers
    f["meta"].attrs["modified"] = time.time()


def run(mode, msgs, groups, path):
    if os.path.exists(path):
        os.remove(path)
    t0 = time.perf_counter()
    c0 = time.process_time()
    if mode == "one":
        with create(path) as f:
            f.swmr_mode = True
            append(f, msgs, groups)
    else:
        with create(path) as f:
            f.swmr_mode = True
            for s in range(0, len(msgs), 1000):
                append(f, msgs[s:s + 1000], groups[s:s + 1000])
                f.flush()
    seconds = [time.perf_counter() - t0, time.process_time() - c0]
    os.remove(path)
    return seconds


def main(mode, count, size, path, repeats):
    pool = os.urandom(size + 4096)
    msgs = [pool[i % 4096:i % 4096 + size] for i in range(count)]
    groups = np.arange(count, dtype=np.int64) % 256
    print(json.dumps([run(mode, msgs, groups, path) for _ in range(repeats)]))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
