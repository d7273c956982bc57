package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The per-substream part of assembly state that is not per heap: the live heap counters in the
 * order the heaps opened (oldest first: the eviction order) and the recently finished heap
 * counters that catch late packets. Small (at most {@code max-live-heaps} +
 * {@code recent-heap-memory} entries) and written only when a heap opens or leaves.
 */
public final class SubstreamHeaps {

    private long[] live;
    private int size;
    private RecentHeapCounters recent;

    public SubstreamHeaps(SpeadAssemblyConfig config) {
        this(new long[Math.min(config.maxLiveHeaps(), 16)], 0, new RecentHeapCounters(config.recentHeapMemory()));
    }

    SubstreamHeaps(long[] live, int size, RecentHeapCounters recent) {
        this.live = live;
        this.size = size;
        this.recent = recent;
    }

    public int liveHeaps() {
        return size;
    }

    long live(int i) {
        return live[i];
    }

    void add(long heapCnt) {
        if (size == live.length) {
            live = Arrays.copyOf(live, Math.max(4, 2 * size));
        }
        live[size++] = heapCnt;
    }

    void removeAt(int i) {
        System.arraycopy(live, i + 1, live, i, size - i - 1);
        size--;
    }

    RecentHeapCounters recent() {
        return recent;
    }

    /** Smallest heap counter still live, or Long.MAX_VALUE when none is. */
    public long minLiveHeapCnt() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            min = Math.min(min, live[i]);
        }
        return min;
    }

    public SubstreamHeaps copy() {
        return new SubstreamHeaps(Arrays.copyOf(live, Math.max(1, size)), size, recent.copy());
    }

    /** Format 0: live counters, then the recent heap counters. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(live[i]);
        }
        recent.writeTo(out);
    }

    public static SubstreamHeaps readFrom(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt SPEAD substream state: " + n + " live heaps");
        }
        long[] live = new long[Math.max(1, n)];
        for (int i = 0; i < n; i++) {
            live[i] = in.readLong();
        }
        return new SubstreamHeaps(live, n, RecentHeapCounters.readFrom(in));
    }
}
