package org.rawstream.sources.spead;

import java.nio.ByteBuffer;

/** Writes SPEAD packet headers and item pointers (big-endian, whatever the buffer's order). */
public final class SpeadPacketWriter {

    private SpeadPacketWriter() {
    }

    /** Bytes of a packet with {@code pointers} item pointers and {@code payload} payload bytes. */
    public static long packetLength(int pointers, long payload) {
        return SpeadPacket.HEADER_BYTES + (long) SpeadPacket.POINTER_BYTES * pointers + payload;
    }

    /** Writes the 8-byte header at the buffer's position. */
    public static void writeHeader(ByteBuffer dst, SpeadFlavour flavour, int pointerCount) {
        if (pointerCount < 0 || pointerCount > 0xFFFF) {
            throw new IllegalArgumentException("a packet holds at most 65535 item pointers, not " + pointerCount);
        }
        dst.put((byte) SpeadPacket.MAGIC);
        dst.put((byte) SpeadPacket.VERSION);
        dst.put((byte) flavour.itemIdBytes());
        dst.put((byte) flavour.heapAddressBytes());
        dst.put((byte) 0);
        dst.put((byte) 0);
        dst.put((byte) (pointerCount >>> 8));
        dst.put((byte) pointerCount);
    }

    public static void writePointer(ByteBuffer dst, long pointer) {
        dst.putLong(dst.order() == java.nio.ByteOrder.BIG_ENDIAN ? pointer : Long.reverseBytes(pointer));
    }

    /** Writes the four packet-level pointers (HEAP_SIZE omitted when {@code heapSize} < 0). */
    public static int writePacketPointers(ByteBuffer dst, SpeadFlavour flavour, long heapCnt, long heapSize,
            long heapOffset, long payloadLength) {
        writePointer(dst, ItemPointers.immediate(SpeadItemIds.HEAP_CNT, heapCnt, flavour));
        int n = 1;
        if (heapSize >= 0) {
            writePointer(dst, ItemPointers.immediate(SpeadItemIds.HEAP_SIZE, heapSize, flavour));
            n++;
        }
        writePointer(dst, ItemPointers.immediate(SpeadItemIds.HEAP_OFFSET, heapOffset, flavour));
        writePointer(dst, ItemPointers.immediate(SpeadItemIds.PAYLOAD_LENGTH, payloadLength, flavour));
        return n + 2;
    }
}
