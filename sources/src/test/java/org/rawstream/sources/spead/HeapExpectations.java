package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Compares delivered heaps with the {@code expected_heaps} entries of a vector manifest. */
public final class HeapExpectations {

    private HeapExpectations() {
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long asLong(Object o) {
        return ((Number) o).longValue();
    }

    @SuppressWarnings("unchecked") // JSON objects are maps and arrays lists
    public static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked") // JSON objects are maps
    public static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** A complete heap: items by id (immediate, length, sha256, hex) and descriptors. */
    static void assertCompleteHeap(ReceivedHeap heap, Map<String, Object> expected) {
        String where = "heap " + heap.heapCnt();
        assertThat(heap.isComplete()).as(where).isTrue();
        Map<Long, SpeadItem> byId = new LinkedHashMap<>();
        for (SpeadItem item : heap.items()) {
            byId.put(item.id(), item);
        }
        List<Map<String, Object>> items = list(expected.get("items"));
        assertThat(byId.keySet()).as(where + " item ids")
                .containsExactlyInAnyOrderElementsOf(items.stream().map(i -> asLong(i.get("id"))).toList());
        for (Map<String, Object> e : items) {
            SpeadItem item = byId.get(asLong(e.get("id")));
            String w = where + " item " + e.get("id");
            assertThat(item.immediate()).as(w).isEqualTo(e.get("immediate"));
            assertThat((long) item.length()).as(w).isEqualTo(asLong(e.get("length")));
            assertThat(sha256(item.bytes())).as(w).isEqualTo(e.get("sha256"));
            if (e.containsKey("hex")) {
                assertThat(HexFormat.of().formatHex(item.bytes())).as(w).isEqualTo(e.get("hex"));
            }
        }
        List<Map<String, Object>> descs = list(expected.get("descriptors"));
        List<SpeadDescriptor> got = heap.descriptors();
        assertThat(got).as(where + " descriptors").hasSameSizeAs(descs);
        for (int i = 0; i < descs.size(); i++) {
            assertDescriptor(got.get(i), descs.get(i));
        }
    }

    static void assertDescriptor(SpeadDescriptor d, Map<String, Object> e) {
        String w = "descriptor " + e.get("name");
        assertThat(d.id()).as(w).isEqualTo(asLong(e.get("id")));
        assertThat(d.name()).as(w).isEqualTo(e.get("name"));
        assertThat(d.description()).as(w).isEqualTo(e.get("description"));
        assertThat(d.numpyHeader()).as(w).isEqualTo(e.get("numpy_header"));
        if (e.get("numpy_header") == null) {
            // spead2 reports shape and format only when no numpy header overrides them.
            List<Object> shape = new ArrayList<>();
            for (long dim : d.shape()) {
                shape.add(dim < 0 ? null : (Object) dim);
            }
            assertThat(shape).as(w + " shape").isEqualTo(e.get("shape"));
            List<Object> format = new ArrayList<>();
            for (int f = 0; f < d.formatFieldCount(); f++) {
                format.add(List.of(String.valueOf(d.formatType(f)), (long) d.formatBits(f)));
            }
            assertThat(format).as(w + " format").isEqualTo(e.get("format"));
        }
    }

    /** An incomplete heap: heap length, received length and ranges, immediates. */
    static void assertIncompleteHeap(ReceivedHeap heap, Map<String, Object> expected) {
        String where = "incomplete heap " + heap.heapCnt();
        assertThat(heap.isComplete()).as(where).isFalse();
        assertThat(heap.heapLength()).as(where + " heap_length").isEqualTo(asLong(expected.get("heap_length")));
        assertThat(heap.receivedBytes()).as(where + " received_length").isEqualTo(asLong(expected.get("received_length")));
        List<List<Long>> ranges = new ArrayList<>();
        long[] r = heap.receivedRanges();
        for (int i = 0; i < r.length; i += 2) {
            ranges.add(List.of(r[i], r[i + 1]));
        }
        assertThat(ranges).as(where + " payload_ranges").isEqualTo(expected.get("payload_ranges"));
        Map<Long, String> imm = new LinkedHashMap<>();
        for (SpeadItem item : heap.items()) {
            if (item.immediate() && item.id() != SpeadItemIds.STREAM_CTRL) {
                imm.put(item.id(), HexFormat.of().formatHex(item.bytes()));
            }
        }
        Map<Long, String> expImm = new LinkedHashMap<>();
        for (Map<String, Object> e : list(expected.get("immediates"))) {
            expImm.put(asLong(e.get("id")), (String) e.get("value_hex"));
        }
        assertThat(imm).as(where + " immediates").isEqualTo(expImm);
    }

    /** Decoded values: every item with a known descriptor, by name. */
    static void assertDecoded(ReceivedHeap heap, DescriptorTable descriptors, Map<String, Object> expected) {
        Map<String, Object> got = new LinkedHashMap<>();
        for (SpeadItem item : heap.items()) {
            SpeadDescriptor d = descriptors.get(item.id());
            if (d == null) {
                continue;
            }
            ByteBuffer v = item.value();
            got.put(d.name(), ItemValueDecoder.decode(d, v, v.position(), v.remaining(), item.immediate()));
        }
        assertThat(got.keySet()).as("heap " + heap.heapCnt() + " decoded names")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            assertValue((SpeadValue) got.get(e.getKey()), e.getValue(), "heap " + heap.heapCnt() + " " + e.getKey());
        }
    }

    static void assertValue(SpeadValue value, Object expected, String where) {
        if (expected instanceof String) {
            assertThat(value.isString()).as(where).isTrue();
            assertThat(value.asString()).as(where).isEqualTo(expected);
            return;
        }
        if (expected instanceof Number) {
            assertThat(value.isScalar()).as(where).isTrue();
            assertScalar(value, 0, expected, where);
            return;
        }
        Map<String, Object> e = map(expected);
        List<Long> shape = new ArrayList<>();
        for (int d : value.shape()) {
            shape.add((long) d);
        }
        assertThat(shape).as(where + " shape").isEqualTo(e.get("shape"));
        assertThat(value.dtype().numpyDescr()).as(where + " dtype").isEqualTo(e.get("dtype"));
        assertThat(sha256(value.littleEndianBytes())).as(where + " sha256").isEqualTo(e.get("sha256"));
        @SuppressWarnings("unchecked") // JSON array
        List<Object> first = (List<Object>) e.get("first");
        for (int i = 0; i < first.size(); i++) {
            assertElement(value, i, first.get(i), where + "[" + i + "]");
        }
    }

    private static void assertElement(SpeadValue value, int index, Object expected, String where) {
        if (!(expected instanceof List)) {
            assertScalar(value, index, expected, where);
            return;
        }
        @SuppressWarnings("unchecked") // JSON array
        List<Object> parts = (List<Object>) expected;
        if (value.dtype().fieldCount() == 1 && value.dtype().field(0).kind() == 'c') {
            assertThat(value.doubleValue(index, 0)).as(where + " re").isEqualTo(((Number) parts.get(0)).doubleValue());
            assertThat(value.imagValue(index, 0)).as(where + " im").isEqualTo(((Number) parts.get(1)).doubleValue());
            return;
        }
        assertThat(parts).as(where).hasSize(value.dtype().fieldCount());
        for (int f = 0; f < parts.size(); f++) {
            Object p = parts.get(f);
            char kind = value.dtype().field(f).kind();
            if (kind == 'f') {
                assertThat(value.doubleValue(index, f)).as(where + "." + f).isEqualTo(((Number) p).doubleValue());
            } else {
                assertThat(value.longValue(index, f)).as(where + "." + f).isEqualTo(((Number) p).longValue());
            }
        }
    }

    private static void assertScalar(SpeadValue value, int index, Object expected, String where) {
        char kind = value.dtype().field(0).kind();
        if (kind == 'f') {
            assertThat(value.doubleValue(index, 0)).as(where).isEqualTo(((Number) expected).doubleValue());
        } else {
            assertThat(value.longValue(index, 0)).as(where).isEqualTo(((Number) expected).longValue());
        }
    }

    /**
     * spead2's heaps minus its phantom heaps (an incomplete heap whose counter also completed:
     * duplicates.bin), keyed by heap counter.
     */
    public static Map<Long, Map<String, Object>> realExpectedHeaps(Map<String, Object> manifest) {
        Set<Long> complete = new HashSet<>();
        for (Map<String, Object> h : list(manifest.get("expected_heaps"))) {
            if (Boolean.TRUE.equals(h.get("complete"))) {
                complete.add(asLong(h.get("cnt")));
            }
        }
        Map<Long, Map<String, Object>> real = new LinkedHashMap<>();
        for (Map<String, Object> h : list(manifest.get("expected_heaps"))) {
            long cnt = asLong(h.get("cnt"));
            if (Boolean.TRUE.equals(h.get("complete")) || !complete.contains(cnt)) {
                real.put(cnt, h);
            }
        }
        return real;
    }

    public static void checkHeap(ReceivedHeap heap, Map<String, Object> expected, DescriptorTable descriptors) {
        assertThat(expected).as("heap %d expected", heap.heapCnt()).isNotNull();
        if (Boolean.TRUE.equals(expected.get("complete"))) {
            HeapExpectations.assertCompleteHeap(heap, expected);
            HeapExpectations.assertDecoded(heap, descriptors, map(expected.get("decoded")));
        } else {
            HeapExpectations.assertIncompleteHeap(heap, expected);
        }
    }
}
