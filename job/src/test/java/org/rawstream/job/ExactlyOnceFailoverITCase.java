package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;

/**
 * Must-show 1: 100 000 distinct generated messages, an operator throws once after a completed
 * checkpoint, Flink restores → the committed files hold every message exactly once (SHA-256
 * multiset via h5py), no hidden file is left, every file passes the h5py check.
 */
class ExactlyOnceFailoverITCase {
    static final long COUNT = 100_000;
    static final int SIZE = 100;
    static final int IO_GROUP = 7;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path tmp;

    @Test
    void failureMidStreamStillCommitsEveryMessageExactlyOnce() throws Exception {
        Path out = tmp.resolve("out");
        JobConfig config = TestJobs.generatorConfig(out, COUNT, 40_000, SIZE, IO_GROUP);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(TestJobs.jobConfiguration(config, 200));
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();

        FailOnceAfterCheckpoint.FAILED.set(false);
        RawStreamPipeline.sinkTo(
                RawStreamPipeline.sources(env, config)
                        .map(new FailOnceAfterCheckpoint(20_000), RawMessageTypeInfo.INSTANCE)
                        .uid("fail-once"),
                config);
        env.execute("exactly-once failover");

        assertThat(FailOnceAfterCheckpoint.FAILED).as("the failure was injected").isTrue();
        Path dir = out.resolve("gen");
        assertThat(OutputCheck.hiddenFiles(dir)).as("no in-progress file left").isEmpty();
        List<Path> files = OutputCheck.committedFiles(dir);
        assertThat(files).hasSizeGreaterThan(2);
        List<JsonNode> summaries = OutputCheck.h5pySummaries(files, tmp);
        OutputCheck.assertExactlyOnce(
                OutputCheck.messageMultiset(summaries, IO_GROUP, "generator", "1.0"),
                OutputCheck.expectedGenerated(COUNT, SIZE));
    }

    /** Passes records through; throws once, after a completed checkpoint and enough records. */
    static final class FailOnceAfterCheckpoint extends RichMapFunction<RawMessage, RawMessage>
            implements CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private final long recordsAfterCheckpoint;
        private boolean checkpointCompleted;
        private long seen;

        FailOnceAfterCheckpoint(long recordsAfterCheckpoint) {
            this.recordsAfterCheckpoint = recordsAfterCheckpoint;
        }

        @Override
        public void open(OpenContext context) {
            checkpointCompleted = false;
            seen = 0;
        }

        @Override
        public RawMessage map(RawMessage value) {
            if (checkpointCompleted && ++seen >= recordsAfterCheckpoint
                    && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                    && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after a completed checkpoint");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointCompleted = true;
        }
    }

}
