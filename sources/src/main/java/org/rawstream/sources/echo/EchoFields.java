package org.rawstream.sources.echo;

import java.nio.ByteBuffer;

/**
 * Bounds-checked walking over the fields of one echo payload, shared by the request and
 * response views. Methods return the offset after the field, or a negative error code, so a
 * hot-path walk allocates nothing.
 */
final class EchoFields {
    static final int PAST_FRAME = -1;
    static final int NEGATIVE_LENGTH = -2;

    private EchoFields() {
    }

    /** Why the header (api_key, sequence) of the payload {@code [p, end)} is rejected, or null. */
    static EchoErrorKind header(ByteBuffer b, int p, int end) {
        if (end - p < EchoFramer.HEADER_BYTES) {
            return EchoErrorKind.FIELD_PAST_FRAME;
        }
        return b.get(p) == EchoRequestView.API_ECHO ? null : EchoErrorKind.UNKNOWN_API_KEY;
    }

    /** Offset after {@code width} fixed bytes at {@code p}, or {@link #PAST_FRAME}. */
    static int fixed(int p, int width, int end) {
        return end - p >= width ? p + width : PAST_FRAME;
    }

    /** Offset after a {@code string} (int32 length, bytes) at {@code p}, or an error code. */
    static int string(ByteBuffer b, int p, int end) {
        if (end - p < Integer.BYTES) {
            return PAST_FRAME;
        }
        int length = b.getInt(p);
        if (length < 0) {
            return NEGATIVE_LENGTH;
        }
        p += Integer.BYTES;
        return end - p >= length ? p + length : PAST_FRAME;
    }

    /** Offset after an {@code array<int16>} (int16 count, count × int16) at {@code p}, or an error code. */
    static int shortArray(ByteBuffer b, int p, int end) {
        if (end - p < Short.BYTES) {
            return PAST_FRAME;
        }
        int count = b.getShort(p);
        if (count < 0) {
            return NEGATIVE_LENGTH;
        }
        p += Short.BYTES;
        return end - p >= count * Short.BYTES ? p + count * Short.BYTES : PAST_FRAME;
    }

    /** The rejection an error code stands for. */
    static EchoErrorKind kind(int code) {
        return code == NEGATIVE_LENGTH ? EchoErrorKind.FIELD_LENGTH_NEGATIVE : EchoErrorKind.FIELD_PAST_FRAME;
    }

    /** {@code payload} itself when big-endian (as the framer hands out), else a big-endian duplicate. */
    static ByteBuffer bigEndian(ByteBuffer payload) {
        return payload.order() == java.nio.ByteOrder.BIG_ENDIAN ? payload : payload.duplicate();
    }

    static byte[] copy(ByteBuffer b, int offset, int length) {
        byte[] bytes = new byte[length];
        b.get(offset, bytes);
        return bytes;
    }
}
