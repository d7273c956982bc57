package org.rawstream.sources.spead;

import java.nio.ByteBuffer;
import java.util.function.IntFunction;

/**
 * The bytes RawStream stores for one heap (io_version "4.0"): SPEAD packets back to back in the
 * heap's flavour. A complete heap is one packet (HEAP_CNT, HEAP_SIZE, HEAP_OFFSET 0,
 * PAYLOAD_LENGTH = heap size, the heap's other item pointers once, the whole payload); an
 * incomplete one is one packet per contiguous received range, the item pointers in the first.
 */
public final class StoredHeapCodec {

    /** Protocol and io_version written to the raw-HDF5 file's /meta. */
    public static final String PROTOCOL = "spead";
    public static final String IO_VERSION = "4.0";

    private StoredHeapCodec() {
    }

    /** Size of the stored message of {@code heap}. */
    public static long encodedLength(ReceivedHeap heap) {
        int packetLevel = heap.heapSize() >= 0 ? 4 : 3;
        int rangePackets = Math.max(1, heap.rangeCount());
        if (heap.isComplete()) {
            rangePackets = 1;
        }
        long payload = heap.isComplete() ? heap.heapSize() : heap.receivedBytes();
        return (long) rangePackets * (SpeadPacket.HEADER_BYTES + SpeadPacket.POINTER_BYTES * packetLevel)
                + (long) SpeadPacket.POINTER_BYTES * heap.pointerCount() + payload;
    }

    public static byte[] encode(ReceivedHeap heap) {
        return encode(heap, byte[]::new);
    }

    /**
     * The stored message of {@code heap} in an array from {@code allocate}, which must return an
     * array of exactly the length asked (for example {@link HeapPayloadPool#take}).
     */
    public static byte[] encode(ReceivedHeap heap, IntFunction<byte[]> allocate) {
        long length = encodedLength(heap);
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("heap too large to store: " + length);
        }
        byte[] stored = allocate.apply((int) length);
        encode(heap, ByteBuffer.wrap(stored));
        return stored;
    }

    /** Writes the stored message of {@code heap} at the buffer's position. */
    public static void encode(ReceivedHeap heap, ByteBuffer out) {
        SpeadFlavour flavour = heap.flavour();
        int packetLevel = heap.heapSize() >= 0 ? 4 : 3;
        if (heap.pointerCount() + packetLevel > 0xFFFF) {
            throw new IllegalArgumentException("heap has too many item pointers for one packet: " + heap.pointerCount());
        }
        HeapPayload payload = heap.chunks();
        if (heap.isComplete()) {
            writePacket(out, heap, flavour, 0, heap.heapSize(), true, payload);
            return;
        }
        long[] ranges = heap.receivedRanges();
        if (ranges.length == 0) {
            writePacket(out, heap, flavour, 0, 0, true, payload);
            return;
        }
        for (int i = 0; i < ranges.length; i += 2) {
            writePacket(out, heap, flavour, ranges[i], ranges[i + 1] - ranges[i], i == 0, payload);
        }
    }

    private static void writePacket(ByteBuffer out, ReceivedHeap heap, SpeadFlavour flavour, long offset, long length,
            boolean withItems, HeapPayload payload) {
        int packetLevel = heap.heapSize() >= 0 ? 4 : 3;
        int n = packetLevel + (withItems ? heap.pointerCount() : 0);
        SpeadPacketWriter.writeHeader(out, flavour, n);
        SpeadPacketWriter.writePacketPointers(out, flavour, heap.heapCnt(), heap.heapSize(), offset, length);
        if (withItems) {
            for (int i = 0; i < heap.pointerCount(); i++) {
                SpeadPacketWriter.writePointer(out, heap.pointer(i));
            }
        }
        payload.read(offset, out, (int) length);
    }

    /**
     * Reads a stored message back into the heap it holds. Throws IllegalArgumentException when
     * the bytes are not a stored heap (invalid packet, several heap counters, trailing bytes).
     */
    public static ReceivedHeap decode(ByteBuffer message, SpeadAssemblyConfig limits) {
        SpeadPacket packet = new SpeadPacket();
        LiveHeap heap = null;
        int pos = message.position();
        int end = message.limit();
        long now = 0;
        while (pos < end) {
            if (!packet.decodeFramed(message, pos, end - pos)) {
                throw new IllegalArgumentException("stored heap: invalid packet at " + pos + ": " + packet.invalidReason());
            }
            if (heap == null) {
                heap = LiveHeap.open(packet, now);
            } else if (packet.heapCnt() != heap.heapCnt()) {
                throw new IllegalArgumentException("stored heap: packets of two heaps");
            }
            LiveHeap.AddResult r = heap.add(packet, now, limits);
            if (r != LiveHeap.AddResult.ADDED) {
                throw new IllegalArgumentException("stored heap: packet at " + pos + " " + r
                        + (heap.rejection() == null ? "" : ": " + heap.rejection()));
            }
            pos += packet.packetLength();
        }
        if (heap == null) {
            throw new IllegalArgumentException("stored heap: empty message");
        }
        return heap.freeze();
    }

    public static ReceivedHeap decode(byte[] message) {
        return decode(ByteBuffer.wrap(message), SpeadAssemblyConfig.builder().maxHeapSize(1L << 30)
                .maxItemPointersPerHeap(0xFFFF - 4).build());
    }
}
