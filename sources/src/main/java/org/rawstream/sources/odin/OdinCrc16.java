package org.rawstream.sources.odin;

import java.nio.ByteBuffer;

/**
 * CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor.
 * Used for the TCP frame check and, by convention, for identifiers (over the schema's indices).
 */
public final class OdinCrc16 {

    /** The CRC's initial value; pass it to the first {@link #update} call. */
    public static final int INITIAL = 0xFFFF;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private OdinCrc16() {
    }

    /** Continues a CRC over one byte. */
    public static int update(int crc, int b) {
        return ((crc << 8) ^ TABLE[((crc >>> 8) ^ b) & 0xFF]) & 0xFFFF;
    }

    /** CRC of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static int compute(byte[] bytes, int offset, int length) {
        int crc = INITIAL;
        for (int i = offset; i < offset + length; i++) {
            crc = update(crc, bytes[i]);
        }
        return crc;
    }

    /** CRC of the remaining bytes of {@code buffer}; the buffer's position is not changed. */
    public static int compute(ByteBuffer buffer) {
        int crc = INITIAL;
        for (int i = buffer.position(); i < buffer.limit(); i++) {
            crc = update(crc, buffer.get(i));
        }
        return crc;
    }
}
