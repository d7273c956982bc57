package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A heap being assembled: its payload so far, the byte ranges received (sorted, merged), and its
 * item pointers (each once). Plain fields with explicit byte serialisation, so it can live in
 * keyed state. Packets overlapping what the heap already has are duplicates.
 */
public final class LiveHeap {

    /** What {@link #add} did with a packet. */
    public enum AddResult { ADDED, DUPLICATE, REJECTED }

    private long heapCnt;
    private int heapAddressBits;
    private long heapSize = -1;
    private byte[] payload = EMPTY;
    /** The payload came from {@link HeapPayloadPool}: bytes outside the received ranges are undefined. */
    private boolean pooledPayload;
    /** Received ranges as [start, end) pairs, sorted and merged. */
    private long[] ranges = new long[4];
    private int rangeCount;
    private long received;
    /** Item pointers in arrival order, each once (packet-level ids excluded). */
    private long[] pointers = new long[8];
    private int pointerCount;
    /** The same pointers sorted, to test membership. */
    private long[] sortedPointers = new long[8];
    private long maxAddressedOffset = -1;
    private int packets;
    private long firstPacketMillis;
    private long lastPacketMillis;
    private InvalidPacketReason rejection;

    private static final byte[] EMPTY = new byte[0];
    /** Heaps up to this size get their whole payload buffer with their first packet. */
    static final long EAGER_ALLOCATION_LIMIT = 16L << 20;

    private LiveHeap() {
    }

    /** A new heap for the packet's heap counter and flavour; the packet is not added yet. */
    public static LiveHeap open(SpeadPacket packet, long nowMillis) {
        LiveHeap h = new LiveHeap();
        h.heapCnt = packet.heapCnt();
        h.heapAddressBits = packet.heapAddressBits();
        h.firstPacketMillis = nowMillis;
        h.lastPacketMillis = nowMillis;
        return h;
    }

    /**
     * Adds a valid packet of this heap. On {@link AddResult#REJECTED}, {@link #rejection()} says
     * why (conflicting heap size, heap too large, other flavour, too many item pointers) and the
     * heap is unchanged. Nothing is allocated before every limit has been checked.
     */
    public AddResult add(SpeadPacket p, long nowMillis, SpeadAssemblyConfig config) {
        rejection = null;
        if (p.heapAddressBits() != heapAddressBits) {
            return reject(InvalidPacketReason.FLAVOUR_MISMATCH);
        }
        long offset = p.heapOffset();
        long length = p.payloadLength();
        long end = offset + length;
        long newSize = heapSize;
        if (p.heapSize() >= 0) {
            if (heapSize >= 0 && p.heapSize() != heapSize) {
                return reject(InvalidPacketReason.HEAP_SIZE_CONFLICT);
            }
            if (p.heapSize() > config.maxHeapSize()) {
                return reject(InvalidPacketReason.HEAP_TOO_LARGE);
            }
            if (heapSize < 0 && rangeCount > 0 && ranges[2 * rangeCount - 1] > p.heapSize()) {
                return reject(InvalidPacketReason.HEAP_SIZE_CONFLICT);
            }
            newSize = p.heapSize();
        } else if (heapSize >= 0 && end > heapSize) {
            return reject(InvalidPacketReason.PAYLOAD_PAST_HEAP_SIZE);
        } else if (end > config.maxHeapSize()) {
            return reject(InvalidPacketReason.HEAP_TOO_LARGE);
        }
        if (length > 0 && overlaps(offset, end)) {
            return AddResult.DUPLICATE;
        }
        int fresh = countNewPointers(p);
        if (pointerCount + fresh > config.maxItemPointersPerHeap()) {
            return reject(InvalidPacketReason.TOO_MANY_ITEM_POINTERS);
        }
        heapSize = newSize;
        if (length > 0) {
            ensureCapacity(end, config.maxHeapSize());
            p.buffer().get(p.payloadStart(), payload, (int) offset, (int) length);
            insertRange(offset, end);
            received += length;
        }
        addPointers(p);
        packets++;
        lastPacketMillis = nowMillis;
        return AddResult.ADDED;
    }

    private AddResult reject(InvalidPacketReason reason) {
        rejection = reason;
        return AddResult.REJECTED;
    }

    public InvalidPacketReason rejection() {
        return rejection;
    }

    /** Complete: HEAP_SIZE known, all of it received, no addressed item pointing past it. */
    public boolean isComplete() {
        return heapSize >= 0 && received == heapSize && maxAddressedOffset <= heapSize;
    }

    private boolean overlaps(long start, long end) {
        // First range whose end is after start.
        int lo = 0;
        int hi = rangeCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ranges[2 * mid + 1] <= start) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < rangeCount && ranges[2 * lo] < end;
    }

    private void insertRange(long start, long end) {
        int i = 0;
        while (i < rangeCount && ranges[2 * i + 1] < start) {
            i++;
        }
        // Ranges do not overlap [start, end), so at most the neighbours touch it.
        boolean joinLeft = i < rangeCount && ranges[2 * i + 1] == start;
        int right = joinLeft ? i + 1 : i;
        boolean joinRight = right < rangeCount && ranges[2 * right] == end;
        if (joinLeft && joinRight) {
            ranges[2 * i + 1] = ranges[2 * right + 1];
            System.arraycopy(ranges, 2 * (right + 1), ranges, 2 * right, 2 * (rangeCount - right - 1));
            rangeCount--;
        } else if (joinLeft) {
            ranges[2 * i + 1] = end;
        } else if (joinRight) {
            ranges[2 * right] = start;
        } else {
            if (2 * rangeCount + 2 > ranges.length) {
                ranges = Arrays.copyOf(ranges, ranges.length * 2);
            }
            System.arraycopy(ranges, 2 * i, ranges, 2 * i + 2, 2 * (rangeCount - i));
            ranges[2 * i] = start;
            ranges[2 * i + 1] = end;
            rangeCount++;
        }
    }

    private void ensureCapacity(long end, long max) {
        if (payload.length >= end) {
            return;
        }
        if (heapSize >= 0 && heapSize <= EAGER_ALLOCATION_LIMIT) {
            // The usual case: one recycled buffer for the whole heap. Its old contents are
            // overwritten by what arrives; what does not arrive is zeroed in freeze().
            byte[] whole = HeapPayloadPool.shared().take((int) heapSize);
            System.arraycopy(payload, 0, whole, 0, payload.length);
            payload = whole;
            pooledPayload = true;
            return;
        }
        // Unknown or very large heap size: grow with what arrives, so that a packet claiming a
        // huge heap costs only what it carries.
        long cap = heapSize >= 0 ? heapSize : max;
        long target = Math.min(cap, Math.max(end, Math.max(2L * payload.length, 65536)));
        byte[] grown = Arrays.copyOf(payload, (int) target);
        if (pooledPayload) {
            // Bytes past the old buffer are zero already; zero what the old one held unreceived.
            zeroGaps(grown, payload.length);
            pooledPayload = false;
        }
        payload = grown;
    }

    /** Zeroes the bytes of {@code buffer} below {@code limit} that no received range covers. */
    private void zeroGaps(byte[] buffer, long limit) {
        long at = 0;
        for (int i = 0; i < rangeCount && at < limit; i++) {
            Arrays.fill(buffer, (int) at, (int) Math.min(ranges[2 * i], limit), (byte) 0);
            at = ranges[2 * i + 1];
        }
        if (at < limit) {
            Arrays.fill(buffer, (int) at, (int) limit, (byte) 0);
        }
    }

    private int countNewPointers(SpeadPacket p) {
        int fresh = 0;
        for (int i = 0; i < p.pointerCount(); i++) {
            long ptr = p.pointer(i);
            if (!SpeadItemIds.isPacketLevel(ItemPointers.id(ptr, heapAddressBits))
                    && Arrays.binarySearch(sortedPointers, 0, pointerCount, ptr) < 0) {
                fresh++;
            }
        }
        return fresh;
    }

    private void addPointers(SpeadPacket p) {
        for (int i = 0; i < p.pointerCount(); i++) {
            long ptr = p.pointer(i);
            if (SpeadItemIds.isPacketLevel(ItemPointers.id(ptr, heapAddressBits))) {
                continue;
            }
            int at = Arrays.binarySearch(sortedPointers, 0, pointerCount, ptr);
            if (at >= 0) {
                continue;
            }
            if (pointerCount == pointers.length) {
                pointers = Arrays.copyOf(pointers, pointerCount * 2);
                sortedPointers = Arrays.copyOf(sortedPointers, pointerCount * 2);
            }
            int ins = -at - 1;
            System.arraycopy(sortedPointers, ins, sortedPointers, ins + 1, pointerCount - ins);
            sortedPointers[ins] = ptr;
            pointers[pointerCount++] = ptr;
            if (!ItemPointers.isImmediate(ptr)) {
                maxAddressedOffset = Math.max(maxAddressedOffset, ItemPointers.value(ptr, heapAddressBits));
            }
        }
    }

    public long heapCnt() {
        return heapCnt;
    }

    public int heapAddressBits() {
        return heapAddressBits;
    }

    public long heapSize() {
        return heapSize;
    }

    public long receivedBytes() {
        return received;
    }

    public int packets() {
        return packets;
    }

    public long firstPacketMillis() {
        return firstPacketMillis;
    }

    public long lastPacketMillis() {
        return lastPacketMillis;
    }

    /** Bytes of memory the heap holds (payload buffer and bookkeeping). */
    public long retainedBytes() {
        return payload.length + 8L * (ranges.length + pointers.length + sortedPointers.length) + 96;
    }

    /** The heap as finished; shares this heap's arrays (the live heap must not be used after). */
    public ReceivedHeap freeze() {
        long heapLength = heapSize >= 0 ? heapSize : (rangeCount == 0 ? 0 : ranges[2 * rangeCount - 1]);
        // Never more than arrived or was allocated: a huge incomplete heap is not materialised.
        int keep = (int) Math.min(heapLength, payload.length);
        if (pooledPayload && !isComplete()) {
            zeroGaps(payload, keep); // ReceivedHeap promises zeros where nothing arrived
        }
        byte[] data = payload.length == keep ? payload : Arrays.copyOf(payload, keep);
        return new ReceivedHeap(heapCnt, heapAddressBits, heapSize, heapLength, isComplete(), data,
                Arrays.copyOf(ranges, 2 * rangeCount), Arrays.copyOf(pointers, pointerCount), packets);
    }

    /** Writes the heap's state (see {@link #readFrom}). */
    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(heapCnt);
        out.writeByte(heapAddressBits);
        out.writeLong(heapSize);
        out.writeLong(received);
        out.writeInt(packets);
        out.writeLong(firstPacketMillis);
        out.writeLong(lastPacketMillis);
        out.writeInt(rangeCount);
        for (int i = 0; i < 2 * rangeCount; i++) {
            out.writeLong(ranges[i]);
        }
        out.writeInt(pointerCount);
        for (int i = 0; i < pointerCount; i++) {
            out.writeLong(pointers[i]);
        }
        // Only the received bytes matter; write the ranges' contents.
        out.writeInt(payload.length);
        for (int i = 0; i < rangeCount; i++) {
            out.write(payload, (int) ranges[2 * i], (int) (ranges[2 * i + 1] - ranges[2 * i]));
        }
    }

    public static LiveHeap readFrom(DataInput in) throws IOException {
        LiveHeap h = new LiveHeap();
        h.heapCnt = in.readLong();
        h.heapAddressBits = in.readUnsignedByte();
        h.heapSize = in.readLong();
        h.received = in.readLong();
        h.packets = in.readInt();
        h.firstPacketMillis = in.readLong();
        h.lastPacketMillis = in.readLong();
        h.rangeCount = in.readInt();
        h.ranges = new long[Math.max(4, 2 * h.rangeCount)];
        for (int i = 0; i < 2 * h.rangeCount; i++) {
            h.ranges[i] = in.readLong();
        }
        h.pointerCount = in.readInt();
        h.pointers = new long[Math.max(8, h.pointerCount)];
        for (int i = 0; i < h.pointerCount; i++) {
            h.pointers[i] = in.readLong();
            if (!ItemPointers.isImmediate(h.pointers[i])) {
                h.maxAddressedOffset = Math.max(h.maxAddressedOffset, ItemPointers.value(h.pointers[i], h.heapAddressBits));
            }
        }
        h.sortedPointers = Arrays.copyOf(h.pointers, h.pointers.length);
        Arrays.sort(h.sortedPointers, 0, h.pointerCount);
        h.payload = new byte[in.readInt()];
        for (int i = 0; i < h.rangeCount; i++) {
            in.readFully(h.payload, (int) h.ranges[2 * i], (int) (h.ranges[2 * i + 1] - h.ranges[2 * i]));
        }
        return h;
    }
}
