package org.rawstream.job.status;

import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * The metric reporter of a local run's status line: hands every metric Flink registers to the
 * {@link StatusBoard} named by the reporter's {@code board} property (the local MiniCluster runs
 * in the launcher's JVM, so the board reads the metric objects directly).
 */
public final class StatusReporterFactory implements MetricReporterFactory {
    static final String NAME = "rawstream-status";
    static final String BOARD = "board";

    /** Adds the reporter of {@code board} to a local run's Flink configuration. */
    public static void configure(Configuration conf, StatusBoard board) {
        String prefix = "metrics.reporter." + NAME + ".";
        conf.addAll(Configuration.fromMap(Map.of(prefix + "factory.class", StatusReporterFactory.class.getName(),
                prefix + BOARD, board.id())));
    }

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new Reporter(StatusBoard.byId(properties.getProperty(BOARD)));
    }

    private static final class Reporter implements MetricReporter {
        private final StatusBoard board;

        Reporter(StatusBoard board) {
            this.board = board;
        }

        @Override
        public void open(MetricConfig config) {
        }

        @Override
        public void close() {
        }

        @Override
        public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
            board.added(metric, metricName, group);
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
            board.removed(metric, metricName, group);
        }
    }
}
