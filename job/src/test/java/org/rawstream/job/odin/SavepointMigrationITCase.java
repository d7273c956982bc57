package org.rawstream.job.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.source.StoredMessages;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sources.odin.OdinPacketType;
import org.rawstream.sources.transport.UdpSender;

/**
 * Migration test in the manner of Flink's connectors: the golden savepoint of the first release
 * ({@link GoldenOdinScenario}; ODIN schemas and held data, network source split, sink writer
 * state and a pending committable) restored into today's job wiring at the parallelism it was
 * taken with (2), a lower and a higher one, and on RocksDB; the rest of the scenario's packets sent; the committed
 * output and the decoded values must be exactly those of an uninterrupted run (the last test).
 */
class SavepointMigrationITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(3)
                    .setConfiguration(REPORTER.addToConfiguration(new Configuration())).build());

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "restored at parallelism {0} on {1}")
    @CsvSource({"2, hashmap", "1, hashmap", "3, hashmap", "2, rocksdb"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void goldenSavepointOfTheFirstReleaseResumesExactlyOnce(int parallelism, String backend) throws Exception {
        Path out = tmp.resolve("out");
        GoldenOdinScenario.copyTree(GoldenOdinScenario.golden().resolve("output"), out);
        String savepoint = GoldenOdinScenario.golden().resolve("savepoint").toUri().toString();

        JobClient job = run(out, parallelism, backend, savepoint, GoldenOdinScenario.secondPart());

        List<byte[]> all = new ArrayList<>(GoldenOdinScenario.firstPart());
        all.addAll(GoldenOdinScenario.secondPart());
        assertStoredExactlyOnceInSequenceOrder(out, all);
        // The first release decoded identifier 7's first 5 data packets before the savepoint; the
        // rest decode now, identifier 9's held data among them (its schema arrives only now).
        assertThat(valuesDecoded(job)).isEqualTo(GoldenOdinScenario.DATA_PACKETS - 5);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void uninterruptedRunStoresEveryPacketOnceAndDecodesEveryDataPacket() throws Exception {
        Path out = tmp.resolve("out");
        List<byte[]> all = new ArrayList<>(GoldenOdinScenario.firstPart());
        all.addAll(GoldenOdinScenario.secondPart());

        JobClient job = run(out, GoldenOdinScenario.PARALLELISM, "hashmap", null, all);

        assertStoredExactlyOnceInSequenceOrder(out, all);
        assertThat(valuesDecoded(job)).isEqualTo(GoldenOdinScenario.DATA_PACKETS);
    }

    /** Runs the scenario's job (from {@code savepoint} if not null), sends {@code packets}, waits for its end. */
    private static JobClient run(Path out, int parallelism, String backend, String savepoint, List<byte[]> packets)
            throws Exception {
        JobConfig config = GoldenOdinScenario.config(out, parallelism, "2s");
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        // The savepoint is canonical: either backend restores it.
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        RawStreamPipeline.build(env, config);
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        JobClient job = env.executeAsync(graph);
        assertThat(LocalEndpoints.awaitBound(false, GoldenOdinScenario.PORT, Duration.ofSeconds(60))).isTrue();
        UdpSender.to("127.0.0.1", GoldenOdinScenario.PORT).build().send(packets, 1);
        job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
        return job;
    }

    /** Every packet stored exactly once, nothing left hidden, data of each identifier in sequence order. */
    private static void assertStoredExactlyOnceInSequenceOrder(Path out, List<byte[]> sent) throws Exception {
        Path dir = out.resolve("odin");
        assertThat(StoredMessages.hiddenFiles(dir)).isEmpty();
        List<byte[]> stored = StoredMessages.read(dir, "odin", "1.0", 0);
        assertThat(StoredMessages.multiset(stored)).isEqualTo(StoredMessages.multiset(sent));
        // Files in the order they were written: an identifier moves between subtasks only at a restore.
        List<Path> files = new ArrayList<>(StoredMessages.committedFiles(dir));
        files.sort(Comparator.comparing(SavepointMigrationITCase::checkpointAndSequence));
        List<byte[]> inOrder = new ArrayList<>();
        for (Path file : files) {
            try (RawFileReader reader = RawFileReader.open(file)) {
                inOrder.addAll(reader.messages(0, reader.count()));
            }
        }
        Map<Integer, List<Integer>> sequences = new TreeMap<>();
        for (byte[] m : inOrder) {
            if ((m[0] & 0xff) == OdinPacketType.DATA.code()) {
                ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
                sequences.computeIfAbsent(b.getShort(1) & 0xffff, k -> new ArrayList<>()).add(b.getShort(8) & 0xffff);
            }
        }
        assertThat(sequences).isEqualTo(Map.of(
                GoldenOdinScenario.KNOWN, List.of(0, 1, 2, 3, 4, 5, 6, 7),
                GoldenOdinScenario.PENDING, List.of(0, 1, 2, 3, 4, 5)));
    }

    /** "part-LINEAGE-SUBTASK-CHECKPOINT-SEQ.h5" as "CHECKPOINT-SEQ" (both zero-padded). */
    private static String checkpointAndSequence(Path file) {
        String[] parts = file.getFileName().toString().split("-");
        return parts[3] + "-" + parts[4];
    }

    private static long valuesDecoded(JobClient job) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : REPORTER.findMetrics(job.getJobID(), "rawstream.odin.").entrySet()) {
            if (e.getKey().endsWith(".valuesDecoded") && e.getValue() instanceof Counter c) {
                sum += c.getCount();
            }
        }
        return sum;
    }
}
