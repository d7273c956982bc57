package org.rawstream.job.spead;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.rawstream.sources.spead.SpeadStreamStatistics;

/**
 * Per-stream SPEAD statistics of one operator subtask, exposed as gauges under
 * {@code rawstream.<source>.stream.<identity>.<counter>} (registered when an identity is first
 * seen). The identity is the stream without the sender's port — {@code udp:<local>:<port><-<sender
 * address>}, {@code tcp:<local>:<port><-<peer address>} — so that it is stable across a sender's
 * restarts and sockets, and one sender's many ports (or connections) add up in one group. At most
 * {@value #MAX_STREAMS} identities get a group; the rest add up in {@code stream.other}. The
 * counters live in memory (metrics restart from zero after a failover, as Flink's do).
 */
final class SpeadStreamMetrics {

    /** Counters heap assembly maintains. */
    static final Set<String> ASSEMBLY = Set.of("packets", "bytes", "invalid_packets", "duplicate_packets",
            "late_packets", "heaps_completed", "heaps_incomplete", "heaps_incomplete_evicted",
            "heaps_incomplete_expired", "heaps_incomplete_flushed", "single_packet_heaps", "heaps_refused",
            "packets_refused", "heaps_shed", "packets_shed");
    /** Counters per-stream ordering maintains. */
    static final Set<String> ORDERING = Set.of("stops", "heaps_delivered", "incomplete_heaps_delivered",
            "incomplete_heaps_dropped", "heaps_out_of_order", "heaps_missing", "descriptors_seen",
            "descriptors_invalid");

    /** Identities beyond this share one "other" group (a bound on metric cardinality). */
    static final int MAX_STREAMS = 256;
    static final String OTHER = "other";
    /** Streams whose statistics are looked up by name without deriving the identity again. */
    private static final int STREAM_CACHE = 4096;

    private final MetricGroup group;
    private final Set<String> names;
    private final Map<String, SpeadStreamStatistics> byIdentity = new HashMap<>();
    private final Map<String, SpeadStreamStatistics> byStream = new HashMap<>();
    /** The stream asked for last (by identity: the source names a stream with one object) and its statistics. */
    private String lastStream;
    private SpeadStreamStatistics lastStatistics;

    SpeadStreamMetrics(MetricGroup sourceGroup, Set<String> names) {
        this.group = sourceGroup;
        this.names = names;
    }

    SpeadStreamStatistics of(String stream) {
        if (stream == lastStream) {
            return lastStatistics;
        }
        SpeadStreamStatistics s = byStream.get(stream);
        if (s == null) {
            s = statisticsOf(stream);
        }
        lastStream = stream;
        lastStatistics = s;
        return s;
    }

    private SpeadStreamStatistics statisticsOf(String stream) {
        String identity = identity(stream);
        SpeadStreamStatistics s = byIdentity.get(identity);
        if (s == null) {
            String label = byIdentity.size() >= MAX_STREAMS ? OTHER : identity;
            s = byIdentity.get(label);
            if (s == null) {
                s = new SpeadStreamStatistics();
                byIdentity.put(label, s);
                register(group.addGroup("stream", label), s);
            }
        }
        if (byStream.size() >= STREAM_CACHE) {
            byStream.clear(); // senders come and go (ports): a cache, not a registry
        }
        byStream.put(stream, s);
        return s;
    }

    /** The stream without the sender's port (and TCP connection number): see the class comment. */
    static String identity(String stream) {
        int from = stream.indexOf("<-");
        if (from < 0) {
            return stream;
        }
        int end = stream.indexOf('#', from);
        String s = end < 0 ? stream : stream.substring(0, end);
        int colon = s.lastIndexOf(':');
        return colon > from + 2 ? s.substring(0, colon) : s;
    }

    private void register(MetricGroup streamGroup, SpeadStreamStatistics stats) {
        for (String name : stats.asMap().keySet()) {
            if (names.contains(name) || (names.contains("invalid_packets") && name.startsWith("invalid_"))) {
                streamGroup.gauge(name, (Gauge<Long>) () -> stats.asMap().get(name));
            }
        }
    }
}
