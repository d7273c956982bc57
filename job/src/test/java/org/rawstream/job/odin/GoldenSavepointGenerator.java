package org.rawstream.job.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.sources.transport.UdpSender;

/**
 * Writes the golden savepoint of {@link GoldenOdinScenario} into the directory named by the
 * system property {@code rawstream.golden.out}; skipped otherwise. Run it on the release whose
 * format the savepoint is to pin (see the golden folder's README).
 */
@EnabledIfSystemProperty(named = "rawstream.golden.out", matches = ".+")
class GoldenSavepointGenerator {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .setConfiguration(REPORTER.addToConfiguration(new Configuration())).build());

    @TempDir
    Path tmp;

    @Test
    void writeGoldenSavepoint() throws Exception {
        Path golden = Path.of(System.getProperty("rawstream.golden.out"));
        Path out = tmp.resolve("out");
        JobConfig config = GoldenOdinScenario.config(out, GoldenOdinScenario.PARALLELISM, "0s");
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        RawStreamPipeline.build(env, config);
        JobClient job = env.executeAsync("golden-savepoint");

        assertThat(LocalEndpoints.awaitBound(false, GoldenOdinScenario.PORT, Duration.ofSeconds(60))).isTrue();
        List<byte[]> first = GoldenOdinScenario.firstPart();
        UdpSender udp = UdpSender.to("127.0.0.1", GoldenOdinScenario.PORT).build();
        udp.send(first, 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (packetsSeen(job) < first.size()) {
            assertThat(System.nanoTime()).as("all packets through the schema join before the deadline").isLessThan(deadline);
            LockSupport.parkNanos(50_000_000L); // poll interval
        }

        String savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);

        GoldenOdinScenario.copyTree(Path.of(URI.create(savepoint)), golden.resolve("savepoint"));
        // The files as they were when the savepoint completed: hidden, waiting for their commit.
        Path files = golden.resolve("output").resolve("odin");
        Files.createDirectories(files);
        try (Stream<Path> committed = Files.list(out.resolve("odin"))) {
            for (Path f : (Iterable<Path>) committed::iterator) {
                String name = f.getFileName().toString();
                assertThat(name).endsWith(".h5");
                Files.copy(f, files.resolve("." + name.substring(0, name.length() - 3) + ".h5.inprogress"));
            }
        }
    }

    /** Packets the keyed schema join has handled (each valid one goes to the sink at once, held data too). */
    private static long packetsSeen(JobClient job) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : REPORTER.findMetrics(job.getJobID(), "rawstream.odin.").entrySet()) {
            if (e.getKey().endsWith(".rawstream.odin.packets")) {
                Metric m = e.getValue();
                sum += m instanceof Counter c ? c.getCount() : ((Number) ((Gauge<?>) m).getValue()).longValue();
            }
        }
        return sum;
    }
}
