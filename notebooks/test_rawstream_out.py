#!/usr/bin/python3
"""Checks the notebooks' decoders (rawstream_out.py) against the reference vectors
(<repo>/testdata/vectors) and the fixture writer against the reader. Run:

    /usr/bin/python3 -m unittest discover -s notebooks -p 'test_*.py'

check_notebooks.py runs it before executing the notebooks.
"""
import json
import struct
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_fixture  # noqa: E402
import rawstream_out as rs  # noqa: E402

VECTORS = HERE.parent / "testdata" / "vectors"


def vector(*parts) -> Path:
    path = VECTORS.joinpath(*parts)
    if not path.exists():
        raise unittest.SkipTest(f"reference vectors not found at {VECTORS}")
    return path


class SpeadTest(unittest.TestCase):
    def test_spead2_packets_parse_back_to_back(self):
        for flavour in ("basic_64_40", "basic_64_48"):
            data = vector("spead", f"{flavour}.bin").read_bytes()
            expected = json.loads(vector("spead", f"{flavour}.json").read_text())
            packets = list(rs.spead_packets(data))
            self.assertEqual(expected["packets"], len(packets), flavour)
            cnts = [p.heap_cnt for p in packets]
            for heap in expected["expected_heaps"]:
                self.assertIn(heap["cnt"], cnts)

    def test_complete_and_incomplete_stored_heaps(self):
        payload = bytes(range(256)) * 4
        whole = make_fixture.spead_packet(5, len(payload), 0, payload)
        heap = rs.spead_heap(whole)
        self.assertTrue(heap.complete)
        self.assertEqual((5, 1024, 1024, 1), (heap.heap_cnt, heap.heap_size, heap.received, heap.packets))
        parts = make_fixture.spead_packet(6, 1024, 0, payload[:100]) + make_fixture.spead_packet(6, 1024, 500, payload[500:700])
        heap = rs.spead_heap(parts)
        self.assertFalse(heap.complete)
        self.assertEqual((300, 2), (heap.received, heap.packets))

    def test_garbage_is_an_error_not_a_crash(self):
        for bad in (b"\x53\x04\x02\x06", b"\x00" * 16, make_fixture.spead_packet(1, 10, 0, b"x" * 10)[:-3]):
            with self.assertRaises(ValueError):
                list(rs.spead_packets(bad))


class OdinTest(unittest.TestCase):
    def test_vector_packets_decode_as_expected(self):
        packets = json.loads(vector("odin", "packets.json").read_text())["packets"]
        decoder = rs.OdinDecoder(untyped="float")
        raw = [bytes.fromhex(p["hex"]) for p in packets]
        for p in raw:
            decoder.learn(p)
        for p, entry in zip(raw, packets):
            kind, data = decoder.decode(p)
            expect = entry["expect"]
            if expect["kind"] == "invalid":
                self.assertIn(kind, ("invalid", "identifier"), entry["hex"])  # rejected schema packets still parse as kind
            elif expect["kind"] == "data" and "values" in expect:
                self.assertEqual("data", kind)
                self.assertEqual(expect["sequence"], data.sequence)
                for index, value in expect["values"]:
                    self.assertAlmostEqual(value, data.values[index])
            elif expect["kind"] == "data" and "named" in expect:
                named = {decoder.label(i): v for i, v in data.values.items()}
                for name, value in expect["named"].items():
                    self.assertAlmostEqual(value, named[name])
            elif expect["kind"] == "event":
                self.assertEqual("event", kind)
                self.assertEqual((expect["event"], expect["timestamp"]), data[:2])
                self.assertEqual(bytes.fromhex(expect["payload_hex"]), data[2])


class EchoTest(unittest.TestCase):
    def test_vector_requests_decode(self):
        data = vector("echo", "requests.bin").read_bytes()
        expected = json.loads(vector("echo", "requests.json").read_text())["requests"]
        pos, decoded = 0, []
        while pos < len(data):
            (size,) = struct.unpack_from(">i", data, pos)
            decoded.append(rs.echo_request(data[pos + 4: pos + 4 + size]))
            pos += 4 + size
        self.assertEqual(len(expected), len(decoded))
        for want, got in zip(expected, decoded):
            self.assertEqual((want["sequence"], want["timestamp"], want["metadata"]),
                             (got.sequence, got.timestamp_ms, got.metadata))
            self.assertEqual(want["subject"].encode(), got.subject)
            self.assertEqual(want["body"].encode(), got.body)

    def test_truncated_request_is_a_value_error(self):
        good = make_fixture.echo_payload(1, 2, b"subject", [1, 2], b"body")
        for cut in range(len(good)):
            with self.assertRaises(ValueError):
                rs.echo_request(good[:cut])


class MsgpackTest(unittest.TestCase):
    def test_every_vector_value_has_a_kind(self):
        data = vector("msgpack", "stream.bin").read_bytes()
        for v in json.loads(vector("msgpack", "stream.json").read_text())["values"]:
            self.assertNotEqual("invalid", rs.msgpack_kind(data[v["offset"]: v["offset"] + v["length"]]))


class LayoutTest(unittest.TestCase):
    def test_fixture_reads_back_and_hidden_files_are_skipped(self):
        with tempfile.TemporaryDirectory() as tmp:
            sys.argv = ["make_fixture.py", tmp]
            make_fixture.main()
            sources = rs.load(tmp)
            self.assertEqual({"spead", "odin", "echo", "msgpack"}, set(sources))
            for name, source in sources.items():
                self.assertEqual(name, source.protocol)
                self.assertEqual(3, len(source.files))
                self.assertNotIn(b"not committed", source.messages())


if __name__ == "__main__":
    unittest.main()
