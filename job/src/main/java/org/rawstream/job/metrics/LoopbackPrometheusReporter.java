package org.rawstream.job.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Prometheus endpoint for Flink's metrics that listens on one address (127.0.0.1 by default),
 * on the exposition library Flink's own reporter ships (flink-metrics-prometheus). Names and labels
 * follow Flink's PrometheusReporter, so its dashboards apply: {@code flink_<logical scope>_<name>}
 * (e.g. {@code flink_taskmanager_job_task_operator_rawstream_spead_bytesReceived}) with the scope
 * variables as labels ({@code job_name}, {@code operator_name}, {@code subtask_index}, and key/value
 * groups such as the sink's {@code source}). Counters and gauges are gauges (Flink counters may go
 * down), meters their rate, histograms summaries.
 */
public final class LoopbackPrometheusReporter implements MetricReporter {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackPrometheusReporter.class);
    private static final Pattern INVALID = Pattern.compile("[^a-zA-Z0-9:_]");
    private static final CharacterFilter FILTER = s -> INVALID.matcher(s).replaceAll("_");
    private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};

    private final String host;
    private final int port;
    /** Exposed series by family name, then by label values. */
    private final Map<String, Map<List<String>, Series>> families = new ConcurrentHashMap<>();
    private HTTPServer server;

    LoopbackPrometheusReporter(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public void open(MetricConfig config) {
        CollectorRegistry registry = new CollectorRegistry(true);
        registry.register(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                return samples();
            }
        });
        try {
            server = new HTTPServer(new InetSocketAddress(host, port), registry, true);
        } catch (IOException e) {
            throw new UncheckedIOException("Prometheus reporter: cannot listen on " + host + ":" + port, e);
        }
        LOG.info("Prometheus metrics on http://{}:{}/metrics", host, server.getPort());
    }

    /** The port listened on (the configured one, or the one chosen for port 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        Series series = series(metric, metricName, group);
        families.computeIfAbsent(series.family, f -> new ConcurrentHashMap<>()).put(series.labelValues, series);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        Series series = series(metric, metricName, group);
        Map<List<String>, Series> family = families.get(series.family);
        if (family != null) {
            family.computeIfPresent(series.labelValues, (k, existing) -> existing.metric == metric ? null : existing);
        }
    }

    private static Series series(Metric metric, String metricName, MetricGroup group) {
        String scope = LogicalScopeProvider.castFrom(group).getLogicalScope(FILTER, '_');
        String family = "flink_" + scope + "_" + FILTER.filterCharacters(metricName);
        Map<String, String> labels = new TreeMap<>();
        group.getAllVariables().forEach((k, v) ->
                labels.put(FILTER.filterCharacters(k.replace("<", "").replace(">", "")), v == null ? "" : v));
        return new Series(family, List.copyOf(labels.keySet()), List.copyOf(labels.values()), metric);
    }

    private List<Collector.MetricFamilySamples> samples() {
        List<Collector.MetricFamilySamples> out = new ArrayList<>();
        new TreeMap<>(families).forEach((family, series) -> {
            List<Collector.MetricFamilySamples.Sample> samples = new ArrayList<>();
            Collector.Type type = Collector.Type.GAUGE;
            for (Series s : series.values()) {
                if (s.metric instanceof Histogram h) {
                    type = Collector.Type.SUMMARY;
                    HistogramStatistics stats = h.getStatistics();
                    for (double q : QUANTILES) {
                        List<String> names = new ArrayList<>(s.labelNames);
                        names.add("quantile");
                        List<String> values = new ArrayList<>(s.labelValues);
                        values.add(Double.toString(q));
                        samples.add(new Collector.MetricFamilySamples.Sample(family, names, values, stats.getQuantile(q)));
                    }
                    samples.add(new Collector.MetricFamilySamples.Sample(family + "_count", s.labelNames, s.labelValues,
                            h.getCount()));
                } else {
                    Double value = value(s.metric);
                    if (value != null) {
                        samples.add(new Collector.MetricFamilySamples.Sample(family, s.labelNames, s.labelValues, value));
                    }
                }
            }
            if (!samples.isEmpty()) {
                out.add(new Collector.MetricFamilySamples(family, type, family, samples));
            }
        });
        return out;
    }

    private static Double value(Metric metric) {
        if (metric instanceof Counter c) {
            return (double) c.getCount();
        }
        if (metric instanceof Meter m) {
            return m.getRate();
        }
        if (metric instanceof Gauge<?> g) {
            Object v = g.getValue();
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            if (v instanceof Boolean b) {
                return b ? 1.0 : 0.0;
            }
        }
        return null; // strings and other gauges have no Prometheus value
    }

    private record Series(String family, List<String> labelNames, List<String> labelValues, Metric metric) {}
}
