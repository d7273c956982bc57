package org.rawstream.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;

/** A MiniCluster that keeps its metrics, and sums of a source's metrics (what the dashboard shows). */
public final class JobMetrics {
    private final InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();

    /** MiniCluster configuration: one TaskManager, two slots, this reporter. */
    public MiniClusterResourceConfiguration cluster() {
        return new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                .setConfiguration(reporter.addToConfiguration(new Configuration())).build();
    }

    /** Sum over subtasks of metric {@code rawstream.<source>.<name>} (counters and numeric gauges). */
    public long sum(JobID job, String source, String name) {
        Map<String, Metric> metrics = reporter.findMetrics(job, "rawstream." + source + ".");
        long total = 0;
        boolean found = false;
        for (Map.Entry<String, Metric> e : metrics.entrySet()) {
            if (e.getKey().endsWith("." + name)) {
                found = true;
                Metric m = e.getValue();
                total += m instanceof Counter ? ((Counter) m).getCount() : ((Number) ((Gauge<?>) m).getValue()).longValue();
            }
        }
        assertThat(found).as("metric %s in %s", name, metrics.keySet()).isTrue();
        return total;
    }

    /** Sum of every metric of the job whose identifier ends with {@code suffix} (e.g. {@code .numRestarts}). */
    public long jobMetric(JobID job, String suffix) {
        return jobMetric(reporter, job, suffix);
    }

    /** {@link #jobMetric(JobID, String)} over any in-memory reporter. */
    public static long jobMetric(InMemoryReporter reporter, JobID job, String suffix) {
        long total = 0;
        for (Map.Entry<org.apache.flink.metrics.MetricGroup, Map<String, Metric>> g : reporter.getMetricsByGroup().entrySet()) {
            if (!job.toString().equals(g.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            for (Map.Entry<String, Metric> e : g.getValue().entrySet()) {
                if (g.getKey().getMetricIdentifier(e.getKey()).endsWith(suffix)) {
                    Metric m = e.getValue();
                    total += m instanceof Counter ? ((Counter) m).getCount() : ((Number) ((Gauge<?>) m).getValue()).longValue();
                }
            }
        }
        return total;
    }
}
