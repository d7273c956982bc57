package org.rawstream.sources.spead;


/**
 * The SPEAD heap-assembly rules of one substream, over a {@link LiveHeapStore}: at most
 * {@code max-live-heaps} live heaps (the oldest evicted beyond that), heaps idle for the heap
 * timeout expire ({@link #expire}, driven by the caller's clock), recently finished heap counters
 * catch late packets, a completed stop heap flushes the other live heaps first. One instance per
 * assembly subtask (it holds the configuration and the subtask's {@link LiveHeapBudget}); the
 * substream's state is the store, the output a per-call {@link FinishedHeapListener}.
 *
 * <p>Memory: every heap is charged to the budget as it grows and released when it leaves; a new
 * heap the budget has no room for is refused, and its counter remembered so that its later
 * packets are refused too (never a partial heap from the budget). State read back from a snapshot
 * is charged when its substream is first met ({@link #chargeRestored}).
 *
 * <p>Cost per packet of a live heap: that heap looked up and the packet's payload copied once,
 * into the heap's pooled chunks, whatever the number of live heaps; the substream value only when
 * a heap opens or leaves.
 */
public final class SubstreamAssembler {

    private final SpeadAssemblyConfig config;
    private final LiveHeapBudget budget;

    public SubstreamAssembler(SpeadAssemblyConfig config, LiveHeapBudget budget) {
        this.config = config;
        this.budget = budget;
    }

    public LiveHeapBudget budget() {
        return budget;
    }

    /**
     * Assembles one valid packet, counted in {@code stats}; finished heaps go to {@code out}.
     * Returns true when the packet opened a new live heap (the caller arms its timeout).
     */
    public boolean accept(SpeadPacket packet, long nowMillis, LiveHeapStore store, SpeadStreamStatistics stats,
            FinishedHeapListener out) throws Exception {
        stats.packet(packet.packetLength());
        long cnt = packet.heapCnt();
        LiveHeap heap = store.heap(cnt);
        if (heap != null && nowMillis - heap.lastPacketMillis() >= config.heapTimeoutMillis()) {
            // The heap was due before this packet came (its timer had not fired yet: a replay
            // faster than the capture, or a batch ahead of the watermark): it expires first and
            // the packet is late, the same decision as when the packet comes after the timer.
            SubstreamHeaps sub = store.substream();
            removeLive(sub, cnt);
            finish(heap, HeapEnd.EXPIRED, sub, store, stats, out);
            store.updateSubstream(sub);
            stats.late();
            return false;
        }
        if (heap != null) {
            LiveHeap.AddResult r = heap.add(packet, nowMillis, config, budget);
            if (r == LiveHeap.AddResult.DUPLICATE) {
                stats.duplicate();
            } else if (r == LiveHeap.AddResult.REJECTED) {
                stats.invalid(heap.rejection());
            } else if (r == LiveHeap.AddResult.REFUSED) {
                budget.refusedPacket();
                stats.refused(false);
            } else {
                if (heap.isComplete()) {
                    SubstreamHeaps sub = store.substream();
                    removeLive(sub, cnt);
                    finish(heap, HeapEnd.COMPLETE, sub, store, stats, out);
                    store.updateSubstream(sub);
                } else {
                    store.updateHeap(heap);
                }
            }
            return false;
        }
        SubstreamHeaps sub = store.substream();
        if (sub == null) {
            sub = new SubstreamHeaps(config);
        }
        RecentHeapCounters.Status status = sub.recent().lookup(cnt);
        if (status == RecentHeapCounters.Status.COMPLETED) {
            stats.duplicate();
            return false;
        }
        if (status == RecentHeapCounters.Status.ABANDONED) {
            stats.late();
            return false;
        }
        if (status == RecentHeapCounters.Status.REFUSED) {
            budget.refusedPacket();
            stats.refused(false);
            return false;
        }
        // Check the packet against a fresh heap before evicting anything for it.
        heap = LiveHeap.open(packet, nowMillis);
        LiveHeap.AddResult r = heap.add(packet, nowMillis, config, budget);
        if (r == LiveHeap.AddResult.REJECTED) {
            stats.invalid(heap.rejection());
            return false;
        }
        if (r == LiveHeap.AddResult.REFUSED) {
            sub.recent().rememberRefused(cnt);
            store.updateSubstream(sub);
            budget.refusedHeap();
            budget.refusedPacket();
            stats.refused(true);
            return false;
        }
        if (heap.isComplete()) {
            finish(heap, HeapEnd.COMPLETE, sub, store, stats, out);
            store.updateSubstream(sub);
            return false;
        }
        if (sub.liveHeaps() >= config.maxLiveHeaps()) {
            // Heaps due by now expire before any is evicted: what a clock that had fired would have done.
            expire(sub, nowMillis, store, stats, out);
        }
        while (sub.liveHeaps() >= config.maxLiveHeaps()) {
            long oldest = sub.live(0);
            sub.removeAt(0);
            finishStored(oldest, HeapEnd.EVICTED, sub, store, stats, out);
        }
        sub.add(cnt);
        store.updateHeap(heap);
        store.updateSubstream(sub);
        return true;
    }

    /**
     * Expires heaps idle for at least the heap timeout; returns the earliest time at which
     * another call has something to do, or Long.MAX_VALUE.
     */
    public long expire(long nowMillis, LiveHeapStore store, SpeadStreamStatistics stats, FinishedHeapListener out)
            throws Exception {
        SubstreamHeaps sub = store.substream();
        if (sub == null) {
            return Long.MAX_VALUE;
        }
        int live = sub.liveHeaps();
        long due = expire(sub, nowMillis, store, stats, out);
        if (sub.liveHeaps() != live) {
            store.updateSubstream(sub);
        }
        return due;
    }

    /** {@link #expire} on {@code sub}, which the caller writes back if it changed. */
    private long expire(SubstreamHeaps sub, long nowMillis, LiveHeapStore store, SpeadStreamStatistics stats,
            FinishedHeapListener out) throws Exception {
        long due = Long.MAX_VALUE;
        for (int i = 0; i < sub.liveHeaps(); ) {
            long cnt = sub.live(i);
            LiveHeap heap = store.heap(cnt);
            if (heap == null) { // cannot happen with a consistent store; never keep a counter without a heap
                sub.removeAt(i);
            } else if (nowMillis - heap.lastPacketMillis() >= config.heapTimeoutMillis()) {
                sub.removeAt(i);
                finish(heap, HeapEnd.EXPIRED, sub, store, stats, out);
            } else {
                due = Math.min(due, heap.lastPacketMillis() + config.heapTimeoutMillis());
                i++;
            }
        }
        return due;
    }

    /** Flushes every live heap (stream stop or end), oldest first, and clears the substream's state. */
    public void flush(LiveHeapStore store, SpeadStreamStatistics stats, FinishedHeapListener out) throws Exception {
        SubstreamHeaps sub = store.substream();
        if (sub != null) {
            flush(sub, store, stats, out);
        }
        store.clear();
    }

    private void flush(SubstreamHeaps sub, LiveHeapStore store, SpeadStreamStatistics stats, FinishedHeapListener out)
            throws Exception {
        while (sub.liveHeaps() > 0) {
            long cnt = sub.live(0);
            sub.removeAt(0);
            finishStored(cnt, HeapEnd.FLUSHED, sub, store, stats, out);
        }
    }

    /**
     * Sheds every live heap (the kernel dropped datagrams of the stream's endpoint, so each may
     * have lost packets): nothing is delivered, the heaps count as shed whole ({@code heaps_shed},
     * their packets in {@code packets_shed}), and packets of theirs that still come count as late.
     */
    public void shedLive(LiveHeapStore store, SpeadStreamStatistics stats) throws Exception {
        SubstreamHeaps sub = store.substream();
        if (sub == null || sub.liveHeaps() == 0) {
            return;
        }
        while (sub.liveHeaps() > 0) {
            long cnt = sub.live(0);
            sub.removeAt(0);
            LiveHeap heap = store.heap(cnt);
            if (heap != null) {
                sub.recent().remember(cnt, false);
                heap.creditTo(budget);
                store.removeHeap(cnt);
                stats.shed(1, heap.packets());
                heap.freeze().release();
            }
        }
        store.updateSubstream(sub);
    }

    /** Charges the live heaps of a substream read back from a snapshot (call once per substream and restore). */
    public void chargeRestored(LiveHeapStore store) throws Exception {
        SubstreamHeaps sub = store.substream();
        if (sub == null) {
            return;
        }
        for (int i = 0; i < sub.liveHeaps(); i++) {
            LiveHeap heap = store.heap(sub.live(i));
            if (heap != null) {
                heap.chargeRestored(budget);
            }
        }
    }

    private void finishStored(long cnt, HeapEnd end, SubstreamHeaps sub, LiveHeapStore store,
            SpeadStreamStatistics stats, FinishedHeapListener out) throws Exception {
        LiveHeap heap = store.heap(cnt);
        if (heap != null) {
            finish(heap, end, sub, store, stats, out);
        }
    }

    private void finish(LiveHeap heap, HeapEnd end, SubstreamHeaps sub, LiveHeapStore store,
            SpeadStreamStatistics stats, FinishedHeapListener out) throws Exception {
        sub.recent().remember(heap.heapCnt(), end == HeapEnd.COMPLETE);
        heap.creditTo(budget);
        store.removeHeap(heap.heapCnt());
        ReceivedHeap finished = heap.freeze();
        if (end == HeapEnd.COMPLETE && finished.isStop()) {
            // The stop heap ends the stream: what is still live leaves first.
            stats.stopHeap(finished.packets());
            flush(sub, store, stats, out);
            out.heapFinished(finished, end, sub.minLiveHeapCnt());
            return;
        }
        stats.heapFinished(end, heap.packets());
        out.heapFinished(finished, end, sub.minLiveHeapCnt());
    }

    private static void removeLive(SubstreamHeaps sub, long cnt) {
        for (int i = 0; i < sub.liveHeaps(); i++) {
            if (sub.live(i) == cnt) {
                sub.removeAt(i);
                return;
            }
        }
    }

    /** Earliest time at which {@link #expire} has something to do, or Long.MAX_VALUE. */
    public long nextExpiryMillis(LiveHeapStore store) throws Exception {
        SubstreamHeaps sub = store.substream();
        long t = Long.MAX_VALUE;
        for (int i = 0; sub != null && i < sub.liveHeaps(); i++) {
            LiveHeap heap = store.heap(sub.live(i));
            if (heap != null) {
                t = Math.min(t, heap.lastPacketMillis() + config.heapTimeoutMillis());
            }
        }
        return t;
    }
}
