package org.rawstream.sources.echo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bounds-checked walk over the fields of one echo payload, shared by the request and response
 * views: reusable and allocation-free. Each step returns the absolute offset of the field it
 * passed; after the first failure every step is a no-op and {@link #finish()} reports why.
 */
final class EchoFields {
    private ByteBuffer buffer;
    private int pos;
    private int end;
    private EchoErrorKind error;

    /** Starts at a payload (position to limit) and checks its header: api_key 0 and a sequence byte. */
    boolean start(ByteBuffer payload) {
        buffer = payload.order() == ByteOrder.BIG_ENDIAN ? payload : payload.duplicate();
        pos = buffer.position();
        end = buffer.limit();
        error = null;
        if (end - pos < EchoFramer.HEADER_BYTES) {
            error = EchoErrorKind.FIELD_PAST_FRAME;
        } else if (buffer.get(pos) != EchoRequestView.API_ECHO) {
            error = EchoErrorKind.UNKNOWN_API_KEY;
        }
        return error == null;
    }

    /** The payload being walked (big-endian). */
    ByteBuffer buffer() {
        return buffer;
    }

    /** Passes {@code width} fixed bytes; returns their offset. */
    int fixed(int width) {
        if (error == null && end - pos < width) {
            error = EchoErrorKind.FIELD_PAST_FRAME;
        }
        return advance(width);
    }

    /** Passes a {@code string} (int32 length, bytes); returns the offset of its length field. */
    int string() {
        return counted(Integer.BYTES, 1);
    }

    /** Passes an {@code array<int16>} (int16 count, count × int16); returns the offset of its count. */
    int shortArray() {
        return counted(Short.BYTES, Short.BYTES);
    }

    /** Null when every field fitted and nothing is left over, else why the payload is rejected. */
    EchoErrorKind finish() {
        if (error == null && pos != end) {
            error = EchoErrorKind.TRAILING_BYTES;
        }
        return error;
    }

    private int counted(int prefixBytes, int elementBytes) {
        int at = pos;
        if (error != null) {
            return at;
        }
        if (end - pos < prefixBytes) {
            error = EchoErrorKind.FIELD_PAST_FRAME;
            return at;
        }
        long count = prefixBytes == Integer.BYTES ? buffer.getInt(pos) : buffer.getShort(pos);
        if (count < 0) {
            error = EchoErrorKind.FIELD_LENGTH_NEGATIVE;
        } else if (end - pos - prefixBytes < count * elementBytes) {
            error = EchoErrorKind.FIELD_PAST_FRAME;
        }
        advance(prefixBytes + (int) (count * elementBytes));
        return at;
    }

    private int advance(int bytes) {
        int at = pos;
        if (error == null) {
            pos += bytes;
        }
        return at;
    }

    static byte[] copy(ByteBuffer b, int offset, int length) {
        byte[] bytes = new byte[length];
        b.get(offset, bytes);
        return bytes;
    }
}
