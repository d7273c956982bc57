package org.rawstream.sources.net.reader;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Received bytes in flight between the fetcher thread and the task thread: the fetcher adds what
 * each fetch received, the task thread gives it back when it has emitted the batch. Flink's
 * hand-over queue counts batches, and a batch may hold a few packets or thousands; this bounds
 * the memory instead. It also counts the batches in the queue: when the task thread is slow and
 * the sockets are quiet, fetches are small, and the queue's batch capacity fills before the
 * bytes do (the fetcher then blocks on the queue and the kernel drops packets).
 */
final class HandoverBudget {
    private final long limit;
    /** In-flight bytes from which decoders shed new units (Long.MAX_VALUE: never). */
    private final long shedBytes;
    /** Queued batches from which decoders shed new units. */
    private final int shedBatches;
    /** Queued batches from which the fetcher makes fewer, larger batches. */
    private final int behindBatches;
    private final AtomicInteger batches = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    // Written under the lock; volatile so that metrics read them without it.
    private volatile long inFlight;
    private volatile long maxInFlight;
    private volatile long waits;

    HandoverBudget(long limit) {
        this(limit, 1.0, Integer.MAX_VALUE);
    }

    HandoverBudget(long limit, double shedAt, int queueBatches) {
        this.limit = limit;
        this.shedBytes = shedAt >= 1 ? Long.MAX_VALUE : (long) (limit * shedAt);
        this.shedBatches = shedAt >= 1 ? Integer.MAX_VALUE : (int) Math.max(1, queueBatches * shedAt);
        this.behindBatches = (int) Math.max(1, Math.min(64, queueBatches / 16L));
    }

    /**
     * Fetcher: the task thread has batches waiting. The fetcher then fills each batch for up to
     * its poll timeout instead of returning when the sockets are drained, so the queue's batch
     * capacity lasts (a stall of the task thread costs bytes, bounded by the budget, not batches).
     */
    boolean behind() {
        return batches.get() >= behindBatches || overloaded();
    }

    /** Fetcher: the task thread is behind by the shedding share of the budget (bytes or batches). */
    boolean overloaded() {
        return inFlight >= shedBytes || batches.get() >= shedBatches;
    }

    /** Fetcher: a fetch handed over {@code bytes} in one batch (every batch, also an empty one). */
    void acquire(long bytes) {
        batches.incrementAndGet();
        if (bytes == 0) {
            return;
        }
        lock.lock();
        try {
            inFlight += bytes;
            maxInFlight = Math.max(maxInFlight, inFlight);
        } finally {
            lock.unlock();
        }
    }

    /** Task thread: a batch of {@code bytes} was emitted. */
    void release(long bytes) {
        batches.decrementAndGet();
        if (bytes == 0) {
            return;
        }
        lock.lock();
        try {
            inFlight -= bytes;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fetcher: waits up to {@code timeoutMillis} while the budget is spent (or until
     * {@link #wakeUp()}); true when there is room again.
     */
    boolean awaitRoom(long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            if (inFlight < limit) {
                return true;
            }
            waits++;
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (inFlight >= limit && nanos > 0) {
                nanos = released.awaitNanos(nanos);
            }
            return inFlight < limit;
        } finally {
            lock.unlock();
        }
    }

    /** Makes a waiting {@link #awaitRoom} return (the fetcher has other work: splits, shutdown). */
    void wakeUp() {
        lock.lock();
        try {
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Batches handed over and not yet emitted. */
    int batches() {
        return batches.get();
    }

    long inFlight() {
        return inFlight;
    }

    long maxInFlight() {
        return maxInFlight;
    }

    /** How often the fetcher found the budget spent (the task thread could not keep up). */
    long waits() {
        return waits;
    }
}
