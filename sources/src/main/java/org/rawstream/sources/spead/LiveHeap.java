package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A heap being assembled: its payload so far (chunks allocated as bytes arrive, see
 * {@link HeapPayload}), the byte ranges received (sorted, merged), and its item pointers (each
 * once). Plain fields with explicit byte serialisation, so it can live in keyed state. Packets
 * overlapping what the heap already has are duplicates. Its memory is charged to a
 * {@link LiveHeapBudget} as it grows; {@link #charged()} is what it holds there.
 *
 * <p>Two forms. <em>Attached</em> ({@link #open}): the payload in the heap's own
 * {@link HeapPayload} (pooled chunks), the form assembly works on: a packet is copied once, into
 * its chunks. <em>Detached</em>: the bookkeeping and the heap offsets of its payload pieces only,
 * the pieces being immutable arrays stored beside it — the form of keyed state, so that a state
 * backend that serialises values (RocksDB) writes what changed, never the whole heap.
 * {@link #detachedCopy} turns an attached heap into that form at a checkpoint, {@link #attach}
 * turns a restored one back.
 */
public final class LiveHeap {

    /** What {@link #add} did with a packet. */
    public enum AddResult { ADDED, DUPLICATE, REJECTED, REFUSED }

    private long heapCnt;
    private int heapAddressBits;
    private long heapSize = -1;
    /** The payload (attached), or null (detached: the pieces are stored beside the heap). */
    private HeapPayload payload = new HeapPayload();
    /** Detached: heap offsets of the stored payload pieces, in arrival order. */
    private long[] pieces;
    private int pieceCount;
    /** Bytes charged to the budget for this heap (not state: 0 after a restore until charged). */
    private long charged;
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

    /** Fixed cost of a heap: the object and its initial bookkeeping arrays. */
    static final int BASE_BYTES = 96 + 16 + 8 * 4 + 2 * (16 + 8 * 8);

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

    /** Whether the payload is kept outside (read from keyed state, not {@link #attach}ed yet). */
    public boolean isDetached() {
        return payload == null;
    }

    /** {@link #add(SpeadPacket, long, SpeadAssemblyConfig, LiveHeapBudget)} without a memory limit. */
    public AddResult add(SpeadPacket p, long nowMillis, SpeadAssemblyConfig config) {
        return add(p, nowMillis, config, LiveHeapBudget.unlimited());
    }

    /**
     * Adds a valid packet of this heap. On {@link AddResult#REJECTED}, {@link #rejection()} says
     * why (conflicting heap size, heap too large, other flavour, too many item pointers) and the
     * heap is unchanged; on {@link AddResult#REFUSED} the budget had no room for the memory the
     * packet needs (a heap without packets yet is new: it needs room below the admission share).
     * Nothing is allocated before every limit has been checked.
     */
    public AddResult add(SpeadPacket p, long nowMillis, SpeadAssemblyConfig config, LiveHeapBudget budget) {
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
        long need = payload.bytesToAdd(offset, (int) length, newSize) + (packets == 0 ? BASE_BYTES : 0);
        if (!budget.admits(need, packets == 0)) {
            return AddResult.REFUSED;
        }
        heapSize = newSize;
        if (length > 0) {
            payload.write(p.buffer(), p.payloadStart(), offset, (int) length, heapSize);
            insertRange(offset, end);
            received += length;
        }
        addPointers(p);
        packets++;
        // Receive times of one heap may interleave slightly (several receiving subtasks): keep the latest.
        lastPacketMillis = Math.max(lastPacketMillis, nowMillis);
        chargeTo(budget);
        return AddResult.ADDED;
    }

    /** Memory of one stored payload piece beyond its bytes (array header and map entry). */
    static final int PIECE_OVERHEAD = 48;
    /**
     * Largest payload piece {@link #detachedCopy} writes: pieces are cut at multiples of it, so a
     * checkpoint rewrites only the pieces that grew since the previous one, and none is a
     * "humongous" object for G1.
     */
    public static final int PIECE_SPAN = 64 * 1024;

    /** Charges what the heap holds beyond what was charged already. */
    void chargeTo(LiveHeapBudget budget) {
        long r = retainedBytes();
        budget.charge(r - charged);
        charged = r;
    }

    /** Gives the heap's charge back (it left the live set). */
    void creditTo(LiveHeapBudget budget) {
        if (payload != null && payload.isShared()) {
            budget.pin(charged); // a snapshot may still be writing these chunks (a legacy table's copy)
        } else {
            budget.credit(charged);
        }
        charged = 0;
    }

    /** Charges a heap read back from a snapshot with all it holds (its charge was not state). */
    void chargeRestored(LiveHeapBudget budget) {
        charged = retainedBytes();
        budget.charge(charged);
    }

    /** Bytes charged to the budget for this heap. */
    long charged() {
        return charged;
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

    /** Bytes of memory the heap holds (payload chunks and bookkeeping). */
    public long retainedBytes() {
        long data = payload != null ? payload.retainedBytes() : received + (long) PIECE_OVERHEAD * pieceCount + 8L * pieces.length;
        return data + 8L * (ranges.length + pointers.length + sortedPointers.length) + 96;
    }

    /** Where {@link #detachedCopy} puts a heap's payload pieces (the heap's pieces in keyed state). */
    public interface PieceWriter {
        /** Whether a piece of exactly {@code [offset, offset + length)} is stored already (then it is kept as it is). */
        boolean has(long offset, int length) throws Exception;

        /** Stores a new piece; the array is never written again. */
        void put(long offset, byte[] piece) throws Exception;
    }

    /** Where {@link #attach} reads a restored heap's payload pieces from. */
    public interface PieceReader {
        /** The piece stored at {@code offset}, or null. */
        byte[] get(long offset) throws Exception;
    }

    /**
     * The detached form of this attached heap for keyed state: a copy of its bookkeeping, its
     * received bytes as pieces cut at multiples of {@link #PIECE_SPAN}. A piece that {@code out}
     * has already (same offset and length: received bytes never change) is not written again.
     */
    public LiveHeap detachedCopy(PieceWriter out) throws Exception {
        LiveHeap d = copyBookkeeping();
        d.payload = null;
        d.pieces = new long[Math.max(8, rangeCount)];
        for (int i = 0; i < rangeCount; i++) {
            long end = ranges[2 * i + 1];
            for (long at = ranges[2 * i]; at < end; ) {
                int n = (int) (Math.min(end, (at / PIECE_SPAN + 1) * PIECE_SPAN) - at);
                if (!out.has(at, n)) {
                    byte[] piece = new byte[n];
                    payload.read(at, piece, 0, n);
                    out.put(at, piece);
                }
                if (d.pieceCount == d.pieces.length) {
                    d.pieces = Arrays.copyOf(d.pieces, 2 * d.pieceCount);
                }
                d.pieces[d.pieceCount++] = at;
                at += n;
            }
        }
        return d;
    }

    /**
     * Turns a detached heap (read from keyed state, of this or an earlier version) attached: its
     * pieces read from {@code in} into a payload of its own. Pieces missing are left out.
     */
    public void attach(PieceReader in) throws Exception {
        HeapPayload assembled = new HeapPayload();
        for (int i = 0; i < pieceCount; i++) {
            byte[] piece = in.get(pieces[i]);
            if (piece != null) {
                assembled.write(java.nio.ByteBuffer.wrap(piece), 0, pieces[i], piece.length, heapSize);
            }
        }
        payload = assembled;
        pieces = null;
        pieceCount = 0;
    }

    /** The heap offsets of a detached heap's pieces. */
    public long[] pieceOffsets() {
        return pieces == null ? new long[0] : Arrays.copyOf(pieces, pieceCount);
    }

    /** The heap as finished; takes this heap's payload (the live heap must not be used after). */
    public ReceivedHeap freeze() {
        long heapLength = heapSize >= 0 ? heapSize : (rangeCount == 0 ? 0 : ranges[2 * rangeCount - 1]);
        return new ReceivedHeap(heapCnt, heapAddressBits, heapSize, heapLength, isComplete(), payload,
                Arrays.copyOf(ranges, 2 * rangeCount), Arrays.copyOf(pointers, pointerCount), packets);
    }

    /**
     * A copy for a state snapshot: own bookkeeping, the payload's chunks shared (see
     * {@link HeapPayload#shareCopy()}), the same budget charge (the original is only serialised
     * afterwards, never assembled or credited).
     */
    LiveHeap shareCopy() {
        LiveHeap h = copyBookkeeping();
        h.payload = payload == null ? null : payload.shareCopy();
        h.pieces = pieces == null ? null : pieces.clone();
        h.pieceCount = pieceCount;
        return h;
    }

    /**
     * A copy of an attached heap with a payload of its own (the received ranges copied): for a
     * heap read from a value that a snapshot may still be writing.
     */
    LiveHeap attachedCopy() {
        LiveHeap h = copyBookkeeping();
        HeapPayload own = new HeapPayload();
        byte[] buf = new byte[HeapPayload.CHUNK_BYTES];
        for (int i = 0; i < rangeCount; i++) {
            long end = ranges[2 * i + 1];
            for (long at = ranges[2 * i]; at < end; ) {
                int n = (int) Math.min(buf.length, end - at);
                payload.read(at, buf, 0, n);
                own.write(java.nio.ByteBuffer.wrap(buf), 0, at, n, heapSize);
                at += n;
            }
        }
        h.payload = own;
        return h;
    }

    /** Everything but the payload (and a detached heap's piece offsets). */
    private LiveHeap copyBookkeeping() {
        LiveHeap h = new LiveHeap();
        h.heapCnt = heapCnt;
        h.heapAddressBits = heapAddressBits;
        h.heapSize = heapSize;
        h.charged = charged;
        h.ranges = ranges.clone();
        h.rangeCount = rangeCount;
        h.received = received;
        h.pointers = pointers.clone();
        h.pointerCount = pointerCount;
        h.sortedPointers = sortedPointers.clone();
        h.maxAddressedOffset = maxAddressedOffset;
        h.packets = packets;
        h.firstPacketMillis = firstPacketMillis;
        h.lastPacketMillis = lastPacketMillis;
        return h;
    }

    /** An independent copy of a detached heap (its pieces are stored beside it, not copied). */
    public LiveHeap copy() {
        return shareCopy();
    }

    /** Writes a detached heap's bookkeeping, format 0 (see {@link #readDetached}). */
    public void writeDetached(DataOutput out) throws IOException {
        writeBookkeeping(out);
        out.writeInt(pieceCount);
        for (int i = 0; i < pieceCount; i++) {
            out.writeLong(pieces[i]);
        }
    }

    /** Reads what {@link #writeDetached} wrote. */
    public static LiveHeap readDetached(DataInput in) throws IOException {
        LiveHeap h = readBookkeeping(in);
        h.pieceCount = in.readInt();
        h.pieces = new long[Math.max(8, h.pieceCount)];
        for (int i = 0; i < h.pieceCount; i++) {
            h.pieces[i] = in.readLong();
        }
        h.payload = null;
        return h;
    }

    /** Writes the heap's state (see {@link #readFrom}). */
    public void writeTo(DataOutput out) throws IOException {
        writeBookkeeping(out);
        // Only the received bytes matter; write the ranges' contents.
        out.writeInt(0); // was the payload buffer's length; the chunks follow the ranges now
        writeRanges(payload, ranges, rangeCount, out);
    }

    /** The bytes of the received ranges, back to back. */
    static void writeRanges(HeapPayload payload, long[] ranges, int rangeCount, DataOutput out) throws IOException {
        byte[] buf = new byte[HeapPayload.CHUNK_BYTES];
        for (int i = 0; i < rangeCount; i++) {
            long at = ranges[2 * i];
            long end = ranges[2 * i + 1];
            while (at < end) {
                int n = (int) Math.min(buf.length, end - at);
                payload.read(at, buf, 0, n);
                out.write(buf, 0, n);
                at += n;
            }
        }
    }

    /** Reads what {@link #writeRanges} wrote into a new payload. */
    static HeapPayload readRanges(long[] ranges, int rangeCount, long heapSize, DataInput in) throws IOException {
        HeapPayload payload = new HeapPayload();
        byte[] buf = new byte[HeapPayload.CHUNK_BYTES];
        for (int i = 0; i < rangeCount; i++) {
            long at = ranges[2 * i];
            long end = ranges[2 * i + 1];
            while (at < end) {
                int n = (int) Math.min(buf.length, end - at);
                in.readFully(buf, 0, n);
                payload.write(java.nio.ByteBuffer.wrap(buf), 0, at, n, heapSize);
                at += n;
            }
        }
        return payload;
    }

    /** The fields both layouts share (read by {@link #readBookkeeping}). */
    private void writeBookkeeping(DataOutput out) throws IOException {
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
    }

    public static LiveHeap readFrom(DataInput in) throws IOException {
        LiveHeap h = readBookkeeping(in);
        in.readInt(); // the former payload buffer length
        h.payload = readRanges(h.ranges, h.rangeCount, h.heapSize, in);
        return h;
    }

    private static LiveHeap readBookkeeping(DataInput in) throws IOException {
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
        return h;
    }
}
