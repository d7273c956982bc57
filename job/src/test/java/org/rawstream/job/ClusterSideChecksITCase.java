package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;

/**
 * Issue 13 (validation on a cluster): what only a TaskManager can find wrong — a port taken, an
 * output directory that cannot be created — ends the job with that message, although the restart
 * strategy would retry for ever (it used to loop on "BindException: Address already in use" and
 * "Not a directory").
 */
class ClusterSideChecksITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path tmp;

    @Test
    void aPortTakenOnTheTaskManagerEndsTheJobInsteadOfRestartingForEver() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertEndsWithoutRestarts(JobConfig.defaults()
                    .set(JobConfig.SOURCES, "echo", "test")
                    .set(JobConfig.OUTPUT_DIR, tmp.resolve("out").toString(), "test")
                    .set("source.echo.port", Integer.toString(port), "test"),
                    "echo: cannot listen on tcp://127.0.0.1:" + port);
        }
    }

    @Test
    void anOutputDirectoryThatCannotBeCreatedEndsTheJob() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertEndsWithoutRestarts(JobConfig.defaults()
                .set(JobConfig.SOURCES, "gen", "test")
                .set(JobConfig.OUTPUT_DIR, file.resolve("out").toString(), "test"),
                "raw-HDF5 output " + file.resolve("out").resolve("gen") + ": cannot create the directory");
    }

    private static void assertEndsWithoutRestarts(Settings settings, String message) throws Exception {
        JobConfig config = JobConfig.from(settings);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        env.configure(conf);
        RawStreamPipeline.build(env, config);
        JobClient client = env.executeAsync("cluster-side check");
        try {
            assertThatThrownBy(() -> client.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .satisfies(e -> {
                        assertThat(ExceptionUtils.findThrowable(e, SuppressRestartsException.class)).isPresent();
                        assertThat(ExceptionUtils.stringifyException(e)).contains(message);
                    });
        } finally {
            if (!client.getJobExecutionResult().isDone()) {
                client.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
