package org.rawstream.bench.spead;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Keeps every metric of the bench's MiniCluster (same JVM) whose name contains "rawstream", so a
 * run can say where heaps went (kernel, source, assembly, ordering) without a dashboard. Metrics
 * stay readable after their task ends (the objects are kept).
 */
public final class CapturingMetricReporter implements MetricReporter, MetricReporterFactory {

    private static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return this;
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String id = group.getMetricIdentifier(metricName);
        if (metricName.equals("numRestarts")) {
            METRICS.put("job.numRestarts", metric);
        } else if (id.contains("rawstream")) {
            METRICS.put(id.substring(id.indexOf("rawstream")), metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // kept on purpose: read after the job ended
    }

    /** Restarts of the bench's job (a run with restarts measured a failover, not throughput). */
    static long restarts() {
        return METRICS.get("job.numRestarts") instanceof Gauge<?> g && g.getValue() instanceof Number n ? n.longValue() : 0;
    }

    static void clear() {
        METRICS.clear();
    }

    /** Non-zero numeric values by metric name (identifiers from "rawstream" on), summed over subtasks. */
    static Map<String, Long> nonZero() {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            long v;
            if (e.getValue() instanceof Counter c) {
                v = c.getCount();
            } else if (e.getValue() instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                v = n.longValue();
            } else {
                continue;
            }
            if (v != 0) {
                out.merge(e.getKey(), v, Long::sum);
            }
        }
        return out;
    }
}
