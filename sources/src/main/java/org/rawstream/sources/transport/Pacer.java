package org.rawstream.sources.transport;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a sender to a rate in units per second (bytes or messages): {@link #acquire(long)} waits
 * until the units fit the schedule. Keeps to the average over the whole run (a late sender catches
 * up at full speed, bounded by {@code maxBurstNanos} of credit). Not thread-safe: one per thread.
 */
public final class Pacer {
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
        if (wait > 50_000) {
            LockSupport.parkNanos(wait);
        } else {
            while (System.nanoTime() < nextNanos) {
                Thread.onSpinWait();
            }
        }
        nextNanos += (long) (units * nanosPerUnit);
    }
}
