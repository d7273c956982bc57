package org.rawstream.sinks.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.sinks.rawhdf5.RawFileReader;

/**
 * {@code maxFileAge} on a source that went quiet: in a MiniCluster (Flink's real processing-time
 * service) a source sends a few messages and then nothing until the next checkpoint; the sink
 * closes their file once it is older than the age with no further record arriving, and the file
 * becomes visible only when the next checkpoint commits it.
 */
class RawHdf5SinkRollOnTimeITCase {
    private static final int MESSAGES = 10;
    private static final Duration DEADLINE = Duration.ofMinutes(2);
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1)
            .setConfiguration(REPORTER.addToConfiguration(new Configuration())).build());

    @TempDir
    Path dir;

    @Test
    void aQuietSourcesFileRollsByAgeAndIsCommittedAtTheNextCheckpoint(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        // Checkpoints only when the test triggers one: the periodic one is an hour away.
        env.enableCheckpointing(Duration.ofHours(1).toMillis());
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(Duration.ofMinutes(59).toMillis());
        // MESSAGES records, then nothing until a checkpoint completes.
        DataGeneratorSource<Long> quiet = new DataGeneratorSource<>(i -> i, Long.MAX_VALUE,
                RateLimiterStrategy.perCheckpoint(MESSAGES), Types.LONG);
        RawHdf5Sink sink = RawHdf5Sink.builder().outputDirectory(dir).source("a", "test", "1.0")
                .rollPolicy(RollPolicy.builder().maxFileAge(Duration.ofSeconds(1)).build())
                .build(); // default batches (1000 messages): the ten stay in the writer's batch until the timer
        env.fromSource(quiet, WatermarkStrategy.noWatermarks(), "quiet")
                .map(i -> new RawMessage("a", 1, message(i)))
                .returns(RawMessageTypeInfo.INSTANCE)
                .sinkTo(sink);
        JobClient job = env.executeAsync("roll-on-time");
        try {
            JobID id = job.getJobID();
            await("the age roll of the quiet source's file", () -> counter(id, ".rawhdf5.filesClosed") == 1);
            assertThat(counter(id, ".rawhdf5.recordsWritten")).isEqualTo(MESSAGES);
            List<Path> before = list(dir.resolve("a"));
            assertThat(before).as("closed, still hidden: no checkpoint yet").singleElement()
                    .satisfies(p -> assertThat(p.getFileName().toString()).endsWith(PartFileName.HIDDEN_SUFFIX));

            cluster.triggerCheckpoint(id).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            Path hidden = before.get(0);
            Path visible = hidden.resolveSibling(PartFileName.parseHidden(hidden.getFileName().toString())
                    .orElseThrow().visible());
            await("the commit of the rolled file", () -> Files.exists(visible));
            List<String> read = new ArrayList<>();
            try (RawFileReader reader = RawFileReader.open(visible)) {
                for (byte[] m : reader.messages(0, reader.count())) {
                    read.add(new String(m, StandardCharsets.UTF_8));
                }
            }
            List<String> expected = new ArrayList<>();
            for (long i = 0; i < MESSAGES; i++) {
                expected.add(new String(message(i), StandardCharsets.UTF_8));
            }
            assertThat(read).isEqualTo(expected);
            assertThat(counter(id, ".rawhdf5.filesCommitted")).isEqualTo(1);

            // The checkpoint let the source send its next ten, then it is quiet again: the timer
            // keeps running, so they roll by age too and wait, hidden, for the checkpoint after.
            await("the age roll of the next interval's file", () -> counter(id, ".rawhdf5.filesClosed") == 2);
            assertThat(list(dir.resolve("a"))).hasSize(2).filteredOn(p -> p.getFileName().toString()
                    .endsWith(PartFileName.HIDDEN_SUFFIX)).singleElement()
                    .satisfies(p -> assertThat(PartFileName.parseHidden(p.getFileName().toString()).orElseThrow()
                            .checkpoint).isEqualTo(2));
        } finally {
            job.cancel().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static byte[] message(long i) {
        return ("quiet-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Path> list(Path sourceDir) throws Exception {
        try (Stream<Path> files = Files.list(sourceDir)) {
            return files.toList();
        }
    }

    /** Sum of the job's counters whose identifier ends with {@code suffix}. */
    private static long counter(JobID job, String suffix) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> g : REPORTER.getMetricsByGroup().entrySet()) {
            if (!job.toString().equals(g.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            for (Map.Entry<String, Metric> e : g.getValue().entrySet()) {
                if (e.getValue() instanceof Counter c && g.getKey().getMetricIdentifier(e.getKey()).endsWith(suffix)) {
                    total += c.getCount();
                }
            }
        }
        return total;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + DEADLINE + " waiting for " + what);
            }
            LockSupport.parkNanos(20_000_000L); // poll interval, not a settle delay
        }
    }
}
