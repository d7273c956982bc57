package org.rawstream.sources.transport;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a sender to a rate in units per second (bytes or messages): {@link #acquire(long)} waits
 * until the units fit the schedule. Keeps to the average over the whole run (a late sender catches
 * up at full speed, bounded by {@code maxBurstNanos} of credit). Not thread-safe: one per thread.
 *
 * <p>It never spins: a sender up to {@link #EARLY_NANOS} ahead of its schedule goes on at once,
 * and one further ahead sleeps until it is on time. So traffic leaves in short bursts (as spead2's
 * sender sends bursts), and the CPU a busy-wait would burn between packets stays with the
 * receiver — on a 2-core machine at 9 Gb/s, 8972-byte packets are 16 µs apart per thread, far
 * below the ~50 µs a sleep can resolve.
 */
public final class Pacer {
    /** How far ahead of its schedule a sender may run before it sleeps (the longest burst). */
    public static final long EARLY_NANOS = 200_000L;

    private final double nanosPerUnit;
    private final long maxBurstNanos;
    private long nextNanos;

    /** @param unitsPerSecond 0 or less = unlimited */
    public Pacer(double unitsPerSecond, long maxBurstNanos) {
        this.nanosPerUnit = unitsPerSecond > 0 ? 1e9 / unitsPerSecond : 0;
        this.maxBurstNanos = maxBurstNanos;
        this.nextNanos = System.nanoTime();
    }

    /** With 10 ms of catch-up credit: keeps the average through scheduler hiccups on a busy machine. */
    public Pacer(double unitsPerSecond) {
        this(unitsPerSecond, 10_000_000L);
    }

    public boolean unlimited() {
        return nanosPerUnit == 0;
    }

    public void acquire(long units) {
        if (nanosPerUnit == 0) {
            return;
        }
        long now = System.nanoTime();
        if (nextNanos < now - maxBurstNanos) {
            nextNanos = now - maxBurstNanos;
        }
        long wait = nextNanos - now;
        if (wait > EARLY_NANOS) {
            LockSupport.parkNanos(wait);
        }
        nextNanos += (long) (units * nanosPerUnit);
    }
}
