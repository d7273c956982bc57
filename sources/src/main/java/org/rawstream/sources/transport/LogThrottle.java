package org.rawstream.sources.transport;

/**
 * The rule of every bounded-rate log line of the sources: the first line at once, then at most one
 * per interval; what happened in between is summed by the caller into its next line. Not
 * thread-safe: one per logging thread and line.
 */
public final class LogThrottle {
    private final long intervalNanos;
    private boolean loggedBefore;
    private long lastNanos;

    public LogThrottle(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** Whether a line may be logged at {@code nowNanos}; if so, it counts as logged then. */
    public boolean tryLog(long nowNanos) {
        if (loggedBefore && nowNanos - lastNanos < intervalNanos) {
            return false;
        }
        loggedBefore = true;
        lastNanos = nowNanos;
        return true;
    }

    /** Whether a line was logged before (the next one then says "since the last"). */
    public boolean loggedBefore() {
        return loggedBefore;
    }
}
