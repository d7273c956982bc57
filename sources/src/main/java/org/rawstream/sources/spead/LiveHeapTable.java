package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The assembly state of one substream as commit a6d257e kept it: one value holding every live
 * heap with its payload, and the recent heap counters. Read from savepoints of that format only
 * (keyed state {@code live-heaps}) and moved into the per-heap state of a {@link LiveHeapStore}
 * ({@link #moveInto}); never written by assembly.
 */
public final class LiveHeapTable {

    private final LiveHeap[] heaps;
    private final int size;
    private final RecentHeapCounters recent;

    private LiveHeapTable(LiveHeap[] heaps, int size, RecentHeapCounters recent) {
        this.heaps = heaps;
        this.size = size;
        this.recent = recent;
    }

    public int liveHeaps() {
        return size;
    }

    /**
     * Moves the heaps and recent counters into {@code store}. The heaps are copied (payloads of
     * their own): this table may be the state's value, which a snapshot may still be writing.
     */
    public void moveInto(LiveHeapStore store) throws Exception {
        long[] live = new long[Math.max(1, size)];
        for (int i = 0; i < size; i++) {
            LiveHeap h = heaps[i].attachedCopy();
            store.updateHeap(h);
            live[i] = h.heapCnt();
        }
        store.updateSubstream(new SubstreamHeaps(live, size, recent.copy()));
    }

    /** Format 0 (the only one). */
    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            heaps[i].writeTo(out);
        }
        recent.writeTo(out);
    }

    public static LiveHeapTable readFrom(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt SPEAD live-heap table: " + n + " heaps");
        }
        LiveHeap[] heaps = new LiveHeap[Math.max(n, 1)];
        for (int i = 0; i < n; i++) {
            heaps[i] = LiveHeap.readFrom(in);
        }
        return new LiveHeapTable(heaps, n, RecentHeapCounters.readFrom(in));
    }

    /** A copy for a copy-on-write backend: the heaps' payload chunks are shared. */
    public LiveHeapTable copy() {
        LiveHeap[] h = new LiveHeap[Math.max(1, size)];
        for (int i = 0; i < size; i++) {
            h[i] = heaps[i].shareCopy();
        }
        return new LiveHeapTable(h, size, recent.copy());
    }
}
