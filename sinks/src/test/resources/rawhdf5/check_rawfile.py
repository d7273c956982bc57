"""Describe a raw-HDF5 file as JSON, using h5py (the reference reader's library).

Usage: check_rawfile.py FILE  -> prints one JSON object on stdout.
The Java tests compare this summary with what they wrote.
"""
import hashlib
import json
import sys

import h5py
import numpy as np


def attr_type(attrs, name):
    tid = attrs.get_id(name).get_type()
    if isinstance(tid, h5py.h5t.TypeStringID):
        return {
            "class": "string",
            "variable": bool(tid.is_variable_str()),
            "utf8": tid.get_cset() == h5py.h5t.CSET_UTF8,
        }
    if isinstance(tid, h5py.h5t.TypeFloatID):
        return {"class": "float", "size": tid.get_size(), "little_endian": tid.get_order() == h5py.h5t.ORDER_LE}
    return {"class": type(tid).__name__}


def dataset_layout(ds):
    dcpl = ds.id.get_create_plist()
    return {
        "shape": list(ds.shape),
        "maxshape": [m for m in ds.maxshape],  # None = unlimited -> null
        "chunks": list(ds.chunks) if ds.chunks else None,
        "compression": ds.compression,
        "compression_opts": ds.compression_opts,
        "fill_time_alloc": dcpl.get_fill_time() == h5py.h5d.FILL_TIME_ALLOC,
    }


def main(path):
    with open(path, "rb") as raw:
        head = raw.read(9)
    out = {"superblock_version": head[8] if head[:8] == b"\x89HDF\r\n\x1a\n" else None}
    with h5py.File(path, "r") as f:
        meta = f["meta"].attrs
        out["attrs"] = {name: attr_type(meta, name) for name in meta.keys()}
        out["version"] = meta["version"]
        out["io_version"] = meta.get("io_version")
        out["other_attrs"] = {k: meta[k] for k in meta.keys()
                              if k not in ("version", "io_version", "created", "modified")
                              and isinstance(meta[k], str)}
        out["created"] = float(meta["created"])
        out["modified"] = float(meta["modified"])
        msgs = f["msgs"]
        headers = f["msg_headers"]
        vlen_base = h5py.check_vlen_dtype(msgs.dtype)
        out["msgs_dtype"] = "vlen " + vlen_base.str if vlen_base is not None else str(msgs.dtype)
        out["headers_fields"] = {name: headers.dtype.fields[name][0].str for name in headers.dtype.names}
        out["msgs_layout"] = dataset_layout(msgs)
        out["headers_layout"] = dataset_layout(headers)
        out["count"] = len(msgs)
        out["headers_count"] = len(headers)
        out["io_groups"] = [int(x) for x in headers["io_groups"]] if len(headers) else []
        sha = []
        lens = []
        for start in range(0, len(msgs), 4096):
            for m in msgs[start:start + 4096]:
                b = np.asarray(m, dtype=np.uint8).tobytes()
                sha.append(hashlib.sha256(b).hexdigest())
                lens.append(len(b))
        out["msg_sha256"] = sha
        out["msg_len"] = lens
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
