package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The live heaps of one stream (or one substream of it): at most {@code maxLiveHeaps}, the
 * oldest evicted beyond that; heaps idle longer than the timeout expire ({@link #expire}, driven
 * by the caller's clock); recently finished heap counters catch late packets. A completed stop
 * heap flushes the other live heaps first. Serialisable with {@link #writeTo}/{@link #readFrom}.
 *
 * <p>Memory: every heap is charged to the {@link LiveHeapBudget} the table is used with as it
 * grows and credited when it leaves; a new heap the budget has no room for is refused, and its
 * counter remembered so that its later packets are refused too (never a partial heap from the
 * budget). A table read back from a snapshot is charged on its first use ({@link #charge}).
 */
public final class LiveHeapTable {

    private LiveHeap[] heaps;
    private int size;
    private RecentHeapCounters recent;
    /** The heaps are charged to the budget (not state: false after a restore). */
    private boolean charged;

    /**
     * An empty table sized for {@code config}. The configuration is not part of the state: every
     * call takes it, so a restored table follows the job's current limits.
     */
    public LiveHeapTable(SpeadAssemblyConfig config) {
        this.heaps = new LiveHeap[Math.min(config.maxLiveHeaps(), 16)];
        this.recent = new RecentHeapCounters(config.recentHeapMemory());
        this.charged = true;
    }

    /** Charges a restored table's heaps to {@code budget} (once; a no-op for a table built here). */
    public void charge(LiveHeapBudget budget) {
        if (charged) {
            return;
        }
        charged = true;
        for (int i = 0; i < size; i++) {
            heaps[i].chargeTo(budget);
        }
    }

    /** Assembles one valid packet; counts it in {@code stats}; finished heaps go to {@code out}. */
    public void accept(SpeadPacket packet, long nowMillis, SpeadAssemblyConfig config, LiveHeapBudget budget,
            SpeadStreamStatistics stats, FinishedHeapListener out) {
        stats.packet(packet.packetLength());
        long cnt = packet.heapCnt();
        int slot = find(cnt);
        if (slot >= 0) {
            LiveHeap heap = heaps[slot];
            LiveHeap.AddResult r = heap.add(packet, nowMillis, config, budget);
            if (r == LiveHeap.AddResult.DUPLICATE) {
                stats.duplicate();
            } else if (r == LiveHeap.AddResult.REJECTED) {
                stats.invalid(heap.rejection());
            } else if (r == LiveHeap.AddResult.REFUSED) {
                budget.refusedPacket();
                stats.refused(false);
            } else if (heap.isComplete()) {
                remove(slot);
                finish(heap, HeapEnd.COMPLETE, budget, stats, out);
            }
            return;
        }
        RecentHeapCounters.Status status = recent.lookup(cnt);
        if (status == RecentHeapCounters.Status.COMPLETED) {
            stats.duplicate();
            return;
        }
        if (status == RecentHeapCounters.Status.ABANDONED) {
            stats.late();
            return;
        }
        if (status == RecentHeapCounters.Status.REFUSED) {
            budget.refusedPacket();
            stats.refused(false);
            return;
        }
        // Check the packet against a fresh heap before evicting anything for it.
        LiveHeap heap = LiveHeap.open(packet, nowMillis);
        LiveHeap.AddResult r = heap.add(packet, nowMillis, config, budget);
        if (r == LiveHeap.AddResult.REJECTED) {
            stats.invalid(heap.rejection());
            return;
        }
        if (r == LiveHeap.AddResult.REFUSED) {
            recent.rememberRefused(cnt);
            budget.refusedHeap();
            budget.refusedPacket();
            stats.refused(true);
            return;
        }
        if (heap.isComplete()) {
            finish(heap, HeapEnd.COMPLETE, budget, stats, out);
            return;
        }
        while (size >= config.maxLiveHeaps()) {
            LiveHeap oldest = heaps[0];
            remove(0);
            finish(oldest, HeapEnd.EVICTED, budget, stats, out);
        }
        if (size == heaps.length) {
            heaps = java.util.Arrays.copyOf(heaps, Math.max(1, Math.min(config.maxLiveHeaps(), 2 * heaps.length)));
        }
        heaps[size++] = heap;
    }

    /** Expires heaps idle for at least the heap timeout. */
    public void expire(long nowMillis, SpeadAssemblyConfig config, LiveHeapBudget budget, SpeadStreamStatistics stats,
            FinishedHeapListener out) {
        for (int i = 0; i < size; ) {
            LiveHeap heap = heaps[i];
            if (nowMillis - heap.lastPacketMillis() >= config.heapTimeoutMillis()) {
                remove(i);
                finish(heap, HeapEnd.EXPIRED, budget, stats, out);
            } else {
                i++;
            }
        }
    }

    /** Flushes every live heap (stream stop or end), oldest first. */
    public void flush(LiveHeapBudget budget, SpeadStreamStatistics stats, FinishedHeapListener out) {
        while (size > 0) {
            LiveHeap heap = heaps[0];
            remove(0);
            finish(heap, HeapEnd.FLUSHED, budget, stats, out);
        }
    }

    private void finish(LiveHeap heap, HeapEnd end, LiveHeapBudget budget, SpeadStreamStatistics stats,
            FinishedHeapListener out) {
        recent.remember(heap.heapCnt(), end == HeapEnd.COMPLETE);
        heap.creditTo(budget);
        ReceivedHeap finished = heap.freeze();
        if (end == HeapEnd.COMPLETE && finished.isStop()) {
            // The stop heap ends the stream: what is still live leaves first.
            stats.stopHeap(finished.packets());
            flush(budget, stats, out);
            out.heapFinished(finished, end);
            return;
        }
        stats.heapFinished(end, heap.packets());
        out.heapFinished(finished, end);
    }

    private int find(long cnt) {
        // Newest first: packets mostly belong to the most recently opened heaps.
        for (int i = size - 1; i >= 0; i--) {
            if (heaps[i].heapCnt() == cnt) {
                return i;
            }
        }
        return -1;
    }

    private void remove(int i) {
        System.arraycopy(heaps, i + 1, heaps, i, size - i - 1);
        heaps[--size] = null;
    }

    public int liveHeaps() {
        return size;
    }

    /** Smallest heap counter still live, or Long.MAX_VALUE when none is. */
    public long minLiveHeapCnt() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            min = Math.min(min, heaps[i].heapCnt());
        }
        return min;
    }

    /** Earliest time at which {@link #expire} has something to do, or Long.MAX_VALUE. */
    public long nextExpiryMillis(SpeadAssemblyConfig config) {
        long t = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            t = Math.min(t, heaps[i].lastPacketMillis() + config.heapTimeoutMillis());
        }
        return t;
    }

    /** Memory held by live heaps. */
    public long retainedBytes() {
        long b = 0;
        for (int i = 0; i < size; i++) {
            b += heaps[i].retainedBytes();
        }
        return b;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            heaps[i].writeTo(out);
        }
        recent.writeTo(out);
    }

    public static LiveHeapTable readFrom(DataInput in) throws IOException {
        int n = in.readInt();
        LiveHeap[] heaps = new LiveHeap[Math.max(n, 1)];
        for (int i = 0; i < n; i++) {
            heaps[i] = LiveHeap.readFrom(in);
        }
        RecentHeapCounters recent = RecentHeapCounters.readFrom(in);
        return new LiveHeapTable(heaps, n, recent, false);
    }

    private LiveHeapTable(LiveHeap[] heaps, int size, RecentHeapCounters recent, boolean charged) {
        this.heaps = heaps;
        this.size = size;
        this.recent = recent;
        this.charged = charged;
    }

    /**
     * The copy a copy-on-write state backend makes while a snapshot is being written: the copy
     * goes on being assembled, the original is only serialised. Bookkeeping is copied; payload
     * chunks are shared (received bytes never change), so a snapshot costs no second copy of
     * the live payload. The budget charge moves to the copy.
     */
    public LiveHeapTable copy() {
        LiveHeap[] h = new LiveHeap[Math.max(1, heaps.length)];
        for (int i = 0; i < size; i++) {
            h[i] = heaps[i].shareCopy();
        }
        return new LiveHeapTable(h, size, recent.copy(), charged);
    }
}
