package org.rawstream.sources.spead;

import java.nio.ByteBuffer;

/**
 * Length of the next packet in a byte stream (SPEAD over TCP has no framing of its own: a
 * packet's length is 8 + 8N + PAYLOAD_LENGTH, known once its header and pointers are in).
 */
public final class SpeadFramer {

    /** Returned by {@link #nextPacketLength} while more bytes are needed. */
    public static final int NEED_MORE = 0;
    /** Returned by {@link #nextPacketLength} when the stream cannot be framed. */
    public static final int FRAMING_ERROR = -1;

    private final int maxPacketSize;
    private InvalidPacketReason error;

    public SpeadFramer(int maxPacketSize) {
        if (maxPacketSize < SpeadPacket.HEADER_BYTES) {
            throw new IllegalArgumentException("maxPacketSize too small: " + maxPacketSize);
        }
        this.maxPacketSize = maxPacketSize;
    }

    public int maxPacketSize() {
        return maxPacketSize;
    }

    /**
     * The length of the packet starting at {@code offset} with {@code available} bytes readable:
     * a positive length, {@link #NEED_MORE}, or {@link #FRAMING_ERROR} (see {@link #error()}),
     * after which the stream cannot be resynchronised.
     */
    public int nextPacketLength(ByteBuffer buf, int offset, int available) {
        error = null;
        if (available < SpeadPacket.HEADER_BYTES) {
            if (available >= 1 && (buf.get(offset) & 0xFF) != SpeadPacket.MAGIC) {
                return fail(InvalidPacketReason.BAD_MAGIC);
            }
            return NEED_MORE;
        }
        if ((buf.get(offset) & 0xFF) != SpeadPacket.MAGIC) {
            return fail(InvalidPacketReason.BAD_MAGIC);
        }
        if ((buf.get(offset + 1) & 0xFF) != SpeadPacket.VERSION) {
            return fail(InvalidPacketReason.BAD_VERSION);
        }
        int idBytes = buf.get(offset + 2) & 0xFF;
        int addressBytes = buf.get(offset + 3) & 0xFF;
        if (idBytes == 0 || addressBytes == 0 || idBytes + addressBytes != 8) {
            return fail(InvalidPacketReason.BAD_WIDTHS);
        }
        int addressBits = addressBytes * 8;
        int n = ((buf.get(offset + 6) & 0xFF) << 8) | (buf.get(offset + 7) & 0xFF);
        long pointersEnd = SpeadPacket.HEADER_BYTES + (long) SpeadPacket.POINTER_BYTES * n;
        if (pointersEnd > maxPacketSize) {
            return fail(InvalidPacketReason.PACKET_TOO_LARGE);
        }
        if (pointersEnd > available) {
            return NEED_MORE;
        }
        long payloadLength = -1;
        for (int i = 0; i < n; i++) {
            long p = buf.getLong(offset + SpeadPacket.HEADER_BYTES + SpeadPacket.POINTER_BYTES * i);
            if (buf.order() != java.nio.ByteOrder.BIG_ENDIAN) {
                p = Long.reverseBytes(p);
            }
            if (ItemPointers.id(p, addressBits) == SpeadItemIds.PAYLOAD_LENGTH && p < 0) {
                payloadLength = ItemPointers.value(p, addressBits);
            }
        }
        if (payloadLength < 0) {
            return fail(InvalidPacketReason.MISSING_PAYLOAD_LENGTH);
        }
        long total = pointersEnd + payloadLength;
        if (total > maxPacketSize) {
            return fail(InvalidPacketReason.PACKET_TOO_LARGE);
        }
        return (int) total;
    }

    private int fail(InvalidPacketReason reason) {
        error = reason;
        return FRAMING_ERROR;
    }

    /** Why the last call returned {@link #FRAMING_ERROR}. */
    public InvalidPacketReason error() {
        return error;
    }
}
