package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;

/**
 * Issue 13, must-show 4 (checkpoint tolerance): one checkpoint fails the way the issue saw it, with
 * Flink's in-memory checkpoint storage: "Size of the state is larger than the maximum permitted
 * memory-backed state" (an operator holds 6 MiB of state for that one checkpoint). With the default {@code checkpoint.tolerable-failures} capture goes on: no task
 * restarts, and the next checkpoint commits what the failed one would have. With 0 the same
 * failure restarts the job (what every run did before). Both: every message exactly once (h5py).
 */
class CheckpointToleranceITCase {
    static final long COUNT = 30_000;
    static final int SIZE = 100;
    static final int IO_GROUP = 3;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path tmp;

    @Test
    void aFailedCheckpointDoesNotStopCapture() throws Exception {
        assertThat(runWithOneFailedCheckpoint(null)).as("task starts: one per subtask, no restart").isEqualTo(2);
    }

    @Test
    void withoutToleranceTheSameFailureRestartsTheJob() throws Exception {
        assertThat(runWithOneFailedCheckpoint("0")).as("task starts: restarted").isGreaterThan(2);
    }

    /** Runs the generator job with one failed checkpoint; checks the output; returns how often the tasks started. */
    private int runWithOneFailedCheckpoint(String tolerance) throws Exception {
        Path out = tmp.resolve("out");
        JobConfig base = TestJobs.generatorConfig(out, COUNT, 10_000, SIZE, IO_GROUP);
        JobConfig config = tolerance == null ? base
                : JobConfig.from(base.settings().set(JobConfig.CHECKPOINT_TOLERABLE_FAILURES, tolerance, "test"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = TestJobs.jobConfiguration(config, 200);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "jobmanager"); // 5 MiB per state handle
        env.configure(conf);
        FailOneCheckpoint.FAILED.set(false);
        FailOneCheckpoint.STARTS.set(0);
        RawStreamPipeline.sinkTo(
                RawStreamPipeline.sources(env, config)
                        .map(new FailOneCheckpoint(), RawMessageTypeInfo.INSTANCE)
                        .uid("fail-one-checkpoint"),
                config);
        env.execute("checkpoint tolerance");

        assertThat(FailOneCheckpoint.FAILED).as("a checkpoint failure was injected").isTrue();
        Path dir = out.resolve("gen");
        assertThat(OutputCheck.hiddenFiles(dir)).as("no in-progress file left").isEmpty();
        OutputCheck.assertExactlyOnce(
                OutputCheck.messageMultiset(OutputCheck.h5pySummaries(OutputCheck.committedFiles(dir), tmp),
                        IO_GROUP, "generator", "1.0"),
                OutputCheck.expectedGenerated(COUNT, SIZE));
        return FailOneCheckpoint.STARTS.get();
    }

    /**
     * Passes records through; in one snapshot (checkpoint 3 or later, subtask 0, once per test) it
     * holds more state than the in-memory storage takes, so that checkpoint fails while it is written.
     */
    static final class FailOneCheckpoint extends RichMapFunction<RawMessage, RawMessage>
            implements CheckpointedFunction {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicInteger STARTS = new AtomicInteger();
        private transient ListState<byte[]> ballast;

        @Override
        public void open(OpenContext context) {
            STARTS.incrementAndGet();
        }

        @Override
        public RawMessage map(RawMessage value) {
            return value;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            if (context.getCheckpointId() >= 3 && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                    && FAILED.compareAndSet(false, true)) {
                ballast.update(List.of(new byte[6 << 20]));
            } else {
                ballast.clear();
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            ballast = context.getOperatorStateStore().getListState(
                    new ListStateDescriptor<>("ballast", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }
    }
}
