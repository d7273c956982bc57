package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated input (seeded): nothing escapes as an exception, every bad packet is
 * counted, and memory stays bounded by the configured limits.
 */
class SpeadFuzzTest {

    private static final long SEED = 0x5EAD2L;

    private static final SpeadAssemblyConfig CONFIG = SpeadAssemblyConfig.builder().maxLiveHeaps(16)
            .maxHeapSize(4 << 20).heapTimeoutMillis(50).recentHeapMemory(128).maxItemPointersPerHeap(2048)
            .reorderCapacity(8).build();

    /** The most a stream may hold: live heaps plus the reorder buffer, each at most the maximum heap. */
    private static final long MEMORY_BOUND = (16L + 9) * ((4 << 20) + 2048 * 24 + 4096);

    private static List<byte[]> corpus() throws IOException {
        List<byte[]> all = new ArrayList<>();
        for (String name : SpeadVectors.names()) {
            if (!name.startsWith("large")) {
                all.addAll(SpeadVectors.packets(SpeadVectors.bin(name)));
            }
        }
        return all;
    }

    private static byte[] mutate(byte[] p, Random r) {
        byte[] m;
        switch (r.nextInt(6)) {
            case 0: // truncate
                m = java.util.Arrays.copyOf(p, r.nextInt(p.length + 1));
                break;
            case 1: // extend
                m = java.util.Arrays.copyOf(p, p.length + 1 + r.nextInt(64));
                break;
            case 2: // flip bits in the header and pointers
                m = p.clone();
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    int i = r.nextInt(Math.min(m.length, 8 + 8 * 6));
                    m[i] ^= (byte) (1 << r.nextInt(8));
                }
                break;
            case 3: // overwrite a pointer's value with something extreme
                m = p.clone();
                if (m.length >= 16) {
                    int n = Math.max(1, ((m[6] & 0xFF) << 8 | (m[7] & 0xFF)));
                    int at = 8 + 8 * r.nextInt(Math.min(n, (m.length - 8) / 8));
                    long v = r.nextBoolean() ? r.nextLong() : (m[at] & 0x80L) << 56 | ((long) r.nextInt(8) << 48) | r.nextInt(1 << 24);
                    ByteBuffer.wrap(m).putLong(at, v);
                }
                break;
            case 4: // random bytes anywhere
                m = p.clone();
                for (int k = 0; k < 1 + r.nextInt(8); k++) {
                    m[r.nextInt(m.length)] = (byte) r.nextInt();
                }
                break;
            default: // pure noise with a valid-looking header
                m = new byte[8 + r.nextInt(256)];
                r.nextBytes(m);
                m[0] = 0x53;
                m[1] = 4;
                m[2] = (byte) (r.nextBoolean() ? 2 : 3);
                m[3] = (byte) (8 - m[2]);
        }
        return m;
    }

    @Test
    void mutatedDatagramsNeverThrowAndMemoryStaysBounded() throws IOException {
        Random r = new Random(SEED);
        List<byte[]> corpus = corpus();
        SpeadStreamAssembler assembler = new SpeadStreamAssembler(CONFIG);
        List<ReceivedHeap> out = new ArrayList<>();
        int invalidSent = 0;
        for (int i = 0; i < 30_000; i++) {
            byte[] p = corpus.get(r.nextInt(corpus.size()));
            if (r.nextInt(3) != 0) {
                p = mutate(p, r);
            }
            if (!assembler.acceptDatagram(ByteBuffer.wrap(p), 0, p.length, i, out::add)) {
                invalidSent++;
            }
            if (i % 500 == 0) {
                assembler.expire(i, out::add);
                assertThat(assembler.retainedBytes()).isLessThanOrEqualTo(MEMORY_BOUND);
            }
            if (out.size() > 64) {
                exercise(out, assembler.descriptors());
                out.clear();
            }
        }
        assembler.endOfStream(30_000, out::add);
        exercise(out, assembler.descriptors());
        SpeadStreamStatistics s = assembler.statistics();
        assertThat(invalidSent).isPositive();
        long counted = s.invalidPackets() - s.invalidPackets(InvalidPacketReason.HEAP_SIZE_CONFLICT)
                - s.invalidPackets(InvalidPacketReason.HEAP_TOO_LARGE) - s.invalidPackets(InvalidPacketReason.FLAVOUR_MISMATCH)
                - s.invalidPackets(InvalidPacketReason.TOO_MANY_ITEM_POINTERS)
                - s.invalidPackets(InvalidPacketReason.PAYLOAD_PAST_HEAP_SIZE);
        assertThat(counted).isLessThanOrEqualTo(invalidSent);
        assertThat(s.packets() + s.invalidPackets()).isGreaterThanOrEqualTo(30_000);
    }

    private static void exercise(List<ReceivedHeap> heaps, DescriptorTable descriptors) {
        SpeadDecodersFuzzTest.exercise(heaps, descriptors, CONFIG);
    }

    @Test
    void mutatedByteStreamsNeverThrow() throws IOException {
        Random r = new Random(SEED + 1);
        List<byte[]> corpus = corpus();
        for (int run = 0; run < 300; run++) {
            SpeadStreamAssembler assembler = new SpeadStreamAssembler(CONFIG);
            SpeadByteStreamDecoder decoder = new SpeadByteStreamDecoder(9200);
            List<ReceivedHeap> out = new ArrayList<>();
            SpeadByteStreamDecoder.PacketHandler handler = new SpeadByteStreamDecoder.PacketHandler() {
                @Override
                public void packet(SpeadPacket packet) {
                    assembler.accept(packet, 0, out::add);
                }

                @Override
                public void invalid(InvalidPacketReason reason) {
                    assembler.invalid(reason);
                }
            };
            java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
            int start = r.nextInt(corpus.size());
            for (int k = 0; k < 40; k++) {
                byte[] p = corpus.get((start + k) % corpus.size());
                stream.writeBytes(r.nextInt(10) == 0 ? mutate(p, r) : p);
            }
            byte[] bytes = stream.toByteArray();
            int pos = 0;
            boolean alive = true;
            while (pos < bytes.length && alive) {
                int n = Math.min(bytes.length - pos, 1 + r.nextInt(2000));
                alive = decoder.feed(ByteBuffer.wrap(bytes, pos, n), handler);
                pos += n;
                assertThat(decoder.partialBytes()).isLessThanOrEqualTo(9200);
            }
            decoder.endOfStream();
            assembler.endOfStream(0, out::add);
            exercise(out, assembler.descriptors());
            if (!alive) {
                assertThat(assembler.statistics().invalidPackets()).isPositive();
            }
        }
    }

    @Test
    void mutatedStoredMessagesAndNumpyHeadersFailOnlyWithIllegalArgument() {
        Random r = new Random(SEED + 2);
        byte[] good = SpeadTestPackets.packet(3, 64, 0, 64, SpeadTestPackets.addr(0x1000, 0));
        String header = "{'descr': [('a', '<i2'), ('b', '>f4')], 'fortran_order': False, 'shape': (3, 4)}";
        for (int i = 0; i < 20_000; i++) {
            byte[] m = mutate(good, r);
            try {
                StoredHeapCodec.decode(m);
            } catch (IllegalArgumentException expected) {
                // not a stored heap
            }
            char[] h = header.toCharArray();
            String alphabet = "{}()[]',: 0123456789abfiuTF<>|";
            for (int k = 0; k < 1 + r.nextInt(3); k++) {
                h[r.nextInt(h.length)] = alphabet.charAt(r.nextInt(alphabet.length()));
            }
            try {
                NumpyHeader.parse(new String(h, 0, r.nextInt(h.length + 1)));
            } catch (IllegalArgumentException expected) {
                // not a header
            }
            try {
                SpeadDescriptor.decode(ByteBuffer.wrap(m), 0, m.length);
            } catch (IllegalArgumentException expected) {
                // not a descriptor
            }
        }
    }
}
