package org.rawstream.sources.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts decode errors per kind and logs them at a bounded rate: at most one line per kind per
 * log interval (10 s by default), carrying the number of occurrences since the previous line.
 *
 * <p>Written by the receiving thread; counts may be read from any thread. The number of distinct
 * kinds is capped ({@link NamedCounters#MAX_NAMES}); further kinds count under
 * {@link NamedCounters#OVERFLOW_NAME}, so a buggy decoder cannot grow the map (or the metric
 * registry) without bound.
 */
public final class DecodeErrorCounter implements DecodeErrors {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeErrorCounter.class);

    private final String owner;
    private final long logIntervalNanos;
    private final NamedCounters counts = new NamedCounters();
    private final LongCounter total = new LongCounter();
    /** Receiving thread only. */
    private final Map<String, LogState> logStates = new HashMap<>();

    private static final class LogState {
        final LongCounter count;
        final LogThrottle throttle;
        long suppressed;

        LogState(LongCounter count, long interval) {
            this.count = count;
            this.throttle = new LogThrottle(interval);
        }
    }

    /** @param owner named in log lines (for example the source and subtask) */
    public DecodeErrorCounter(String owner, long logInterval, TimeUnit unit) {
        this.owner = owner;
        this.logIntervalNanos = unit.toNanos(logInterval);
    }

    public DecodeErrorCounter(String owner) {
        this(owner, 10, TimeUnit.SECONDS);
    }

    /**
     * Called (on the receiving thread) the first time a kind occurs, and at once for kinds already
     * seen: the Flink reader registers a metric per kind this way.
     */
    public void onNewKind(BiConsumer<String, LongCounter> listener) {
        counts.onNew(listener);
    }

    @Override
    public void error(String kind) {
        long now = System.nanoTime();
        String key = kind;
        LogState state = logStates.get(key);
        if (state == null && logStates.size() >= NamedCounters.MAX_NAMES) {
            key = NamedCounters.OVERFLOW_NAME;
            state = logStates.get(key);
        }
        if (state == null) {
            state = new LogState(counts.counter(key), logIntervalNanos);
            logStates.put(key, state);
        }
        state.count.increment();
        total.increment();
        if (state.throttle.tryLog(now)) {
            LOG.warn("{}: decode error '{}': {} since the last report, {} in total",
                    owner, key, state.suppressed + 1, state.count.get());
            state.suppressed = 0;
        } else {
            state.suppressed++;
        }
    }

    public long count(String kind) {
        return counts.get(kind);
    }

    public long total() {
        return total.get();
    }

    /** A snapshot of the counts, by kind. */
    public Map<String, Long> counts() {
        return counts.snapshot();
    }

    @Override
    public String toString() {
        return owner + " decode errors " + counts();
    }
}
