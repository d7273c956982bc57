package org.rawstream.sources.spead;

import java.nio.ByteBuffer;

/**
 * Cuts a laid-out heap into packets of at most {@code maxPacketSize} bytes: every packet has
 * HEAP_CNT, HEAP_SIZE, HEAP_OFFSET and PAYLOAD_LENGTH; the heap's other item pointers go into
 * the first packets (as many as fit), the payload fills the rest. Each packet is handed over as
 * header+pointers and a payload slice (no copy of the payload), ready for a gathering write.
 */
public final class SpeadHeapPacketizer {

    /** Receives packets; both buffers are valid only during the call. */
    @FunctionalInterface
    public interface PacketSink {
        void packet(ByteBuffer headerAndPointers, ByteBuffer payload) throws java.io.IOException;
    }

    public static final int MIN_PACKET_SIZE = 64;

    private final int maxPacketSize;
    private final ByteBuffer header;

    public SpeadHeapPacketizer(int maxPacketSize) {
        if (maxPacketSize < MIN_PACKET_SIZE) {
            throw new IllegalArgumentException("packet size must be at least " + MIN_PACKET_SIZE);
        }
        this.maxPacketSize = maxPacketSize;
        this.header = ByteBuffer.allocate(maxPacketSize);
    }

    /** Sends the heap with counter {@code heapCnt}; returns the number of packets. */
    public int packetize(OutgoingHeap.Layout heap, long heapCnt, PacketSink sink) throws java.io.IOException {
        SpeadFlavour flavour = heap.flavour();
        long[] pointers = heap.pointers();
        byte[] payload = heap.payload();
        int heapSize = payload.length;
        int budget = maxPacketSize - SpeadPacket.HEADER_BYTES - 4 * SpeadPacket.POINTER_BYTES;
        int nextPointer = 0;
        int offset = 0;
        int packets = 0;
        while (offset < heapSize || nextPointer < pointers.length || packets == 0) {
            int k = Math.min(pointers.length - nextPointer, budget / SpeadPacket.POINTER_BYTES);
            int room = budget - k * SpeadPacket.POINTER_BYTES;
            int chunk = Math.min(room, heapSize - offset);
            header.clear();
            SpeadPacketWriter.writeHeader(header, flavour, 4 + k);
            SpeadPacketWriter.writePacketPointers(header, flavour, heapCnt, heapSize, offset, chunk);
            for (int i = 0; i < k; i++) {
                SpeadPacketWriter.writePointer(header, pointers[nextPointer + i]);
            }
            header.flip();
            sink.packet(header, ByteBuffer.wrap(payload, offset, chunk));
            nextPointer += k;
            offset += chunk;
            packets++;
        }
        return packets;
    }

    /** Packets a heap of this layout takes. */
    public int packetCount(OutgoingHeap.Layout heap) {
        int budget = maxPacketSize - SpeadPacket.HEADER_BYTES - 4 * SpeadPacket.POINTER_BYTES;
        int pointers = heap.pointers().length;
        int size = heap.heapSize();
        int n = 0;
        int offset = 0;
        while (offset < size || pointers > 0 || n == 0) {
            int k = Math.min(pointers, budget / SpeadPacket.POINTER_BYTES);
            offset += Math.min(budget - 8 * k, size - offset);
            pointers -= k;
            n++;
        }
        return n;
    }
}
