package org.rawstream.sources.spead;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One decoded SPEAD packet: a reusable view over the caller's buffer (nothing is copied). Call
 * {@link #decodeDatagram} (the packet must fill the given length exactly, as in UDP) or
 * {@link #decodeFramed} (the length follows from the header, as in TCP); when either returns
 * false, {@link #invalidReason()} says why. The view is valid until the buffer is reused.
 */
public final class SpeadPacket {

    public static final int MAGIC = 0x53;
    public static final int VERSION = 4;
    public static final int HEADER_BYTES = 8;
    public static final int POINTER_BYTES = 8;

    private ByteBuffer buffer;
    private int start;
    private int heapAddressBits;
    private int pointerCount;
    private long heapCnt;
    private long heapSize;
    private long heapOffset;
    private long payloadLength;
    private long streamControl;
    private int packetLength;
    private InvalidPacketReason invalidReason;

    /** Decodes a packet that must occupy exactly {@code length} bytes at {@code offset}. */
    public boolean decodeDatagram(ByteBuffer buf, int offset, int length) {
        return decode(buf, offset, length, true);
    }

    /**
     * Decodes a packet that starts at {@code offset} and whose length follows from its header;
     * {@code available} bytes are readable. The packet's own length is {@link #packetLength()}.
     */
    public boolean decodeFramed(ByteBuffer buf, int offset, int available) {
        return decode(buf, offset, available, false);
    }

    private boolean decode(ByteBuffer buf, int offset, int length, boolean exact) {
        buffer = buf;
        start = offset;
        invalidReason = null;
        heapCnt = -1;
        heapSize = -1;
        heapOffset = -1;
        payloadLength = -1;
        streamControl = -1;
        pointerCount = 0;
        packetLength = 0;
        if (length < HEADER_BYTES) {
            return fail(InvalidPacketReason.TRUNCATED_HEADER);
        }
        if ((buf.get(offset) & 0xFF) != MAGIC) {
            return fail(InvalidPacketReason.BAD_MAGIC);
        }
        if ((buf.get(offset + 1) & 0xFF) != VERSION) {
            return fail(InvalidPacketReason.BAD_VERSION);
        }
        int idBytes = buf.get(offset + 2) & 0xFF;
        int addressBytes = buf.get(offset + 3) & 0xFF;
        if (idBytes == 0 || addressBytes == 0 || idBytes + addressBytes != 8) {
            return fail(InvalidPacketReason.BAD_WIDTHS);
        }
        heapAddressBits = addressBytes * 8;
        int n = ((buf.get(offset + 6) & 0xFF) << 8) | (buf.get(offset + 7) & 0xFF);
        long pointersEnd = HEADER_BYTES + (long) POINTER_BYTES * n;
        if (pointersEnd > length) {
            return fail(InvalidPacketReason.TRUNCATED_POINTERS);
        }
        pointerCount = n;
        boolean bigEndian = buf.order() == ByteOrder.BIG_ENDIAN;
        long mask = (1L << heapAddressBits) - 1;
        for (int i = 0; i < n; i++) {
            long p = buf.getLong(offset + HEADER_BYTES + POINTER_BYTES * i);
            if (!bigEndian) {
                p = Long.reverseBytes(p);
            }
            long id = (p & Long.MAX_VALUE) >>> heapAddressBits;
            if (id > SpeadItemIds.STREAM_CTRL || id == SpeadItemIds.NULL || id == SpeadItemIds.DESCRIPTOR) {
                continue;
            }
            boolean immediate = p < 0;
            long value = p & mask;
            if (id == SpeadItemIds.STREAM_CTRL) {
                if (immediate) {
                    streamControl = value;
                }
                continue;
            }
            if (!immediate) {
                return fail(InvalidPacketReason.SPECIAL_ITEM_NOT_IMMEDIATE);
            }
            // Last one wins, as in spead2.
            if (id == SpeadItemIds.HEAP_CNT) {
                heapCnt = value;
            } else if (id == SpeadItemIds.HEAP_SIZE) {
                heapSize = value;
            } else if (id == SpeadItemIds.HEAP_OFFSET) {
                heapOffset = value;
            } else {
                payloadLength = value;
            }
        }
        if (heapCnt < 0) {
            return fail(InvalidPacketReason.MISSING_HEAP_CNT);
        }
        if (heapOffset < 0) {
            return fail(InvalidPacketReason.MISSING_HEAP_OFFSET);
        }
        if (payloadLength < 0) {
            return fail(InvalidPacketReason.MISSING_PAYLOAD_LENGTH);
        }
        long total = pointersEnd + payloadLength;
        if (exact && total != length) {
            return fail(InvalidPacketReason.PAYLOAD_LENGTH_MISMATCH);
        }
        if (total > length) {
            return fail(InvalidPacketReason.TRUNCATED_PAYLOAD);
        }
        if (heapSize >= 0 && heapOffset + payloadLength > heapSize) {
            return fail(InvalidPacketReason.PAYLOAD_PAST_HEAP_SIZE);
        }
        packetLength = (int) total;
        return true;
    }

    private boolean fail(InvalidPacketReason reason) {
        invalidReason = reason;
        return false;
    }

    /** Why the last decode failed; null after a successful decode. */
    public InvalidPacketReason invalidReason() {
        return invalidReason;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    /** Position of the packet's first byte in {@link #buffer()}. */
    public int start() {
        return start;
    }

    public int heapAddressBits() {
        return heapAddressBits;
    }

    public SpeadFlavour flavour() {
        return SpeadFlavour.ofAddressBytes(heapAddressBits / 8);
    }

    public long heapCnt() {
        return heapCnt;
    }

    /** HEAP_SIZE, or -1 when the packet does not carry it. */
    public long heapSize() {
        return heapSize;
    }

    public long heapOffset() {
        return heapOffset;
    }

    public int payloadLength() {
        return (int) payloadLength;
    }

    /** STREAM_CTRL value, or -1 when absent. */
    public long streamControl() {
        return streamControl;
    }

    public int pointerCount() {
        return pointerCount;
    }

    /** The i-th item pointer as a big-endian 64-bit value. */
    public long pointer(int i) {
        long p = buffer.getLong(start + HEADER_BYTES + POINTER_BYTES * i);
        return buffer.order() == ByteOrder.BIG_ENDIAN ? p : Long.reverseBytes(p);
    }

    /** Position of the payload's first byte in {@link #buffer()}. */
    public int payloadStart() {
        return start + HEADER_BYTES + POINTER_BYTES * pointerCount;
    }

    /** The packet's total length in bytes: 8 + 8N + PAYLOAD_LENGTH. */
    public int packetLength() {
        return packetLength;
    }
}
