package org.rawstream.sources.transport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Counters created by name on first use, written by the receiving thread, readable from any
 * thread; the Flink reader turns each into a metric as it appears ({@link #onNew}). The number
 * of names is capped ({@value #MAX_NAMES}); further names share the counter {@value #OVERFLOW_NAME}.
 *
 * <p>Decoders look counters up once (when created) and keep the {@link LongCounter}: the lookup is
 * a map access, the increment is not.
 */
public final class NamedCounters {
    public static final int MAX_NAMES = 64;
    public static final String OVERFLOW_NAME = "other";

    private final Map<String, LongCounter> counters = new ConcurrentHashMap<>();
    private volatile BiConsumer<String, LongCounter> listener = (name, counter) -> { };

    /** The counter for {@code name}, created if new. */
    public LongCounter counter(String name) {
        LongCounter c = counters.get(name);
        return c != null ? c : create(name);
    }

    private synchronized LongCounter create(String name) {
        LongCounter c = counters.get(name);
        if (c != null) {
            return c;
        }
        String key = counters.size() >= MAX_NAMES ? OVERFLOW_NAME : name;
        c = counters.get(key);
        if (c == null) {
            c = new LongCounter();
            counters.put(key, c);
            listener.accept(key, c);
        }
        return c;
    }

    /** Called for every counter that exists now and, from then on, for each new one (on the creating thread). */
    public synchronized void onNew(BiConsumer<String, LongCounter> newCounterListener) {
        this.listener = newCounterListener;
        counters.forEach(newCounterListener);
    }

    public long get(String name) {
        LongCounter c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    public int size() {
        return counters.size();
    }

    /** A snapshot of every counter's value. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        counters.forEach((name, c) -> out.put(name, c.get()));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
