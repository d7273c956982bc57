package org.rawstream.sources.odin;

import java.nio.ByteBuffer;

/**
 * ODIN-Stream's TCP framing, sending side: each packet P goes on the wire as
 * COBS(P ‖ crc16(P) big-endian) followed by one 0x00 delimiter.
 */
public final class OdinFrameEncoder {

    private OdinFrameEncoder() {
    }

    /** The most bytes {@link #encode} writes for a packet of {@code packetLength} bytes. */
    public static int maxFrameLength(int packetLength) {
        int n = packetLength + 2;
        return n + n / 254 + 2;
    }

    /**
     * Writes the frame of the packet (the remaining bytes of {@code packet}, whose position is
     * not changed) at {@code out}'s position. {@code out} needs {@link #maxFrameLength} bytes.
     */
    public static void encode(ByteBuffer packet, ByteBuffer out) {
        int crc = OdinCrc16.compute(packet);
        int n = packet.remaining();
        int base = packet.position();
        int codeAt = out.position();
        out.put((byte) 0);
        int code = 1;
        for (int i = 0; i < n + 2; i++) {
            int b = i < n ? packet.get(base + i) & 0xFF : (i == n ? crc >>> 8 : crc) & 0xFF;
            if (b == 0) {
                out.put(codeAt, (byte) code);
                codeAt = out.position();
                out.put((byte) 0);
                code = 1;
            } else {
                out.put((byte) b);
                if (++code == 0xFF) {
                    out.put(codeAt, (byte) code);
                    codeAt = out.position();
                    out.put((byte) 0);
                    code = 1;
                }
            }
        }
        out.put(codeAt, (byte) code);
        out.put((byte) 0);
    }

    /** The frame of {@code packet} as a new array. */
    public static byte[] encode(byte[] packet) {
        ByteBuffer out = ByteBuffer.allocate(maxFrameLength(packet.length));
        encode(ByteBuffer.wrap(packet), out);
        byte[] frame = new byte[out.position()];
        out.flip().get(frame);
        return frame;
    }
}
