package org.rawstream.job;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Polls a condition until it holds or a deadline passes (tests never sleep to let things settle). */
public final class Deadlines {
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Deadlines() {}

    public static void await(Duration timeout, String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(50_000_000L); // poll interval, not a settle delay
        }
    }
}
