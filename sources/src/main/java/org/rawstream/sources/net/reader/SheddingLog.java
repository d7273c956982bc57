package org.rawstream.sources.net.reader;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.rawstream.sources.transport.LogThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the log when a source sheds, and why: one line when the receiving thread starts shedding
 * (how far the task thread is behind, in hand-over bytes), one when the task thread has caught up
 * (how long it took and what was shed meanwhile). The metrics count every shed unit; these lines
 * say when it happened, which the counters alone do not. Bounded: at most one episode is logged
 * per interval (60 s by default); the episodes in between are summed into the next line.
 *
 * <p>Fetcher thread only, once per fetch.
 */
final class SheddingLog {
    private static final Logger LOG = LoggerFactory.getLogger(SheddingLog.class);
    private static final double MIB = 1024.0 * 1024.0;

    private final String owner;
    private final LogThrottle throttle;
    private final long limitBytes;
    private final long shedFromBytes;
    private final Consumer<String> warn;
    private final Consumer<String> info;

    private boolean shedding;
    private boolean episodeLogged;
    private long episodeStartNanos;
    private long episodePackets;
    private long episodeBytes;
    /** Episodes since the last logged one that were not logged themselves. */
    private long quietEpisodes;
    private long quietPackets;
    private long quietBytes;

    SheddingLog(String owner, long limitBytes, double shedAt) {
        this(owner, limitBytes, shedAt, TimeUnit.SECONDS.toNanos(60), LOG::warn, LOG::info);
    }

    SheddingLog(String owner, long limitBytes, double shedAt, long intervalNanos, Consumer<String> warn,
            Consumer<String> info) {
        this.owner = owner;
        this.limitBytes = limitBytes;
        this.shedFromBytes = (long) (limitBytes * Math.min(1.0, shedAt));
        this.throttle = new LogThrottle(intervalNanos);
        this.warn = warn;
        this.info = info;
    }

    /**
     * After a fetch in which decoders shed {@code packets} packets of {@code bytes} bytes;
     * {@code overloaded}: whether the hand-over is still past the shedding point, holding
     * {@code handoverBytes} in {@code handoverBatches} batches (either may have passed it).
     */
    void afterFetch(long packets, long bytes, boolean overloaded, long handoverBytes, int handoverBatches, long nowNanos) {
        if (!shedding) {
            if (packets == 0) {
                return;
            }
            shedding = true;
            episodeStartNanos = nowNanos;
            episodePackets = 0;
            episodeBytes = 0;
            episodeLogged = throttle.tryLog(nowNanos);
            if (episodeLogged) {
                warn.accept(String.format("%s: shedding whole new heaps/units: the task thread is %.0f MiB in %d batches "
                        + "behind the receiver (hand-over %.0f MiB, shedding from %.0f MiB); units already started are "
                        + "kept. Counted in heapsShed/unitsShed.%s", owner, handoverBytes / MIB, handoverBatches,
                        limitBytes / MIB, shedFromBytes / MIB, quietSummary()));
                quietEpisodes = 0;
                quietPackets = 0;
                quietBytes = 0;
            }
        }
        episodePackets += packets;
        episodeBytes += bytes;
        if (overloaded) {
            return;
        }
        shedding = false;
        if (episodeLogged) {
            info.accept(String.format("%s: caught up after %d ms; shed %d packets (%.1f MB) meanwhile", owner,
                    TimeUnit.NANOSECONDS.toMillis(nowNanos - episodeStartNanos), episodePackets, episodeBytes / 1e6));
        } else {
            quietEpisodes++;
            quietPackets += episodePackets;
            quietBytes += episodeBytes;
        }
    }

    private String quietSummary() {
        return quietEpisodes == 0 ? "" : String.format(" Since the last such line: %d more episodes, %d packets (%.1f MB) shed.",
                quietEpisodes, quietPackets, quietBytes / 1e6);
    }
}
