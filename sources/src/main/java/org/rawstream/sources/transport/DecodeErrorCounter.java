package org.rawstream.sources.transport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts decode errors per kind and logs them at a bounded rate: at most one line per kind per
 * {@code logInterval}, carrying the number of occurrences suppressed since the previous line.
 *
 * <p>Written by the receiving thread; {@link #counts()} may be read from any thread. The number of
 * distinct kinds is capped ({@value #MAX_KINDS}); further kinds count under {@value #OTHER_KIND}
 * so a buggy decoder cannot grow the map (or the metric registry) without bound.
 */
public final class DecodeErrorCounter implements DecodeErrors {
    public static final int MAX_KINDS = 64;
    public static final String OTHER_KIND = "other";
    private static final Logger LOG = LoggerFactory.getLogger(DecodeErrorCounter.class);

    private final String owner;
    private final long logIntervalNanos;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
    private final LongCounter total = new LongCounter();
    private volatile BiConsumer<String, LongCounter> newKindListener = (kind, counter) -> { };

    private static final class Kind {
        final LongCounter count = new LongCounter();
        long lastLogNanos;
        long suppressed;
        boolean logged;
    }

    /** @param owner named in log lines (for example the source and endpoint) */
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
        this.newKindListener = listener;
        kinds.forEach((name, kind) -> listener.accept(name, kind.count));
    }

    @Override
    public void error(String kind) {
        Kind k = kinds.get(kind);
        if (k == null) {
            k = newKind(kind);
        }
        k.count.increment();
        total.increment();
        long now = System.nanoTime();
        if (!k.logged || now - k.lastLogNanos >= logIntervalNanos) {
            if (k.suppressed > 0) {
                LOG.warn("{}: decode error '{}' (total {}, {} more since the last report)",
                        owner, kind, k.count.get(), k.suppressed);
            } else {
                LOG.warn("{}: decode error '{}' (total {})", owner, kind, k.count.get());
            }
            k.logged = true;
            k.lastLogNanos = now;
            k.suppressed = 0;
        } else {
            k.suppressed++;
        }
    }

    private Kind newKind(String kind) {
        String name = kind;
        if (kinds.size() >= MAX_KINDS) {
            name = OTHER_KIND;
            Kind other = kinds.get(name);
            if (other != null) {
                return other;
            }
        }
        Kind created = new Kind();
        kinds.put(name, created);
        newKindListener.accept(name, created.count);
        return created;
    }

    public long count(String kind) {
        Kind k = kinds.get(kind);
        return k == null ? 0 : k.count.get();
    }

    public long total() {
        return total.get();
    }

    /** A snapshot of the counts, by kind. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new LinkedHashMap<>();
        kinds.forEach((name, kind) -> out.put(name, kind.count.get()));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return owner + " decode errors " + counts();
    }
}
