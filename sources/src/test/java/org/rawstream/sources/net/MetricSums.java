package org.rawstream.sources.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;

/** Test helper (shared with the job's ITCases): metric values from an {@code InMemoryReporter}. */
public final class MetricSums {
    private MetricSums() {
    }

    /** Sum of a metric over subtasks; counters and numeric gauges. Fails if no such metric exists. */
    public static long sum(Map<String, Metric> metrics, String name) {
        long total = 0;
        boolean found = false;
        for (Map.Entry<String, Metric> e : metrics.entrySet()) {
            if (!e.getKey().endsWith("." + name)) {
                continue;
            }
            found = true;
            Metric m = e.getValue();
            if (m instanceof Counter) {
                total += ((Counter) m).getCount();
            } else if (m instanceof Gauge) {
                total += ((Number) ((Gauge<?>) m).getValue()).longValue();
            }
        }
        assertThat(found).as("metric %s in %s", name, metrics.keySet()).isTrue();
        return total;
    }
}
