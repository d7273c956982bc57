#!/usr/bin/python3
"""Writes a small RawStream-like output directory with h5py, in the raw-HDF5 layout
(docs/raw-hdf5.md), so the notebooks can be run without a job run:

    /usr/bin/python3 notebooks/make_fixture.py <out dir> [--only spead,odin,echo,msgpack]

One source per protocol (spead/, odin/, echo/, msgpack/), three committed files each, plus one
hidden in-progress file that readers must ignore. Messages are what RawStream stores:
SPEAD heaps as packets (complete = one packet, incomplete = one packet per received range),
ODIN packets (identifier, extended identifier, data, events), echo request payloads, and
MessagePack values. Deterministic (fixed seed).
"""
import argparse
import math
import random
import struct
import sys
from pathlib import Path

import h5py
import numpy as np

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z: files are spaced by FILE_SECONDS from here
FILE_SECONDS = 10.0


def write_raw(path: Path, messages, io_group, protocol, io_version, created, modified):
    """One file exactly as the reference writer lays it out."""
    vlen_u8 = h5py.vlen_dtype(np.dtype("u1"))
    header = np.dtype([("io_groups", "u1")])
    with h5py.File(path, "w", libver=("v110", "v110")) as f:
        meta = f.create_group("meta")
        meta.attrs["version"] = "0.0"
        meta.attrs["io_version"] = io_version
        meta.attrs["created"] = np.float64(created)
        meta.attrs["modified"] = np.float64(modified)
        meta.attrs["protocol"] = protocol
        msgs = f.create_dataset("msgs", shape=(len(messages),), maxshape=(None,), dtype=vlen_u8,
                                chunks=(1024,), compression="gzip", compression_opts=4)
        for i, m in enumerate(messages):
            msgs[i] = np.frombuffer(m, dtype=np.uint8)
        headers = f.create_dataset("msg_headers", shape=(len(messages),), maxshape=(None,),
                                   dtype=header, chunks=(1024,), compression="gzip",
                                   compression_opts=4)
        headers["io_groups"] = np.full(len(messages), io_group, dtype=np.uint8)


# ------------------------------------------------------------------------------------ SPEAD

def spead_packet(heap_cnt, heap_size, offset, payload, items=(), addr_bytes=6):
    """A SPEAD-64-48 (or -40) packet with the four special items first."""
    addr_bits = addr_bytes * 8

    def immediate(item_id, value):
        return (1 << 63) | (item_id << addr_bits) | value

    pointers = [immediate(1, heap_cnt), immediate(2, heap_size), immediate(3, offset),
                immediate(4, len(payload))] + list(items)
    head = struct.pack(">BBBBHH", 0x53, 4, 8 - addr_bytes, addr_bytes, 0, len(pointers))
    return head + b"".join(struct.pack(">Q", p) for p in pointers) + payload


def spead_messages(rng, first_cnt, count):
    """Heaps of 4 KiB (a u32 ramp) plus an immediate timestamp item; some heaps incomplete,
    a few heap counters missing (never received)."""
    messages = []
    cnt = first_cnt
    for _ in range(count):
        cnt += 1 if rng.random() > 0.05 else 3          # occasional missing heaps
        payload = np.arange(cnt * 1024, cnt * 1024 + 1024, dtype=">u4").tobytes()
        ts_item = (1 << 63) | (0x1001 << 48) | (cnt * 1000)
        data_item = (0x1000 << 48) | 0                   # addressed, offset 0
        size = len(payload)
        if rng.random() < 0.15:                          # incomplete: two ranges of three
            third = size // 3
            ranges = [(0, third), (2 * third, size)]
            messages.append(b"".join(
                spead_packet(cnt, size, a, payload[a:b], [ts_item, data_item]) for a, b in ranges))
        else:
            messages.append(spead_packet(cnt, size, 0, payload, [ts_item, data_item]))
    return messages, cnt


# ------------------------------------------------------------------------------------- ODIN

IDENT = 0x6CB5
ODIN_PARAMS = [  # index, size, element_type, name
    (0x10010001, 4, 10, "sensor.temperature"),
    (0x10010002, 4, 10, "sensor.pressure"),
    (0x10020001, 2, 3, "status.flags"),
    (0x10030001, 4, 4, "status.counter"),
]


def odin_schema_packets():
    ident = struct.pack("<BHBI", 0x01, IDENT, 0, 0xCAFE0001) + b"".join(
        struct.pack("<IH", index, size) for index, size, _, _ in ODIN_PARAMS)
    ext = struct.pack("<BHBIHH", 0x03, IDENT, 0, 0xCAFE0001, len(ODIN_PARAMS), 0) + b"".join(
        struct.pack("<IHBBH", index, size, etype, len(name), 0) + name.encode()
        for index, size, etype, name in ODIN_PARAMS)
    return [ident, ext]


def odin_messages(start_seq, count, with_schema):
    messages = odin_schema_packets() if with_schema else []
    for k in range(count):
        seq = (start_seq + k) & 0xFFFF
        t = start_seq + k
        values = struct.pack("<ffHI", 20.0 + 5.0 * math.sin(t / 15.0),
                             1013.0 - 3.0 * math.cos(t / 40.0), 0x0F if t % 50 else 0xFF, t)
        messages.append(struct.pack("<BHBIH", 0x02, IDENT, 0, 1000 + t * 10, seq) + values)
        if t % 60 == 59:
            messages.append(struct.pack("<BHBIH", 0x0B, 5, 0, 1000 + t * 10, 0) + b"\xde\xad\xbe\xef")
    return messages


# ------------------------------------------------------------------------------------- echo

def echo_payload(sequence, timestamp_ms, subject, metadata, body):
    def string(b):
        return struct.pack(">i", len(b)) + b
    return (struct.pack(">bbq", 0, sequence, timestamp_ms) + string(subject)
            + struct.pack(">h", len(metadata)) + struct.pack(f">{len(metadata)}h", *metadata)
            + string(body))


def echo_messages(rng, start, count, t0):
    subjects = [b"test", b"ping", b"status"]
    return [echo_payload((start + k) % 128 - 0, int((t0 + k * 0.05) * 1000), rng.choice(subjects),
                         [1, 2, 3][: rng.randint(0, 3)], b"x" * rng.randint(0, 200))
            for k in range(count)]


# ---------------------------------------------------------------------------------- msgpack

def msgpack_messages(rng, start, count):
    import msgpack
    out = []
    for k in range(start, start + count):
        choice = k % 5
        value = ({"seq": k, "temp": 20 + rng.random(), "tags": ["a", "b"]} if choice == 0
                 else [k, k * 2, "x" * rng.randint(0, 40)] if choice == 1
                 else f"event-{k}" if choice == 2
                 else k if choice == 3
                 else {"blob": bytes(rng.randint(0, 64))})
        out.append(msgpack.packb(value, use_bin_type=True))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", default="spead,odin,echo,msgpack",
                        help="comma-separated protocols to write (others are left out)")
    args = parser.parse_args()
    only = set(args.only.split(",")) - {""}
    rng = random.Random(7)
    args.out.mkdir(parents=True, exist_ok=True)
    files = 3
    cnt, odin_seq = 0, 65_500          # ODIN sequence wraps inside the run
    for i in range(files):
        created = T0 + i * FILE_SECONDS
        modified = created + FILE_SECONDS - 0.5
        if "spead" in only:
            msgs, cnt = spead_messages(rng, cnt, 120 + 40 * i)
            d = args.out / "spead"
            d.mkdir(exist_ok=True)
            write_raw(d / f"part-0-{i}.h5", msgs, 0, "spead", "4.0", created, modified)
        if "odin" in only:
            d = args.out / "odin"
            d.mkdir(exist_ok=True)
            msgs = odin_messages(odin_seq, 100, with_schema=(i == 0))
            odin_seq += 100
            write_raw(d / f"part-0-{i}.h5", msgs, 1, "odin", "1.0", created, modified)
        if "echo" in only:
            d = args.out / "echo"
            d.mkdir(exist_ok=True)
            write_raw(d / f"part-0-{i}.h5", echo_messages(rng, i * 200, 150 + 25 * i, created),
                      2, "echo", "1.0", created, modified)
        if "msgpack" in only:
            d = args.out / "msgpack"
            d.mkdir(exist_ok=True)
            write_raw(d / f"part-0-{i}.h5", msgpack_messages(rng, i * 300, 300), 3, "msgpack", "1.0",
                      created, modified)
    for protocol in sorted(only):
        d = args.out / protocol
        if d.is_dir():  # an in-progress file, as the sink leaves one while a checkpoint is open
            write_raw(d / ".part-0-3.h5.inprogress.h5", [b"not committed"], 9, protocol, "1.0",
                      T0 + 99, T0 + 99)
    print(f"fixture written to {args.out} ({', '.join(sorted(only))})")


if __name__ == "__main__":
    sys.exit(main())
