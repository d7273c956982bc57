package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The last N heap counters that left the live set, and whether each completed: a packet for one
 * of them is a late duplicate (completed) or a late packet (left incomplete), never a new heap
 * (spead2 opens a "phantom" heap there).
 */
public final class RecentHeapCounters {

    /** What is known about a heap counter. */
    public enum Status { UNKNOWN, COMPLETED, ABANDONED }

    private final long[] counters;
    private final boolean[] completed;
    private int next;
    private int size;

    public RecentHeapCounters(int capacity) {
        counters = new long[capacity];
        completed = new boolean[capacity];
    }

    public void remember(long heapCnt, boolean wasComplete) {
        if (counters.length == 0) {
            return;
        }
        counters[next] = heapCnt;
        completed[next] = wasComplete;
        next = (next + 1) % counters.length;
        size = Math.min(size + 1, counters.length);
    }

    public Status lookup(long heapCnt) {
        // Newest first: the likeliest match for a late packet is a recent heap.
        for (int k = 1; k <= size; k++) {
            int i = (next - k + counters.length) % counters.length;
            if (counters[i] == heapCnt) {
                return completed[i] ? Status.COMPLETED : Status.ABANDONED;
            }
        }
        return Status.UNKNOWN;
    }

    public int size() {
        return size;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(counters.length);
        out.writeInt(size);
        for (int k = size; k >= 1; k--) {
            int i = (next - k + counters.length) % counters.length;
            out.writeLong(counters[i]);
            out.writeBoolean(completed[i]);
        }
    }

    public static RecentHeapCounters readFrom(DataInput in) throws IOException {
        RecentHeapCounters r = new RecentHeapCounters(in.readInt());
        int n = in.readInt();
        for (int k = 0; k < n; k++) {
            r.remember(in.readLong(), in.readBoolean());
        }
        return r;
    }
}
