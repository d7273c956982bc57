package org.rawstream.sources.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated input: every packet or frame is accounted for (valid, held or
 * counted invalid) and nothing throws.
 */
class OdinFuzzTest {

    private static final int[] TYPES = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0B, 0x07, 0xFF};

    /** Valid packets of every type to mutate: the vectors plus extended identifiers and type descriptors. */
    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (OdinTestVectors.VectorPacket v : OdinTestVectors.packets()) {
            seeds.add(v.bytes);
        }
        seeds.add(OdinPacketWriter.typeDescriptors(27829, List.of(new OdinTypeDescriptor(3, 8, "pair", List.of(
                new OdinTypeDescriptor.Field(OdinElementType.U32, 4, 0, "a"),
                new OdinTypeDescriptor.Field(OdinElementType.F32, 4, 4, "b"))))));
        seeds.addAll(OdinPacketWriter.extendedIdentifier(OdinSchema.named(27829, 1, new int[] {1, 2, 3}, new int[] {8, 3, 16},
                new String[] {"pair", "text", "blob"},
                new OdinElementType[] {OdinElementType.CUSTOM, OdinElementType.CHAR, OdinElementType.HEX},
                new int[] {3, 0, 0}), 30));
        seeds.add(OdinPacketWriter.data(27829, 1, 12, new byte[27]));
        return seeds;
    }

    @Test
    void everySinglePacketIsValidHeldOrCountedInvalid() {
        Random random = new Random(20261120);
        List<byte[]> seeds = seeds();
        for (int i = 0; i < 20_000; i++) {
            byte[] packet = i % 2 == 0 ? randomPacket(random) : mutate(seeds.get(random.nextInt(seeds.size())), random);
            RecordingOutput out = new RecordingOutput();
            OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
            receiver.accept(ByteBuffer.wrap(packet), 0);
            OdinStatistics stats = receiver.statistics();
            assertThat(stats.invalidTotal() + stats.dataHeld() + stats.validPackets())
                    .as("packet %s", java.util.HexFormat.of().formatHex(packet)).isEqualTo(1);
            assertThat(out.raw).hasSize((int) stats.validPackets());
            receiver.flush();
        }
    }

    @Test
    void mutatedStreamsThroughOneReceiverNeverThrowAndStayConsistent() {
        Random random = new Random(42);
        List<byte[]> seeds = seeds();
        OdinReceiverConfig config = OdinReceiverConfig.builder().maxSchemas(8).maxPendingIdentifiers(8)
                .maxHeldPerIdentifier(4).reorderWindow(4).resyncDistance(64).build();
        for (int round = 0; round < 50; round++) {
            RecordingOutput out = new RecordingOutput();
            OdinReceiver receiver = new OdinReceiver(config, out);
            long now = 0;
            for (int i = 0; i < 1_000; i++) {
                byte[] packet;
                int pick = random.nextInt(10);
                if (pick < 4) {
                    packet = seeds.get(random.nextInt(seeds.size()));
                } else if (pick < 9) {
                    packet = mutate(seeds.get(random.nextInt(seeds.size())), random);
                } else {
                    packet = randomPacket(random);
                }
                receiver.accept(ByteBuffer.wrap(packet), now);
                now += random.nextInt(50);
                if (random.nextInt(20) == 0) {
                    receiver.advanceTime(now);
                }
            }
            receiver.flush();
            OdinStatistics stats = receiver.statistics();
            assertThat(stats.packets()).isEqualTo(1_000);
            assertThat(out.raw).hasSize((int) stats.validPackets());
            assertThat(out.data).hasSize((int) stats.dataReleased());
            assertThat(stats.schemasKnown()).isLessThanOrEqualTo(8);
            for (RecordingOutput.Raw raw : out.raw) {
                assertThat(OdinPackets.checkHeader(ByteBuffer.wrap(raw.bytes))).isNull();
            }
            for (OdinDataValues values : out.data) {
                values.namedValues(); // decoding any released packet must work
            }
        }
    }

    @Test
    void randomAndMutatedTcpStreamsNeverThrow() {
        Random random = new Random(7);
        byte[] valid = OdinTestVectors.bytes("tcp_cobs.bin");
        for (int round = 0; round < 2_000; round++) {
            byte[] stream;
            if (round % 3 == 0) {
                stream = new byte[random.nextInt(600)];
                random.nextBytes(stream);
            } else {
                stream = valid.clone();
                int flips = 1 + random.nextInt(8);
                for (int f = 0; f < flips; f++) {
                    stream[random.nextInt(stream.length)] = (byte) random.nextInt(256);
                }
            }
            RecordingOutput out = new RecordingOutput();
            OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
            OdinStatistics stats = receiver.statistics();
            long[] frames = new long[1];
            OdinFrameDecoder decoder = new OdinFrameDecoder(random.nextBoolean() ? 65535 : 16);
            OdinFrameDecoder.Handler handler = new OdinFrameDecoder.Handler() {
                @Override
                public void packet(ByteBuffer packet) {
                    frames[0]++;
                    receiver.accept(packet, 0);
                }

                @Override
                public void invalid(OdinInvalidReason reason) {
                    stats.rejected(reason);
                }
            };
            for (int at = 0; at < stream.length; ) {
                int n = Math.min(stream.length - at, 1 + random.nextInt(40));
                decoder.feed(ByteBuffer.wrap(stream, at, n), handler);
                at += n;
            }
            decoder.endOfStream(handler);
            receiver.flush();
            assertThat(stats.packets()).isEqualTo(frames[0]);
            assertThat(out.raw).hasSize((int) stats.validPackets());
            if (round % 3 != 0) {
                // each flipped byte breaks at most two frames (it may merge or split them)
                assertThat(frames[0] + stats.invalid(OdinInvalidReason.BAD_CRC) + stats.invalid(OdinInvalidReason.BAD_COBS)
                        + stats.invalid(OdinInvalidReason.FRAME_TOO_LARGE) + stats.invalid(OdinInvalidReason.FRAME_TOO_SHORT)
                        + stats.invalid(OdinInvalidReason.PARTIAL_FRAME)).isGreaterThan(0);
            }
        }
    }

    @Test
    void statesRoundTripAtRandomPointsOfAMutatedStream() throws Exception {
        Random random = new Random(99);
        List<byte[]> seeds = seeds();
        OdinReceiverConfig config = OdinReceiverConfig.builder().reorderWindow(4).resyncDistance(64).build();
        RecordingOutput out = new RecordingOutput();
        OdinReceiverContext context = new OdinReceiverContext(config, new OdinStatistics());
        OdinIdentifierState state = new OdinIdentifierState(27829);
        for (int i = 0; i < 5_000; i++) {
            byte[] packet = random.nextBoolean() ? seeds.get(random.nextInt(seeds.size())) : mutate(seeds.get(random.nextInt(seeds.size())), random);
            ByteBuffer buffer = ByteBuffer.wrap(packet);
            if (OdinPacketClassifier.classify(buffer, context.statistics()) != null
                    || OdinPackets.typeCode(buffer) == OdinPacketType.EVENT.code()
                    || OdinPackets.identifier(buffer) != 27829) {
                continue;
            }
            state.accept(buffer, i, context, out);
            if (random.nextInt(50) == 0) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                state.writeTo(new java.io.DataOutputStream(bytes));
                byte[] written = bytes.toByteArray();
                state = OdinIdentifierState.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(written)));
                ByteArrayOutputStream again = new ByteArrayOutputStream();
                state.writeTo(new java.io.DataOutputStream(again));
                assertThat(again.toByteArray()).isEqualTo(written);
            }
        }
        state.flush(context, out);
        assertThat(out.data).hasSize((int) context.statistics().dataReleased());
    }

    private static byte[] randomPacket(Random random) {
        byte[] packet = new byte[random.nextInt(random.nextBoolean() ? 16 : 300)];
        random.nextBytes(packet);
        if (packet.length > 0 && random.nextInt(4) != 0) {
            packet[0] = (byte) TYPES[random.nextInt(TYPES.length)];
        }
        return packet;
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] p = seed.clone();
        switch (random.nextInt(6)) {
            case 0: // flip bits
                for (int n = 1 + random.nextInt(4); n > 0 && p.length > 0; n--) {
                    p[random.nextInt(p.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return p;
            case 1: // truncate
                return Arrays.copyOf(p, random.nextInt(p.length + 1));
            case 2: // extend with garbage
                byte[] longer = Arrays.copyOf(p, p.length + 1 + random.nextInt(20));
                for (int i = p.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                return longer;
            case 3: // set a byte to an edge value
                if (p.length > 0) {
                    p[random.nextInt(p.length)] = (byte) new int[] {0, 1, 0x7F, 0x80, 0xFF}[random.nextInt(5)];
                }
                return p;
            case 4: // change the sequence of a data packet
                if (p.length >= 10) {
                    p[8] = (byte) random.nextInt(256);
                    p[9] = (byte) random.nextInt(256);
                }
                return p;
            default: // duplicate a slice
                if (p.length > 4) {
                    int from = random.nextInt(p.length - 1);
                    int len = 1 + random.nextInt(p.length - from);
                    byte[] spliced = Arrays.copyOf(p, p.length + len);
                    System.arraycopy(p, from, spliced, p.length, len);
                    return spliced;
                }
                return p;
        }
    }
}
