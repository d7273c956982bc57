package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;

/** The job graph: each source's sink chained to it (no serialization of messages), or one sink for all. */
class RawStreamPipelineTest {
    @TempDir
    Path out;

    private JobGraph graph(boolean perSource) {
        Settings s = JobConfig.defaults();
        s.set(JobConfig.OUTPUT_DIR, out.toString(), "test");
        s.set(JobConfig.SOURCES, "a,b", "test");
        s.set(JobConfig.SINK_PER_SOURCE, Boolean.toString(perSource), "test");
        s.set("source.a.type", "spead-udp", "test");
        s.set("source.a.port", "7148", "test");
        s.set("source.b.type", "spead-udp", "test");
        s.set("source.b.port", "7150", "test");
        s.set("source.b.io-group", "2", "test");
        JobConfig config = JobConfig.from(s);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                FlinkSetup.applyJobSettings(new Configuration(), config));
        RawStreamPipeline.build(env, config);
        return env.getStreamGraph().getJobGraph();
    }

    private static List<String> vertices(JobGraph g) {
        List<String> names = new ArrayList<>();
        for (JobVertex v : g.getVertices()) {
            names.add(v.getName());
        }
        return names;
    }

    @Test
    void eachSourceEndsInItsOwnChainedSink() {
        JobGraph g = graph(true);
        List<String> names = vertices(g);
        assertThat(names).hasSize(2).allSatisfy(n -> assertThat(n).contains("heap ordering").contains("raw-hdf5 sink"));
    }

    @Test
    void jobSettingsEnableObjectReuse() {
        // Chained operators then pass records by reference: leased messages are never copied.
        assertThat(StreamExecutionEnvironment.getExecutionEnvironment(
                FlinkSetup.applyJobSettings(new Configuration(), JobConfig.from(JobConfig.defaults())))
                .getConfig().isObjectReuseEnabled()).isTrue();
    }

    @Test
    void onePerJobSinkTakesEverySourceThroughTheNetwork() {
        List<String> names = vertices(graph(false));
        assertThat(names).hasSize(3).anySatisfy(n -> assertThat(n).startsWith("raw-hdf5 sink"));
    }
}
