package org.rawstream.sources.fuzz;

import java.lang.management.ManagementFactory;

/**
 * Measures the heap bytes the current thread allocates while a decoder runs, so a fuzz target can
 * assert that what a sender sent (plus the configured limits) bounds what the decoder allocated.
 * A claimed length the sender never backed with bytes is how a few datagrams exhaust a heap; this
 * catches that whether or not the memory is still reachable when the call returns.
 */
public final class AllocationBound {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Slack for JIT deoptimisation and small bookkeeping objects. */
    public static final long SLACK_BYTES = 256L << 10;

    /**
     * What a target may allocate per chunk it feeds (the buffer view it wraps the chunk in, what
     * the decoder returns per call): a stream fed one byte at a time pays this per byte.
     */
    public static final long PER_CHUNK_BYTES = 256;

    /** Chunks of {@code size} bytes (the last one shorter) that {@code length} bytes make. */
    public static long chunks(int length, int size) {
        return length / size + 1;
    }

    private final long start;

    private AllocationBound() {
        this.start = THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Runs {@code body} on the current thread and checks what it allocated against {@code bound}.
     * Past the bound, it runs {@code body} once more and checks that run instead: a path taken for
     * the first time loads and instruments classes on this thread (Jazzer's agent allocates
     * megabytes doing so), which says nothing about the decoder, and the repeat runs without it.
     */
    public static void check(long bound, String what, Runnable body) {
        AllocationBound first = start();
        body.run();
        if (first.allocated() <= bound + SLACK_BYTES) {
            return;
        }
        AllocationBound again = start();
        body.run();
        again.check(bound, what);
    }

    /** Starts measuring on the current thread. */
    public static AllocationBound start() {
        return new AllocationBound();
    }

    /** Bytes allocated on this thread since {@link #start()}. */
    public long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes() - start;
    }

    /** Fails when more than {@code bound} (plus {@link #SLACK_BYTES}) was allocated. */
    public void check(long bound, String what) {
        long used = allocated();
        if (used > bound + SLACK_BYTES) {
            throw new OverAllocation(what + " allocated " + used + " bytes; bound " + bound + " + " + SLACK_BYTES + " slack");
        }
    }

    /** A decoder allocated more than its input and limits allow. */
    public static final class OverAllocation extends AssertionError {
        private static final long serialVersionUID = 1L;

        OverAllocation(String message) {
            super(message);
        }
    }
}
