package org.rawstream.job.metrics;

import java.util.Properties;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * {@code metrics.reporter.prom.factory.class: org.rawstream.job.metrics.LoopbackPrometheusReporterFactory}:
 * serves every Flink metric in the Prometheus text format on {@code http://<host>:<port>/metrics},
 * with {@code host} 127.0.0.1 and {@code port} 9249 unless the reporter's properties say otherwise
 * ({@code metrics.reporter.prom.host}, {@code metrics.reporter.prom.port}). Flink's own
 * PrometheusReporter always listens on every interface.
 */
public final class LoopbackPrometheusReporterFactory implements MetricReporterFactory {
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9249;

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        String host = properties.getProperty(HOST, DEFAULT_HOST);
        int port = Integer.parseInt(properties.getProperty(PORT, Integer.toString(DEFAULT_PORT)).trim());
        return new LoopbackPrometheusReporter(host, port);
    }
}
