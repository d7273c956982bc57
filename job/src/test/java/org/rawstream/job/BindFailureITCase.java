package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
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

/**
 * Issue 13 (validation on a cluster): a port only the TaskManager finds taken ends the job with
 * that message, although the restart strategy would retry for ever (it used to loop on
 * "BindException: Address already in use").
 */
class BindFailureITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path tmp;

    @Test
    void aPortTakenOnTheTaskManagerEndsTheJobInsteadOfRestartingForEver() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            JobConfig config = JobConfig.from(JobConfig.defaults()
                    .set(JobConfig.SOURCES, "echo", "test")
                    .set(JobConfig.OUTPUT_DIR, tmp.resolve("out").toString(), "test")
                    .set("source.echo.port", Integer.toString(port), "test"));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
            env.configure(conf);
            RawStreamPipeline.build(env, config);
            JobClient client = env.executeAsync("bind failure");
            try {
                assertThatThrownBy(() -> client.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .satisfies(e -> {
                            assertThat(ExceptionUtils.findThrowable(e, SuppressRestartsException.class)).isPresent();
                            assertThat(ExceptionUtils.stringifyException(e))
                                    .contains("echo: cannot listen on tcp://127.0.0.1:" + port);
                        });
            } finally {
                if (!client.getJobExecutionResult().isDone()) {
                    client.cancel().get(30, TimeUnit.SECONDS);
                }
            }
        }
    }
}
