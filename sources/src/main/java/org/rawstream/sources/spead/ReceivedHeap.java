package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A heap that left the live set: complete, or incomplete with the ranges that arrived. Holds
 * the payload, the item pointers (each once, packet-level ones excluded) and the received
 * ranges; gives the items and descriptors and has an explicit byte serialisation.
 */
public final class ReceivedHeap {

    private final long heapCnt;
    private final int heapAddressBits;
    private final long heapSize;
    private final long heapLength;
    private final boolean complete;
    private HeapPayload payload;
    private final long[] ranges;
    private final long[] pointers;
    private final int packets;

    ReceivedHeap(long heapCnt, int heapAddressBits, long heapSize, long heapLength, boolean complete, HeapPayload payload,
            long[] ranges, long[] pointers, int packets) {
        this.heapCnt = heapCnt;
        this.heapAddressBits = heapAddressBits;
        this.heapSize = heapSize;
        this.heapLength = heapLength;
        this.complete = complete;
        this.payload = payload;
        this.ranges = ranges;
        this.pointers = pointers;
        this.packets = packets;
    }

    public long heapCnt() {
        return heapCnt;
    }

    /**
     * The heap has been stored (or dropped) and nobody holds it any more: its payload chunks go
     * back to the {@link HeapPayloadPool}. The heap must not be used afterwards (its payload
     * reads as released).
     */
    public void release() {
        HeapPayload p = payload;
        if (p != null) {
            payload = null;
            p.release();
        }
    }

    /**
     * A copy for a state snapshot sharing this heap's chunks (neither returns them to the pool
     * afterwards): a finished heap's bytes never change, so no payload is copied.
     */
    ReceivedHeap shareCopy() {
        return new ReceivedHeap(heapCnt, heapAddressBits, heapSize, heapLength, complete, payload.shareCopy(), ranges,
                pointers, packets);
    }

    public int heapAddressBits() {
        return heapAddressBits;
    }

    public SpeadFlavour flavour() {
        return SpeadFlavour.ofAddressBytes(heapAddressBits / 8);
    }

    /** HEAP_SIZE, or -1 when no packet carried it. */
    public long heapSize() {
        return heapSize;
    }

    public boolean isComplete() {
        return complete;
    }

    /** The heap's length: HEAP_SIZE, or (size unknown) the end of the last received range. */
    public long heapLength() {
        return heapLength;
    }

    /**
     * Length of {@link #payload()}: the heap length for a complete heap; for an incomplete one
     * the end of the last received range (at most the heap length).
     */
    public int payloadLength() {
        if (complete) {
            return (int) heapLength;
        }
        return (int) Math.min(heapLength, ranges.length == 0 ? 0 : ranges[ranges.length - 1]);
    }

    /**
     * The payload as one buffer (read-only; bytes outside the received ranges are zero). Copies
     * it out of the chunks: for tools and tests; the stored form is written from the chunks
     * ({@link StoredHeapCodec}).
     */
    public ByteBuffer payload() {
        byte[] whole = new byte[payloadLength()];
        copyReceived(0, whole.length, whole, 0);
        return ByteBuffer.wrap(whole).asReadOnlyBuffer();
    }

    /** The chunks holding the payload (only received ranges are defined). */
    HeapPayload chunks() {
        return payload;
    }

    /** Memory held: chunks and bookkeeping. */
    public long retainedBytes() {
        return payload.retainedBytes() + 8L * (ranges.length + pointers.length) + 64;
    }

    /** Copies the received bytes of {@code [start, end)} to {@code dst}; what did not arrive reads as zero. */
    private void copyReceived(long start, long end, byte[] dst, int dstPos) {
        java.util.Arrays.fill(dst, dstPos, dstPos + (int) (end - start), (byte) 0);
        for (int i = 0; i < ranges.length; i += 2) {
            long a = Math.max(start, ranges[i]);
            long b = Math.min(end, ranges[i + 1]);
            if (a < b) {
                payload.read(a, dst, dstPos + (int) (a - start), (int) (b - a));
            }
        }
    }

    /** End of the received range holding {@code offset}, or {@code offset} when none does. */
    private long receivedRunEnd(long offset) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] <= offset && offset < ranges[i + 1]) {
                return ranges[i + 1];
            }
        }
        return offset;
    }

    public long receivedBytes() {
        long r = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            r += ranges[i + 1] - ranges[i];
        }
        return r;
    }

    /** Received byte ranges as [start, end) pairs, sorted and merged. */
    public long[] receivedRanges() {
        return ranges.clone();
    }

    public int rangeCount() {
        return ranges.length / 2;
    }

    /** Item pointers (each once, in arrival order; HEAP_CNT/SIZE/OFFSET/PAYLOAD_LENGTH excluded). */
    public long[] pointers() {
        return pointers.clone();
    }

    int pointerCount() {
        return pointers.length;
    }

    long pointer(int i) {
        return pointers[i];
    }

    public int packets() {
        return packets;
    }

    /** The STREAM_CTRL value, or -1. */
    public long streamControl() {
        for (long p : pointers) {
            if (ItemPointers.isImmediate(p) && ItemPointers.id(p, heapAddressBits) == SpeadItemIds.STREAM_CTRL) {
                return ItemPointers.value(p, heapAddressBits);
            }
        }
        return -1;
    }

    public boolean isStop() {
        return streamControl() == SpeadItemIds.CTRL_STOP;
    }

    private boolean isReceived(long start, long end) {
        if (start == end) {
            return true;
        }
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] <= start && end <= ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * The heap's items in pointer order, NULL and DESCRIPTOR items left out. An addressed item
     * runs to the next addressed offset (stable sort by offset), the last to the heap's end.
     */
    public List<SpeadItem> items() {
        return itemsWhere(false);
    }

    /** The values of this heap's DESCRIPTOR items (each a SPEAD packet). */
    public List<SpeadItem> descriptorItems() {
        return itemsWhere(true);
    }

    /** The descriptors this heap carries; invalid ones are left out (see {@link #invalidDescriptorCount()}). */
    public List<SpeadDescriptor> descriptors() {
        List<SpeadDescriptor> out = new ArrayList<>();
        for (SpeadItem item : descriptorItems()) {
            SpeadDescriptor d = item.fullyReceived() ? decodeDescriptor(item) : null;
            if (d != null) {
                out.add(d);
            }
        }
        return out;
    }

    /** DESCRIPTOR items that could not be decoded. */
    public int invalidDescriptorCount() {
        int n = 0;
        for (SpeadItem item : descriptorItems()) {
            if (!item.fullyReceived() || decodeDescriptor(item) == null) {
                n++;
            }
        }
        return n;
    }

    private static SpeadDescriptor decodeDescriptor(SpeadItem item) {
        ByteBuffer v = item.value();
        try {
            return SpeadDescriptor.decode(v, v.position(), v.remaining());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private List<SpeadItem> itemsWhere(boolean descriptors) {
        int n = pointers.length;
        long[] addressed = new long[n];
        int[] order = new int[n];
        int na = 0;
        for (int i = 0; i < n; i++) {
            if (!ItemPointers.isImmediate(pointers[i])) {
                addressed[na] = ItemPointers.value(pointers[i], heapAddressBits);
                order[na] = i;
                na++;
            }
        }
        // Stable sort of addressed pointers by offset (indices sorted by (offset, arrival)).
        Integer[] idx = new Integer[na];
        for (int i = 0; i < na; i++) {
            idx[i] = i;
        }
        final long[] offs = addressed;
        Arrays.sort(idx, (a, b) -> offs[a] != offs[b] ? Long.compare(offs[a], offs[b]) : Integer.compare(a, b));
        long[] endOf = new long[n];
        for (int k = 0; k < na; k++) {
            long end = k + 1 < na ? offs[idx[k + 1]] : heapLength;
            endOf[order[idx[k]]] = end;
        }
        List<SpeadItem> items = new ArrayList<>();
        long held = payloadLength();
        for (int i = 0; i < n; i++) {
            long p = pointers[i];
            long id = ItemPointers.id(p, heapAddressBits);
            if (id == SpeadItemIds.NULL || (id == SpeadItemIds.DESCRIPTOR) != descriptors) {
                continue;
            }
            if (ItemPointers.isImmediate(p)) {
                byte[] b = new byte[heapAddressBits / 8];
                ItemPointers.immediateBytes(p, heapAddressBits, b, 0);
                items.add(new SpeadItem(id, true, ByteBuffer.wrap(b).asReadOnlyBuffer(), true));
            } else {
                long start = ItemPointers.value(p, heapAddressBits);
                long end = endOf[i];
                if (start > held) {
                    items.add(new SpeadItem(id, false, ByteBuffer.allocate(0), false));
                    continue;
                }
                // In an incomplete heap the next item may start past what arrived: cut there. A
                // value not fully received is cut at the end of what arrived contiguously from its
                // start, so its copy never costs more than received bytes.
                long cut = Math.min(end, held);
                boolean full = cut == end && isReceived(start, end);
                if (!full) {
                    cut = Math.min(cut, Math.max(start, receivedRunEnd(start)));
                }
                byte[] value = new byte[(int) (cut - start)];
                copyReceived(start, cut, value, 0);
                items.add(new SpeadItem(id, false, ByteBuffer.wrap(value).asReadOnlyBuffer(), full));
            }
        }
        return items;
    }

    /** Writes the heap (see {@link #readFrom}). */
    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(heapCnt);
        out.writeByte(heapAddressBits);
        out.writeLong(heapSize);
        out.writeLong(heapLength);
        out.writeBoolean(complete);
        out.writeInt(packets);
        out.writeInt(ranges.length);
        for (long r : ranges) {
            out.writeLong(r);
        }
        out.writeInt(pointers.length);
        for (long p : pointers) {
            out.writeLong(p);
        }
        // Only the received ranges' bytes (a heap claiming more than arrived is not materialised).
        out.writeInt(payloadLength());
        LiveHeap.writeRanges(payload, ranges, ranges.length / 2, out);
    }

    public static ReceivedHeap readFrom(DataInput in) throws IOException {
        long cnt = in.readLong();
        int bits = in.readUnsignedByte();
        long size = in.readLong();
        long length = in.readLong();
        boolean complete = in.readBoolean();
        int packets = in.readInt();
        long[] ranges = new long[in.readInt()];
        for (int i = 0; i < ranges.length; i++) {
            ranges[i] = in.readLong();
        }
        long[] pointers = new long[in.readInt()];
        for (int i = 0; i < pointers.length; i++) {
            pointers[i] = in.readLong();
        }
        in.readInt(); // payload length: follows from the ranges
        HeapPayload payload = LiveHeap.readRanges(ranges, ranges.length / 2, size, in);
        return new ReceivedHeap(cnt, bits, size, length, complete, payload, ranges, pointers, packets);
    }

    @Override
    public String toString() {
        return "ReceivedHeap{cnt=" + heapCnt + ", size=" + heapSize + ", complete=" + complete + ", received="
                + receivedBytes() + ", pointers=" + pointers.length + "}";
    }
}
