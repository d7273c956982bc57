package org.rawstream.sources.spead;

/**
 * The memory live heaps may hold, shared by every stream of one assembly subtask: the per-heap
 * admission point of the memory budget. Heaps are charged as their chunks are allocated
 * ({@link HeapPayload}) and credited when they leave the live set.
 *
 * <p>A new heap is admitted only while live heaps hold less than {@link #ADMIT_FRACTION} of the
 * limit: the rest is kept for heaps already started, so that what is admitted can complete. A
 * packet that would take live heaps past the limit itself is refused (its heap ends incomplete).
 * Bookkeeping arrays that grow with a packet are charged after it, so the limit can be passed by
 * at most one packet's item pointers. Used by one thread (the task thread); the figures are
 * volatile only so that metric gauges read them.
 */
public final class LiveHeapBudget {
    /** Share of the limit below which new heaps are admitted. */
    public static final double ADMIT_FRACTION = 0.75;

    private final long limit;
    private final long admitLimit;
    private volatile long used;
    /** Of {@link #used}: chunks of finished heaps that a state snapshot may still be writing. */
    private volatile long pinned;
    private volatile long maxUsed;
    private volatile long heapsRefused;
    private volatile long packetsRefused;
    private boolean snapshotPending;

    public LiveHeapBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("live-heap memory must be > 0");
        }
        this.limit = limit;
        this.admitLimit = (long) (limit * ADMIT_FRACTION);
    }

    /** No limit (plain-Java assembly of trusted input, e.g. stored heaps read back). */
    public static LiveHeapBudget unlimited() {
        return new LiveHeapBudget(Long.MAX_VALUE);
    }

    /** Whether {@code bytes} more may be allocated, for a new heap ({@code newHeap}) or one already started. */
    boolean admits(long bytes, boolean newHeap) {
        long after = used + bytes;
        return after >= 0 && after <= (newHeap ? admitLimit : limit);
    }

    void charge(long bytes) {
        long u = used + bytes;
        used = u;
        if (u > maxUsed) {
            maxUsed = u;
        }
    }

    void credit(long bytes) {
        used = Math.max(0, used - bytes);
    }

    /**
     * A finished heap whose chunks a state snapshot shares: they stay charged until the
     * snapshot is written ({@link #snapshotDone()}), so the budget bounds the snapshot's copy too.
     */
    void pin(long bytes) {
        pinned += bytes;
    }

    /**
     * A state snapshot is being taken (until {@link #snapshotDone()}): state copies of live heaps
     * dropped meanwhile stay charged ({@link #releaseStateCopy}), as a heap-backend snapshot may
     * still be writing them.
     */
    public void snapshotStarted() {
        snapshotPending = true;
    }

    /**
     * Payload pieces written into keyed state that the JVM's heap holds (the heap backend keeps
     * them as they are, beside the live heaps' chunks): charged like live heaps, so that the limit
     * bounds both copies.
     */
    public void chargeStateCopy(long bytes) {
        charge(bytes);
    }

    /** State copies deleted or replaced: given back, or pinned while a snapshot is being taken. */
    public void releaseStateCopy(long bytes) {
        release(bytes);
    }

    /** Gives back a charge, or pins it while a snapshot is being taken. */
    private void release(long bytes) {
        if (snapshotPending) {
            pin(bytes);
        } else {
            credit(bytes);
        }
    }

    /** A checkpoint completed (or was aborted): snapshots no longer hold what was pinned before it. */
    public void snapshotDone() {
        snapshotPending = false;
        long p = pinned;
        pinned = 0;
        credit(p);
    }

    /** Bytes of finished heaps still held for a snapshot (part of {@link #used()}). */
    public long pinned() {
        return pinned;
    }

    void refusedHeap() {
        heapsRefused++;
    }

    void refusedPacket() {
        packetsRefused++;
    }

    public long limit() {
        return limit;
    }

    /** Bytes live heaps hold now (chunks and bookkeeping). */
    public long used() {
        return used;
    }

    public long maxUsed() {
        return maxUsed;
    }

    /** New heaps refused because the budget was spent, over all streams. */
    public long heapsRefused() {
        return heapsRefused;
    }

    /** Packets dropped because the budget was spent (of refused heaps and of started ones). */
    public long packetsRefused() {
        return packetsRefused;
    }
}
