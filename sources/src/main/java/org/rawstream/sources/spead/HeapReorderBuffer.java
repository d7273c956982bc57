package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Finished heaps of one stream held in heap-counter order until they may be released. */
public final class HeapReorderBuffer {

    private final List<ReceivedHeap> heaps = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();

    public void insert(ReceivedHeap heap, long nowMillis) {
        int lo = 0;
        int hi = heaps.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(heaps.get(mid).heapCnt(), heap.heapCnt()) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        heaps.add(lo, heap);
        arrivals.add(lo, nowMillis);
    }

    public boolean isEmpty() {
        return heaps.isEmpty();
    }

    public int size() {
        return heaps.size();
    }

    public ReceivedHeap first() {
        return heaps.get(0);
    }

    public long firstArrivalMillis() {
        return arrivals.get(0);
    }

    /** Earliest arrival time held, or Long.MAX_VALUE. */
    public long oldestArrivalMillis() {
        long t = Long.MAX_VALUE;
        for (long a : arrivals) {
            t = Math.min(t, a);
        }
        return t;
    }

    public ReceivedHeap removeFirst() {
        arrivals.remove(0);
        return heaps.remove(0);
    }

    public long retainedBytes() {
        long b = 0;
        for (ReceivedHeap h : heaps) {
            b += h.retainedBytes();
        }
        return b;
    }

    /** A copy for a state snapshot: the heaps' chunks are shared, not copied (see {@link ReceivedHeap#shareCopy()}). */
    HeapReorderBuffer shareCopy() {
        HeapReorderBuffer b = new HeapReorderBuffer();
        for (int i = 0; i < heaps.size(); i++) {
            b.heaps.add(heaps.get(i).shareCopy());
            b.arrivals.add(arrivals.get(i));
        }
        return b;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(heaps.size());
        for (int i = 0; i < heaps.size(); i++) {
            out.writeLong(arrivals.get(i));
            heaps.get(i).writeTo(out);
        }
    }

    public static HeapReorderBuffer readFrom(DataInput in) throws IOException {
        HeapReorderBuffer b = new HeapReorderBuffer();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            long arrival = in.readLong();
            b.heaps.add(ReceivedHeap.readFrom(in));
            b.arrivals.add(arrival);
        }
        return b;
    }
}
