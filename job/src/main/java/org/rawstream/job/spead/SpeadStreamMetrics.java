package org.rawstream.job.spead;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.rawstream.sources.spead.SpeadStreamStatistics;

/**
 * Per-stream SPEAD statistics of one operator subtask, exposed as gauges under
 * {@code rawstream.<source>.stream.<stream>.<counter>} (registered when a stream is first seen).
 * The counters live in memory (metrics restart from zero after a failover, as Flink's do).
 */
final class SpeadStreamMetrics {

    /** Counters heap assembly maintains. */
    static final Set<String> ASSEMBLY = Set.of("packets", "bytes", "invalid_packets", "duplicate_packets",
            "late_packets", "heaps_completed", "heaps_incomplete", "heaps_incomplete_evicted",
            "heaps_incomplete_expired", "heaps_incomplete_flushed", "single_packet_heaps");
    /** Counters per-stream ordering maintains. */
    static final Set<String> ORDERING = Set.of("stops", "heaps_delivered", "incomplete_heaps_delivered",
            "incomplete_heaps_dropped", "heaps_out_of_order", "heaps_missing", "descriptors_seen",
            "descriptors_invalid");

    /** Streams beyond this share one "other" group (a bound on metric cardinality). */
    private static final int MAX_STREAMS = 256;

    private final MetricGroup group;
    private final Set<String> names;
    private final Map<String, SpeadStreamStatistics> byStream = new HashMap<>();

    SpeadStreamMetrics(MetricGroup sourceGroup, Set<String> names) {
        this.group = sourceGroup;
        this.names = names;
    }

    SpeadStreamStatistics of(String stream) {
        SpeadStreamStatistics s = byStream.get(stream);
        if (s != null) {
            return s;
        }
        String label = byStream.size() >= MAX_STREAMS ? "other" : stream;
        s = byStream.get(label);
        if (s == null) {
            s = new SpeadStreamStatistics();
            register(group.addGroup("stream", label), s);
        }
        byStream.put(stream, s);
        return s;
    }

    private void register(MetricGroup streamGroup, SpeadStreamStatistics stats) {
        for (String name : stats.asMap().keySet()) {
            if (names.contains(name) || (names.contains("invalid_packets") && name.startsWith("invalid_"))) {
                streamGroup.gauge(name, (Gauge<Long>) () -> stats.asMap().get(name));
            }
        }
    }
}
