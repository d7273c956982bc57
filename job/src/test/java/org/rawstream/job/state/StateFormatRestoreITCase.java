package org.rawstream.job.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rawstream.core.state.TestCounterSerializer;
import org.rawstream.sources.net.SingletonTypeInfo;

/**
 * The versioned serializer framework through real Flink restores, on both state backends: keyed
 * state written in an older format is migrated (every count continues where the savepoint left
 * it); state written in a newer format is refused at restore with the framework's message naming
 * the state and both formats.
 */
class StateFormatRestoreITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int KEYS = 3;
    /** Last count seen per key (the MiniCluster runs in this JVM). */
    static final Map<Long, Long> LAST = new ConcurrentHashMap<>();
    /** First count seen per key after a restore. */
    static final Map<Long, Long> FIRST = new ConcurrentHashMap<>();

    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        TestCounterSerializer.current = 1;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void olderFormatIsMigratedAtRestore(String backend) throws Exception {
        TestCounterSerializer.current = 0;
        String savepoint = runUntilCountedThenSavepoint(backend);
        Map<Long, Long> saved = new HashMap<>(LAST);

        TestCounterSerializer.current = 1;
        FIRST.clear();
        JobClient resumed = start(backend, savepoint);
        await(() -> FIRST.size() == KEYS, "every key counted after the restore");
        assertThat(Files.exists(tmp.resolve("rocksdb"))).as("RocksDB files").isEqualTo(backend.equals("rocksdb"));
        // Once more through a savepoint, now of format 1.
        String second = stopWithSavepoint(resumed, "sp2");
        resumed.getJobExecutionResult().get(60, TimeUnit.SECONDS);

        for (long key = 0; key < KEYS; key++) {
            assertThat(FIRST.get(key)).as("key %d continues from its migrated count", key).isEqualTo(saved.get(key) + 1);
        }
        assertThat(second).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void newerFormatIsRefusedAtRestoreWithTheStateAndBothFormats(String backend) throws Exception {
        TestCounterSerializer.current = 2;
        String savepoint = runUntilCountedThenSavepoint(backend);

        TestCounterSerializer.current = 1;
        JobClient resumed = start(backend, savepoint);
        assertThatThrownBy(() -> resumed.getJobExecutionResult().get(120, TimeUnit.SECONDS))
                .rootCause().hasMessageContaining("cannot restore test counter state: the checkpoint/savepoint holds"
                        + " format 2 and it was written by a newer RawStream version (this version reads formats 0..1)");
    }

    private String runUntilCountedThenSavepoint(String backend) throws Exception {
        LAST.clear();
        JobClient job = start(backend, null);
        await(() -> LAST.size() == KEYS && LAST.values().stream().allMatch(c -> c >= 5), "5 counts per key");
        String savepoint = stopWithSavepoint(job, "sp");
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        return savepoint;
    }

    /**
     * The counts can all be in while one source subtask is still being deployed (the other feeds
     * every key); a savepoint is refused until every task runs, so that refusal is retried.
     */
    private String stopWithSavepoint(JobClient job, String dir) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                return job.stopWithSavepoint(false, tmp.resolve(dir).toUri().toString(),
                        SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                boolean notRunning = ExceptionUtils.findThrowableWithMessage(
                        e, "is not being executed at the moment").isPresent()
                        || ExceptionUtils.findThrowableWithMessage(
                                e, "not all required tasks are currently running").isPresent();
                if (!notRunning || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(200_000_000L); // retry interval
            }
        }
    }

    private JobClient start(String backend, String savepoint) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        // Where RocksDB keeps its files: the test checks there that RocksDB ran.
        conf.setString("state.backend.rocksdb.localdir", tmp.resolve("rocksdb").toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.setParallelism(2);
        env.fromSource(new DataGeneratorSource<>(i -> i, Long.MAX_VALUE, RateLimiterStrategy.perSecond(200), Types.LONG),
                        WatermarkStrategy.noWatermarks(), "numbers").uid("numbers")
                .keyBy(i -> i % KEYS, Types.LONG)
                .process(new Count()).uid("count")
                .sinkTo(new DiscardingSink<>()).uid("discard");
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return env.executeAsync(graph);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " before the deadline").isLessThan(deadline);
            LockSupport.parkNanos(20_000_000L); // poll interval
        }
    }

    /** Counts records per key in a {@link TestCounterSerializer} state. */
    private static final class Count extends KeyedProcessFunction<Long, Long, Long> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count",
                    new SingletonTypeInfo<>(Long.class, TestCounterSerializer.INSTANCE)));
        }

        @Override
        public void processElement(Long value, Context ctx, Collector<Long> out) throws Exception {
            Long before = count.value();
            long now = (before == null ? 0 : before) + 1;
            count.update(now);
            FIRST.putIfAbsent(ctx.getCurrentKey(), now);
            LAST.put(ctx.getCurrentKey(), now);
            out.collect(now);
        }
    }
}
