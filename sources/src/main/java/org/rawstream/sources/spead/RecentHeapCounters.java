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
    public enum Status { UNKNOWN, COMPLETED, ABANDONED, REFUSED }

    /** Serialised codes: a boolean "completed" in older states, so 0 and 1 keep their meaning. */
    private static final byte ABANDONED = 0;
    private static final byte COMPLETED = 1;
    private static final byte REFUSED = 2;

    private final long[] counters;
    private final byte[] status;
    private int next;
    private int size;

    public RecentHeapCounters(int capacity) {
        counters = new long[capacity];
        status = new byte[capacity];
    }

    public void remember(long heapCnt, boolean wasComplete) {
        remember(heapCnt, wasComplete ? COMPLETED : ABANDONED);
    }

    /** A heap refused by the memory budget: its later packets are refused too. */
    public void rememberRefused(long heapCnt) {
        remember(heapCnt, REFUSED);
    }

    private void remember(long heapCnt, byte code) {
        if (counters.length == 0) {
            return;
        }
        counters[next] = heapCnt;
        status[next] = code;
        next = (next + 1) % counters.length;
        size = Math.min(size + 1, counters.length);
    }

    public Status lookup(long heapCnt) {
        // Newest first: the likeliest match for a late packet is a recent heap.
        for (int k = 1; k <= size; k++) {
            int i = (next - k + counters.length) % counters.length;
            if (counters[i] == heapCnt) {
                return status[i] == COMPLETED ? Status.COMPLETED : status[i] == REFUSED ? Status.REFUSED : Status.ABANDONED;
            }
        }
        return Status.UNKNOWN;
    }

    /** An independent copy. */
    public RecentHeapCounters copy() {
        RecentHeapCounters c = new RecentHeapCounters(counters.length);
        System.arraycopy(counters, 0, c.counters, 0, counters.length);
        System.arraycopy(status, 0, c.status, 0, status.length);
        c.next = next;
        c.size = size;
        return c;
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
            out.writeByte(status[i]);
        }
    }

    public static RecentHeapCounters readFrom(DataInput in) throws IOException {
        RecentHeapCounters r = new RecentHeapCounters(in.readInt());
        int n = in.readInt();
        for (int k = 0; k < n; k++) {
            long cnt = in.readLong();
            r.remember(cnt, in.readByte());
        }
        return r;
    }
}
