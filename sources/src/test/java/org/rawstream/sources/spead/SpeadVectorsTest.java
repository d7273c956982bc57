package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sources.spead.HeapExpectations.asLong;
import static org.rawstream.sources.spead.HeapExpectations.list;
import static org.rawstream.sources.spead.HeapExpectations.map;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every vector file through decode + assembly, compared with what spead2 assembles. */
class SpeadVectorsTest {

    static Stream<String> vectors() throws IOException {
        return SpeadVectors.names().stream();
    }

    /** Like the vectors' spead2 receiver: 64 live heaps, incomplete heaps kept, no time expiry. */
    static SpeadAssemblyConfig config() {
        return SpeadAssemblyConfig.builder().maxLiveHeaps(64).heapTimeoutMillis(Long.MAX_VALUE / 4)
                .incompletePolicy(IncompleteHeapPolicy.DELIVER).build();
    }

    /** One delivered heap with the decoded values checked at delivery time (latest descriptors). */
    static final class Delivered {
        final ReceivedHeap heap;
        final Map<String, Object> expected;

        Delivered(ReceivedHeap heap, Map<String, Object> expected) {
            this.heap = heap;
            this.expected = expected;
        }
    }

    @Test
    void allVectorsPresent() throws IOException {
        assertThat(SpeadVectors.names()).contains("basic_64_40", "basic_64_48", "duplicates", "interleaved",
                "large_heaps_8972", "loss", "shuffled", "single_packet_heaps", "sparse_cnt", "typed_items");
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void datagramsAssembleLikeSpead2(String name) throws IOException {
        Map<String, Object> manifest = SpeadVectors.manifest(name);
        List<byte[]> packets = SpeadVectors.packets(SpeadVectors.bin(name));
        assertThat(packets).hasSize((int) asLong(manifest.get("packets")));
        SpeadStreamAssembler assembler = new SpeadStreamAssembler(config());
        Map<Long, Map<String, Object>> expected = HeapExpectations.realExpectedHeaps(manifest);
        List<ReceivedHeap> delivered = new ArrayList<>();
        HeapConsumer check = checking(assembler, expected, delivered);
        long now = 0;
        for (byte[] p : packets) {
            assertThat(assembler.acceptDatagram(ByteBuffer.wrap(p), 0, p.length, now++, check)).isTrue();
        }
        assembler.endOfStream(now, check);
        assertDelivery(name, manifest, expected, delivered, assembler.statistics());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void byteStreamInRandomChunksAssemblesTheSame(String name) throws IOException {
        Map<String, Object> manifest = SpeadVectors.manifest(name);
        byte[] stream = SpeadVectors.bin(name);
        SpeadStreamAssembler assembler = new SpeadStreamAssembler(config());
        Map<Long, Map<String, Object>> expected = HeapExpectations.realExpectedHeaps(manifest);
        List<ReceivedHeap> delivered = new ArrayList<>();
        HeapConsumer check = checking(assembler, expected, delivered);
        SpeadByteStreamDecoder decoder = new SpeadByteStreamDecoder(assembler.config().maxPacketSize());
        SpeadByteStreamDecoder.PacketHandler handler = new SpeadByteStreamDecoder.PacketHandler() {
            @Override
            public void packet(SpeadPacket packet) {
                assembler.accept(packet, 0, check);
            }

            @Override
            public void invalid(InvalidPacketReason reason) {
                assembler.invalid(reason);
            }
        };
        Random random = new Random(name.hashCode());
        int pos = 0;
        while (pos < stream.length) {
            int n = Math.min(stream.length - pos, 1 + random.nextInt(random.nextBoolean() ? 16 : 3000));
            assertThat(decoder.feed(ByteBuffer.wrap(stream, pos, n), handler)).isTrue();
            pos += n;
        }
        assertThat(decoder.endOfStream()).isFalse();
        assembler.endOfStream(1, check);
        assertDelivery(name, manifest, expected, delivered, assembler.statistics());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void storedMessagesRoundTrip(String name) throws IOException {
        List<byte[]> packets = SpeadVectors.packets(SpeadVectors.bin(name));
        SpeadStreamAssembler assembler = new SpeadStreamAssembler(config());
        List<ReceivedHeap> delivered = new ArrayList<>();
        for (byte[] p : packets) {
            assembler.acceptDatagram(ByteBuffer.wrap(p), 0, p.length, 0, delivered::add);
        }
        assembler.endOfStream(0, delivered::add);
        assertThat(delivered).isNotEmpty();
        for (ReceivedHeap heap : delivered) {
            byte[] message = StoredHeapCodec.encode(heap);
            assertThat((long) message.length).isEqualTo(StoredHeapCodec.encodedLength(heap));
            ReceivedHeap back = StoredHeapCodec.decode(message);
            assertSameHeap(back, heap);
            // A complete heap is exactly one packet; an incomplete one a packet per range.
            List<byte[]> parts = SpeadVectors.packets(message);
            assertThat(parts).hasSize(heap.isComplete() ? 1 : Math.max(1, heap.rangeCount()));
            // Any SPEAD receiver reads it back: the message as datagrams into a fresh assembler.
            SpeadStreamAssembler again = new SpeadStreamAssembler(config());
            List<ReceivedHeap> out = new ArrayList<>();
            for (byte[] p : parts) {
                assertThat(again.acceptDatagram(ByteBuffer.wrap(p), 0, p.length, 0, out::add)).isTrue();
            }
            again.endOfStream(0, out::add);
            assertThat(out).hasSize(1);
            assertSameHeap(out.get(0), heap);
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void assemblyStateSurvivesSerialisationMidStream(String name) throws IOException {
        Map<String, Object> manifest = SpeadVectors.manifest(name);
        List<byte[]> packets = SpeadVectors.packets(SpeadVectors.bin(name));
        Map<Long, Map<String, Object>> expected = HeapExpectations.realExpectedHeaps(manifest);
        SpeadStreamAssembler assembler = new SpeadStreamAssembler(config());
        List<ReceivedHeap> delivered = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            byte[] p = packets.get(i);
            assembler.acceptDatagram(ByteBuffer.wrap(p), 0, p.length, i, delivered::add);
            if (i % 7 == 3) {
                // Snapshot and restore, as a Flink restart would.
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                assembler.writeTo(new DataOutputStream(bytes));
                assembler = SpeadStreamAssembler.readFrom(
                        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), config());
            }
        }
        assembler.endOfStream(packets.size(), delivered::add);
        assertDelivery(name, manifest, expected, delivered, assembler.statistics());
    }

    /** Checks each heap at delivery (with the descriptors known then) and keeps it. */
    static HeapConsumer checking(SpeadStreamAssembler assembler, Map<Long, Map<String, Object>> expected,
            List<ReceivedHeap> delivered) {
        return heap -> {
            delivered.add(heap);
            HeapExpectations.checkHeap(heap, expected.get(heap.heapCnt()), assembler.descriptors());
        };
    }

    static void assertSameHeap(ReceivedHeap back, ReceivedHeap heap) {
        assertThat(back.heapCnt()).isEqualTo(heap.heapCnt());
        assertThat(back.heapSize()).isEqualTo(heap.heapSize());
        assertThat(back.isComplete()).isEqualTo(heap.isComplete());
        assertThat(back.receivedRanges()).isEqualTo(heap.receivedRanges());
        assertThat(back.pointers()).isEqualTo(heap.pointers());
        assertThat(back.payload()).isEqualTo(heap.payload());
        assertThat(back.items()).hasSameSizeAs(heap.items());
        for (int i = 0; i < heap.items().size(); i++) {
            assertThat(back.items().get(i).bytes()).isEqualTo(heap.items().get(i).bytes());
        }
    }

    static void assertDelivery(String name, Map<String, Object> manifest, Map<Long, Map<String, Object>> expected,
            List<ReceivedHeap> delivered, SpeadStreamStatistics stats) {
        List<Long> cnts = delivered.stream().map(ReceivedHeap::heapCnt).toList();
        assertThat(cnts).as(name + " delivered heaps").containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(cnts).as(name + " heap-counter order").isSorted();
        long incomplete = expected.values().stream().filter(h -> !Boolean.TRUE.equals(h.get("complete"))).count();
        assertThat(stats.heapsCompleted()).as(name).isEqualTo(expected.size() - incomplete);
        assertThat(stats.heapsIncomplete()).as(name).isEqualTo(incomplete);
        assertThat(stats.packets()).as(name).isEqualTo(asLong(manifest.get("packets")));
        assertThat(stats.bytes()).as(name).isEqualTo(asLong(manifest.get("bytes")));
        assertThat(stats.invalidPackets()).as(name).isZero();
        assertThat(stats.stops()).as(name).isEqualTo(Boolean.TRUE.equals(manifest.get("stop_heap")) ? 1 : 0);
        Map<String, Object> spead2 = map(manifest.get("spead2_stats"));
        assertThat(stats.singlePacketHeaps()).as(name).isEqualTo(asLong(spead2.get("single_packet_heaps")));
        assertThat(stats.heapsMissing()).as(name).isZero();
        if (name.equals("duplicates")) {
            // 8 real heaps only; every repeated packet counted, including those after completion.
            assertThat(delivered).hasSize(8).allMatch(ReceivedHeap::isComplete);
            assertThat(stats.duplicatePackets()).isEqualTo(stats.packets() - uniquePackets(name));
            assertThat(stats.duplicatePackets()).isPositive();
        } else {
            assertThat(stats.duplicatePackets()).as(name).isZero();
        }
    }

    static long uniquePackets(String name) {
        try {
            Set<String> seen = new HashSet<>();
            for (byte[] p : SpeadVectors.packets(SpeadVectors.bin(name))) {
                seen.add(java.util.HexFormat.of().formatHex(p));
            }
            return seen.size();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
