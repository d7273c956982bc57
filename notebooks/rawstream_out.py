"""Reading a RawStream output directory from notebooks: committed raw-HDF5 files per source, and
decoders for the stored messages of each protocol (see docs/raw-hdf5.md and docs/protocols/: spead,
odin, echo, msgpack-stream). Plain h5py + numpy; no RawStream code needed.

Layout: <out>/<source>/<name>.h5, one directory per source. Files whose name starts with "." are
in-progress files of the sink and are never read. /meta carries protocol, io_version, created,
modified; /msgs holds one message per row, /msg_headers the row's io_groups.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

PROTOCOLS = ("spead", "odin", "echo", "msgpack")


def output_dir(default: str = "out") -> Path:
    """The run's output directory: $RAWSTREAM_OUT, else ./out (or ../out from notebooks/), else
    the demo run's ./out-demo (or ../out-demo)."""
    env = os.environ.get("RAWSTREAM_OUT")
    if env:
        return Path(env)
    for name in (default, "out-demo"):
        for candidate in (Path(name), Path("..") / name):
            if candidate.is_dir():
                return candidate
    return Path(default)


def _attr_str(value) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class RawFile:
    """One committed raw-HDF5 file, read whole (messages as bytes)."""
    path: Path
    source: str
    protocol: str | None
    io_version: str | None
    created: float
    modified: float
    messages: list[bytes]
    io_groups: np.ndarray

    @property
    def sizes(self) -> np.ndarray:
        return np.fromiter((len(m) for m in self.messages), dtype=np.int64, count=len(self.messages))


def read_file(path: Path, source: str | None = None) -> RawFile:
    with h5py.File(path, "r") as f:
        meta = f["meta"].attrs
        msgs = f["msgs"]
        headers = f["msg_headers"]
        if len(msgs) != len(headers):
            raise ValueError(f"{path}: {len(msgs)} msgs but {len(headers)} msg_headers")
        messages = [bytes(np.asarray(m, dtype=np.uint8)) for m in msgs[:]]
        groups = np.asarray(headers["io_groups"][:], dtype=np.uint8) if len(headers) else np.zeros(0, np.uint8)
        return RawFile(
            path=path,
            source=source or path.parent.name,
            protocol=_attr_str(meta.get("protocol")),
            io_version=_attr_str(meta.get("io_version")),
            created=float(meta.get("created", 0.0)),
            modified=float(meta.get("modified", 0.0)),
            messages=messages,
            io_groups=groups,
        )


@dataclass
class Source:
    """All committed files of one source directory, oldest first."""
    name: str
    files: list[RawFile] = field(default_factory=list)

    @property
    def protocol(self) -> str | None:
        return next((f.protocol for f in self.files if f.protocol), None)

    def messages(self) -> list[bytes]:
        return [m for f in self.files for m in f.messages]

    def sizes(self) -> np.ndarray:
        return np.concatenate([f.sizes for f in self.files]) if self.files else np.zeros(0, np.int64)


def load(out: Path | str | None = None) -> dict[str, Source]:
    """Every source directory under out that holds committed .h5 files, by name."""
    out = Path(out) if out is not None else output_dir()
    sources: dict[str, Source] = {}
    if not out.is_dir():
        return sources
    for directory in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        paths = sorted(p for p in directory.glob("*.h5") if not p.name.startswith("."))
        if not paths:
            continue
        files = [read_file(p, directory.name) for p in paths]
        files.sort(key=lambda f: (f.created, f.path.name))
        sources[directory.name] = Source(directory.name, files)
    return sources


def by_protocol(sources: dict[str, Source], protocol: str) -> dict[str, Source]:
    return {name: s for name, s in sources.items() if s.protocol == protocol}


def file_table(sources: dict[str, Source]):
    """One row per file: source, protocol, io_group(s), created, modified, messages, bytes."""
    rows = []
    for s in sources.values():
        for f in s.files:
            groups = sorted(set(int(g) for g in f.io_groups))
            rows.append({
                "source": s.name, "protocol": f.protocol, "io_version": f.io_version,
                "file": f.path.name, "io_groups": groups, "created": f.created, "modified": f.modified,
                "messages": len(f.messages), "bytes": int(f.sizes.sum()),
            })
    return rows


# --------------------------------------------------------------------------------------- SPEAD

HEAP_CNT, HEAP_SIZE, HEAP_OFFSET, PAYLOAD_LENGTH = 1, 2, 3, 4


@dataclass
class SpeadPacket:
    heap_cnt: int
    heap_size: int | None
    heap_offset: int
    payload_length: int
    items: list[tuple[bool, int, int]]   # (immediate, id, value or address)
    payload: bytes


def spead_packets(message: bytes):
    """The SPEAD packets stored back to back in one message (one per received range)."""
    pos = 0
    while pos < len(message):
        if len(message) - pos < 8:
            raise ValueError(f"truncated SPEAD header at byte {pos}")
        magic, version, item_width, addr_width, _, n = struct.unpack_from(">BBBBHH", message, pos)
        if magic != 0x53 or version != 4 or item_width + addr_width != 8:
            raise ValueError(f"not a SPEAD-4 packet at byte {pos}")
        addr_bits = addr_width * 8
        mask = (1 << addr_bits) - 1
        items = []
        special = {}
        for i in range(n):
            (pointer,) = struct.unpack_from(">Q", message, pos + 8 + 8 * i)
            immediate = bool(pointer >> 63)
            item_id = (pointer >> addr_bits) & ((1 << (63 - addr_bits)) - 1)
            value = pointer & mask
            if immediate and item_id in (HEAP_CNT, HEAP_SIZE, HEAP_OFFSET, PAYLOAD_LENGTH):
                special[item_id] = value
            else:
                items.append((immediate, item_id, value))
        if HEAP_CNT not in special or PAYLOAD_LENGTH not in special:
            raise ValueError(f"SPEAD packet at byte {pos} lacks HEAP_CNT or PAYLOAD_LENGTH")
        start = pos + 8 + 8 * n
        end = start + special[PAYLOAD_LENGTH]
        if end > len(message):
            raise ValueError(f"SPEAD payload runs past the message at byte {pos}")
        yield SpeadPacket(special[HEAP_CNT], special.get(HEAP_SIZE), special.get(HEAP_OFFSET, 0),
                          special[PAYLOAD_LENGTH], items, message[start:end])
        pos = end


@dataclass
class SpeadHeap:
    heap_cnt: int
    heap_size: int | None
    received: int
    packets: int
    complete: bool


def spead_heap(message: bytes) -> SpeadHeap:
    """What one stored heap message says: complete = one packet carrying the whole heap."""
    packets = list(spead_packets(message))
    first = packets[0]
    received = sum(p.payload_length for p in packets)
    size = first.heap_size
    complete = (len(packets) == 1 and size is not None and first.heap_offset == 0
                and first.payload_length == size)
    return SpeadHeap(first.heap_cnt, size, received, len(packets), complete)


# ---------------------------------------------------------------------------------------- ODIN

ODIN_TYPES = {  # element_type -> struct format (little-endian)
    0: "<?", 1: None, 2: "<B", 3: "<H", 4: "<I", 5: "<Q", 6: "<b", 7: "<h", 8: "<i", 9: "<q",
    10: "<f", 11: "<d", 12: None, 13: None,
}
_BY_SIZE = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}


@dataclass
class OdinData:
    identifier: int
    timestamp: int
    sequence: int
    values: dict[int, float]   # object-dictionary index -> value


class OdinDecoder:
    """Decodes stored ODIN packets offline: learns schemas (0x01) and names/types (0x03) from
    the packets themselves. Feed every packet of a source with learn() first, then decode().
    A value whose element type no extended identifier gave is read by its size, as unsigned
    (untyped="uint") or, for 4 and 8 bytes, as IEEE float (untyped="float")."""

    def __init__(self, untyped: str = "uint"):
        if untyped not in ("uint", "float"):
            raise ValueError("untyped must be 'uint' or 'float'")
        self.by_size = {**_BY_SIZE, **({4: "<f", 8: "<d"} if untyped == "float" else {})}
        self.schemas: dict[int, list[tuple[int, int]]] = {}    # identifier -> [(index, size)]
        self.names: dict[int, str] = {}                          # index -> name
        self.types: dict[int, int] = {}                          # index -> element_type
        self.counts = {"identifier": 0, "data": 0, "event": 0, "identifier_ext": 0,
                       "type_descriptor": 0, "invalid": 0, "no_schema": 0}

    def learn(self, packet: bytes) -> None:
        if len(packet) < 4:
            return
        kind, identifier = packet[0], struct.unpack_from("<H", packet, 1)[0]
        if kind == 0x01 and len(packet) >= 8:
            entries = [struct.unpack_from("<IH", packet, 8 + 6 * i) for i in range((len(packet) - 8) // 6)]
            indices = [e[0] for e in entries]
            if entries and all(size > 0 for _, size in entries) and len(set(indices)) == len(indices):
                self.schemas[identifier] = entries
        elif kind == 0x03 and len(packet) >= 12:
            pos = 12
            while pos + 10 <= len(packet):
                index, size, element_type, name_len, _type_id = struct.unpack_from("<IHBBH", packet, pos)
                name = packet[pos + 10: pos + 10 + name_len].decode("utf-8", "replace")
                self.names[index] = name
                self.types[index] = element_type
                pos += 10 + name_len

    def decode(self, packet: bytes):
        """('data', OdinData) | ('event', (id, timestamp, payload)) | (kind, None)."""
        if len(packet) < 4 or packet[0] == 0:
            self.counts["invalid"] += 1
            return "invalid", None
        kind, identifier = packet[0], struct.unpack_from("<H", packet, 1)[0]
        if kind == 0x02:
            if len(packet) < 10:
                self.counts["invalid"] += 1
                return "invalid", None
            schema = self.schemas.get(identifier)
            if schema is None:
                self.counts["no_schema"] += 1
                return "no_schema", None
            if len(packet) != 10 + sum(size for _, size in schema):
                self.counts["invalid"] += 1
                return "invalid", None
            timestamp, sequence = struct.unpack_from("<IH", packet, 4)
            values, pos = {}, 10
            for index, size in schema:
                fmt = ODIN_TYPES.get(self.types.get(index, -1)) or self.by_size.get(size)
                if fmt and struct.calcsize(fmt) == size:
                    values[index] = float(struct.unpack_from(fmt, packet, pos)[0])
                pos += size
            self.counts["data"] += 1
            return "data", OdinData(identifier, timestamp, sequence, values)
        if kind == 0x0B and len(packet) >= 10:
            timestamp = struct.unpack_from("<I", packet, 4)[0]
            self.counts["event"] += 1
            return "event", (identifier, timestamp, packet[10:])
        name = {0x01: "identifier", 0x03: "identifier_ext", 0x04: "type_descriptor"}.get(kind)
        self.counts[name or "invalid"] += 1
        return name or "invalid", None

    def label(self, index: int) -> str:
        return self.names.get(index, f"0x{index:08x}")


# ---------------------------------------------------------------------------------------- echo

@dataclass
class EchoRequest:
    api_key: int
    sequence: int
    timestamp_ms: int
    subject: bytes
    metadata: list[int]
    body: bytes


def echo_request(payload: bytes) -> EchoRequest:
    """A stored echo message: the request frame's payload without its size field.
    Raises ValueError when the bytes are not a well-formed request."""
    try:
        return _echo_request(payload)
    except struct.error as e:
        raise ValueError(f"truncated echo request: {e}") from None


def _echo_request(payload: bytes) -> EchoRequest:
    api_key, sequence, timestamp = struct.unpack_from(">bbq", payload, 0)
    pos = 10

    def string():
        nonlocal pos
        (n,) = struct.unpack_from(">i", payload, pos)
        if n < 0 or pos + 4 + n > len(payload):
            raise ValueError("bad string length")
        value = payload[pos + 4: pos + 4 + n]
        pos += 4 + n
        return value

    subject = string()
    (count,) = struct.unpack_from(">h", payload, pos)
    if count < 0:
        raise ValueError("bad metadata count")
    metadata = list(struct.unpack_from(f">{count}h", payload, pos + 2))
    pos += 2 + 2 * count
    body = string()
    if pos != len(payload):
        raise ValueError("trailing bytes")
    return EchoRequest(api_key, sequence, timestamp, subject, metadata, body)


# ------------------------------------------------------------------------------------- msgpack

def msgpack_kind(message: bytes) -> str:
    """The MessagePack type family of a stored top-level value, from its first byte."""
    b = message[0]
    if b <= 0x7F or b >= 0xE0 or 0xCC <= b <= 0xD3:
        return "int"
    if 0x80 <= b <= 0x8F or b in (0xDE, 0xDF):
        return "map"
    if 0x90 <= b <= 0x9F or b in (0xDC, 0xDD):
        return "array"
    if 0xA0 <= b <= 0xBF or b in (0xD9, 0xDA, 0xDB):
        return "str"
    if b in (0xC4, 0xC5, 0xC6):
        return "bin"
    if b in (0xCA, 0xCB):
        return "float"
    if b in (0xC2, 0xC3):
        return "bool"
    if b == 0xC0:
        return "nil"
    if b in (0xC7, 0xC8, 0xC9, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8):
        return "ext"
    return "invalid"


def no_output(label: str, out: Path, protocol: str | None = None) -> None:
    """The one clear line a notebook prints instead of a figure when the run has no such output."""
    where = (f"no source directory under {out} holds committed files with /meta protocol = \"{protocol}\""
             if protocol else f"no committed .h5 files under {out}/<source>/")
    print(f"no {label} output in this run ({where})")
