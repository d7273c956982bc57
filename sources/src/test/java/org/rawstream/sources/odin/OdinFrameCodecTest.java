package org.rawstream.sources.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OdinFrameCodecTest {

    private final CollectingFrameHandler handler = new CollectingFrameHandler();
    private final List<byte[]> packets = handler.packets;
    private final List<OdinInvalidReason> errors = handler.errors;

    @Test
    void encoderReproducesTheVectorStream() {
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        for (OdinTestVectors.VectorPacket v : OdinTestVectors.packets()) {
            stream.writeBytes(OdinFrameEncoder.encode(v.bytes));
        }
        assertThat(stream.toByteArray()).isEqualTo(OdinTestVectors.bytes("tcp_cobs.bin"));
    }

    @Test
    void roundTripsAwkwardPayloads() {
        Random random = new Random(11);
        List<byte[]> payloads = new ArrayList<>();
        payloads.add(new byte[] {0});
        payloads.add(new byte[1000]); // all zeros
        byte[] noZeros = new byte[1000];
        Arrays.fill(noZeros, (byte) 0xFF);
        payloads.add(noZeros);
        for (int n : new int[] {1, 252, 253, 254, 255, 256, 507, 508, 509, 65535}) {
            byte[] p = new byte[n];
            for (int i = 0; i < n; i++) {
                p[i] = (byte) (1 + random.nextInt(255));
            }
            payloads.add(p);
            byte[] sparse = new byte[n];
            random.nextBytes(sparse);
            payloads.add(sparse);
        }
        OdinFrameDecoder decoder = new OdinFrameDecoder(65535);
        for (byte[] p : payloads) {
            byte[] frame = OdinFrameEncoder.encode(p);
            assertThat(frame.length).isLessThanOrEqualTo(OdinFrameEncoder.maxFrameLength(p.length));
            for (int i = 0; i < frame.length - 1; i++) {
                assertThat(frame[i]).as("no zero inside a frame").isNotZero();
            }
            assertThat(frame[frame.length - 1]).isZero();
            decoder.feed(ByteBuffer.wrap(frame), handler);
        }
        assertThat(errors).isEmpty();
        assertThat(packets).hasSameSizeAs(payloads);
        for (int i = 0; i < payloads.size(); i++) {
            assertThat(packets.get(i)).isEqualTo(payloads.get(i));
        }
    }

    @Test
    void emptyFramesAreSkippedSilently() {
        OdinFrameDecoder decoder = new OdinFrameDecoder(100);
        decoder.feed(ByteBuffer.wrap(new byte[] {0, 0, 0}), handler);
        decoder.feed(ByteBuffer.wrap(OdinFrameEncoder.encode(new byte[] {2, 3})), handler);
        assertThat(errors).isEmpty();
        assertThat(packets).hasSize(1);
    }

    @Test
    void tooLargeFrameIsDroppedAndTheNextOneAccepted() {
        OdinFrameDecoder decoder = new OdinFrameDecoder(10);
        decoder.feed(ByteBuffer.wrap(OdinFrameEncoder.encode(new byte[11])), handler);
        decoder.feed(ByteBuffer.wrap(OdinFrameEncoder.encode(new byte[10])), handler);
        assertThat(errors).containsExactly(OdinInvalidReason.FRAME_TOO_LARGE);
        assertThat(packets).hasSize(1);
        // an endless frame never grows the buffer: it is simply discarded until a delimiter
        byte[] garbage = new byte[100_000];
        Arrays.fill(garbage, (byte) 7);
        decoder.feed(ByteBuffer.wrap(garbage), handler);
        decoder.endOfStream(handler);
        assertThat(errors).containsExactly(OdinInvalidReason.FRAME_TOO_LARGE, OdinInvalidReason.PARTIAL_FRAME);
    }

    @Test
    void brokenFramesAreCountedByReason() {
        OdinFrameDecoder decoder = new OdinFrameDecoder(100);
        decoder.feed(ByteBuffer.wrap(new byte[] {5, 1, 2, 0}), handler); // block promises 4 bytes, gets 2
        decoder.feed(ByteBuffer.wrap(new byte[] {2, 9, 0}), handler); // 1 byte: no room for a CRC
        byte[] frame = OdinFrameEncoder.encode(new byte[] {2, 1, 0, 0, 4});
        frame[2] ^= 0x40; // corrupt a data byte
        decoder.feed(ByteBuffer.wrap(frame), handler);
        decoder.feed(ByteBuffer.wrap(new byte[] {3, 1}), handler);
        assertThat(decoder.inFrame()).isTrue();
        decoder.endOfStream(handler);
        assertThat(errors).containsExactly(OdinInvalidReason.BAD_COBS, OdinInvalidReason.FRAME_TOO_SHORT,
                OdinInvalidReason.BAD_CRC, OdinInvalidReason.PARTIAL_FRAME);
        assertThat(packets).isEmpty();
        // after all that, the decoder still works
        decoder.feed(ByteBuffer.wrap(OdinFrameEncoder.encode(new byte[] {1, 2, 3})), handler);
        assertThat(packets).hasSize(1);
    }

    @Test
    void encoderHonoursPositions() {
        ByteBuffer packet = ByteBuffer.wrap(new byte[] {9, 9, 1, 0, 2});
        packet.position(2);
        ByteBuffer out = ByteBuffer.allocate(OdinFrameEncoder.maxFrameLength(3) + 4);
        out.position(4);
        OdinFrameEncoder.encode(packet, out);
        assertThat(packet.position()).isEqualTo(2);
        out.flip().position(4);
        new OdinFrameDecoder(10).feed(out, handler);
        assertThat(packets).containsExactly(new byte[] {1, 0, 2});
    }
}
