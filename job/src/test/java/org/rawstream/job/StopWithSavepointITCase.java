package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;

/**
 * Must-show 2: stop-with-savepoint mid-stream commits everything up to the stop (no hidden file
 * left); resuming from the savepoint writes the rest; together every message exactly once.
 */
class StopWithSavepointITCase {
    static final long COUNT = 60_000;
    static final int SIZE = 80;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path tmp;

    @Test
    void stopWithSavepointThenResumeIsExactlyOnce() throws Exception {
        Path out = tmp.resolve("out");
        Path dir = out.resolve("gen");
        JobConfig config = TestJobs.generatorConfig(out, COUNT, 15_000, SIZE, 0);

        JobClient first = newEnvironment(config).executeAsync(graph(config, null));
        Deadlines.await(Duration.ofSeconds(60), "a committed file of the first run",
                () -> !OutputCheck.committedFiles(dir).isEmpty());
        String savepoint = first.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        first.getJobExecutionResult().get(60, TimeUnit.SECONDS);

        assertThat(OutputCheck.hiddenFiles(dir)).as("stop committed everything").isEmpty();
        List<Path> firstFiles = OutputCheck.committedFiles(dir);
        long firstCount = OutputCheck.h5pySummaries(firstFiles, tmp).stream().mapToLong(s -> s.get("count").asLong()).sum();
        assertThat(firstCount).as("stopped mid-stream").isPositive().isLessThan(COUNT);

        newEnvironment(config).executeAsync(graph(config, savepoint)).getJobExecutionResult().get(120, TimeUnit.SECONDS);

        assertThat(OutputCheck.hiddenFiles(dir)).isEmpty();
        List<Path> all = OutputCheck.committedFiles(dir);
        assertThat(all).containsAll(firstFiles).hasSizeGreaterThan(firstFiles.size());
        OutputCheck.assertExactlyOnce(
                OutputCheck.messageMultiset(OutputCheck.h5pySummaries(all, tmp), 0, "generator", "1.0"),
                OutputCheck.expectedGenerated(COUNT, SIZE));
    }

    private static StreamExecutionEnvironment newEnvironment(JobConfig config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(TestJobs.jobConfiguration(config, 300));
        return env;
    }

    private StreamGraph graph(JobConfig config, String savepoint) {
        StreamExecutionEnvironment env = newEnvironment(config);
        RawStreamPipeline.build(env, config);
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint));
        }
        return graph;
    }
}
