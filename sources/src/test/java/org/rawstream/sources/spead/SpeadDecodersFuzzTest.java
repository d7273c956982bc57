package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.rawstream.sources.fuzz.AllocationBound;

/**
 * Coverage-guided fuzz targets (Jazzer) for the SPEAD decoders: a datagram, a TCP byte stream,
 * a stored heap and a {@code .npy} header. Without {@code JAZZER_FUZZ} each target runs its
 * inputs in {@code SpeadDecodersFuzzTestInputs/<target>} (seeds cut from testdata/vectors, and
 * every finding kept as a regression input); docs/fuzzing.md says how to fuzz one.
 *
 * <p>Contract checked: nothing escapes but the decoder's documented exception, the assembler
 * retains no more than its limits allow, and what the decoders allocate is bounded by the input
 * length plus the configured limits.
 */
class SpeadDecodersFuzzTest {

    /** Small limits, so a heap claimed past them is refused and the bounds below stay tight. */
    private static final SpeadAssemblyConfig CONFIG = SpeadAssemblyConfig.builder().maxLiveHeaps(4)
            .maxHeapSize(256 << 10).maxPacketSize(9200).heapTimeoutMillis(50).recentHeapMemory(16)
            .maxItemPointersPerHeap(256).reorderCapacity(4).build();

    /** Per heap opened: its payload (at most the largest heap) and pointer bookkeeping. */
    private static final long PER_HEAP = CONFIG.maxHeapSize() + 256L * 24 + 4096;

    /** What a stream may retain: live heaps plus the reorder buffer. */
    private static final long RETAINED_BOUND = (CONFIG.maxLiveHeaps() + CONFIG.reorderCapacity() + 1L) * PER_HEAP;

    @FuzzTest(maxDuration = "4h")
    void datagram(byte[] data) {
        AllocationBound.check(PER_HEAP + 16L * data.length, "one datagram", () -> decodeDatagram(data));
    }

    @FuzzTest(maxDuration = "4h")
    void tcpStream(byte[] data) {
        // Every packet is at least a header and may open one heap of at most the largest size.
        long mostHeaps = data.length / SpeadPacket.HEADER_BYTES + 1;
        long bound = CONFIG.maxPacketSize() + mostHeaps * PER_HEAP + 16L * data.length
                + AllocationBound.PER_CHUNK_BYTES * AllocationBound.chunks(data.length, chunkSize(data));
        AllocationBound.check(bound, "a TCP stream", () -> decodeStream(data));
    }

    @FuzzTest(maxDuration = "4h")
    void storedHeap(byte[] data) {
        AllocationBound.check(3 * PER_HEAP + 32L * data.length, "a stored heap and its round trip",
                () -> decodeStoredHeap(data));
    }

    @FuzzTest(maxDuration = "4h")
    void numpyHeader(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        AllocationBound.check(64L * data.length, "a numpy header", () -> {
            try {
                NumpyHeader header = NumpyHeader.parse(text);
                for (long d : header.shape()) {
                    assertThat(d).isNotNegative();
                }
                assertThat(header.dtype()).isNotNull();
            } catch (IllegalArgumentException notAHeader) {
                // the documented failure
            }
        });
    }

    private static void decodeDatagram(byte[] data) {
        SpeadPacket packet = new SpeadPacket();
        if (packet.decodeDatagram(ByteBuffer.wrap(data), 0, data.length)) {
            assertThat(packet.packetLength()).isEqualTo(data.length);
            for (int i = 0; i < packet.pointerCount(); i++) {
                packet.pointer(i);
            }
        } else {
            assertThat(packet.invalidReason()).isNotNull();
        }
        SpeadStreamAssembler assembler = new SpeadStreamAssembler(CONFIG);
        List<ReceivedHeap> heaps = new ArrayList<>();
        assembler.acceptDatagram(ByteBuffer.wrap(data), 0, data.length, 0, heaps::add);
        assertThat(assembler.retainedBytes()).isLessThanOrEqualTo(RETAINED_BOUND);
        assembler.endOfStream(1, heaps::add);
        exercise(heaps, assembler.descriptors());
    }

    private static void decodeStream(byte[] data) {
        SpeadStreamAssembler assembler = new SpeadStreamAssembler(CONFIG);
        SpeadByteStreamDecoder decoder = new SpeadByteStreamDecoder(CONFIG.maxPacketSize());
        List<ReceivedHeap> heaps = new ArrayList<>();
        long[] packets = {0};
        SpeadByteStreamDecoder.PacketHandler handler = new SpeadByteStreamDecoder.PacketHandler() {
            @Override
            public void packet(SpeadPacket packet) {
                packets[0]++;
                assembler.accept(packet, packets[0], heaps::add);
            }

            @Override
            public void invalid(InvalidPacketReason reason) {
                assembler.invalid(reason);
            }
        };
        int chunk = chunkSize(data);
        boolean alive = true;
        for (int pos = 0; pos < data.length && alive; pos += chunk) {
            alive = decoder.feed(ByteBuffer.wrap(data, pos, Math.min(chunk, data.length - pos)), handler);
            assertThat(decoder.partialBytes()).isLessThanOrEqualTo(CONFIG.maxPacketSize());
            assertThat(assembler.retainedBytes()).isLessThanOrEqualTo(RETAINED_BOUND);
            if (heaps.size() > 16) {
                exercise(heaps, assembler.descriptors());
                heaps.clear();
            }
        }
        if (alive) {
            decoder.endOfStream();
        } else {
            assertThat(decoder.isBroken()).isTrue();
        }
        assembler.endOfStream(packets[0] + 1000, heaps::add);
        exercise(heaps, assembler.descriptors());
    }

    /** Chunk sizes from the input's first byte, so packets straddle chunks at many offsets. */
    private static int chunkSize(byte[] data) {
        return data.length == 0 ? 1 : 1 + (data[0] & 0xFF) * 37;
    }

    private static void decodeStoredHeap(byte[] data) {
        ReceivedHeap heap;
        try {
            heap = StoredHeapCodec.decode(ByteBuffer.wrap(data), CONFIG);
        } catch (IllegalArgumentException notAStoredHeap) {
            return;
        }
        assertThat(heap.receivedBytes()).isLessThanOrEqualTo(data.length);
        ReceivedHeap back = StoredHeapCodec.decode(ByteBuffer.wrap(StoredHeapCodec.encode(heap)), CONFIG);
        assertThat(back.receivedRanges()).isEqualTo(heap.receivedRanges());
        assertThat(back.isComplete()).isEqualTo(heap.isComplete());
        assertThat(back.pointers()).isEqualTo(heap.pointers());
    }

    private static void exercise(List<ReceivedHeap> heaps, DescriptorTable descriptors) {
        exercise(heaps, descriptors, CONFIG);
    }

    /**
     * Items, descriptors, value decoding and the stored form (decoded back under {@code limits})
     * of every delivered heap.
     */
    static void exercise(List<ReceivedHeap> heaps, DescriptorTable descriptors, SpeadAssemblyConfig limits) {
        for (ReceivedHeap h : heaps) {
            for (SpeadItem item : h.items()) {
                SpeadDescriptor d = descriptors.get(item.id());
                if (d != null) {
                    try {
                        ByteBuffer v = item.value();
                        ItemValueDecoder.decode(d, v, v.position(), v.remaining(), item.immediate());
                    } catch (IllegalArgumentException valueDoesNotFitItsDescriptor) {
                        // reported to the user, not a crash
                    }
                }
            }
            h.descriptors();
            ReceivedHeap back = StoredHeapCodec.decode(ByteBuffer.wrap(StoredHeapCodec.encode(h)), limits);
            assertThat(back.receivedRanges()).isEqualTo(h.receivedRanges());
            assertThat(back.isComplete()).isEqualTo(h.isComplete());
        }
    }
}
