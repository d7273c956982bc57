package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.sources.net.enumerator.EndpointPlacementException;

/**
 * An endpoint bound to an address no TaskManager has (here: one from the private test subnet
 * that no namespace of this run owns; nothing is ever bound to it or sent to it) fails the job
 * once the placement timeout has passed, with the message naming the endpoint and the setting
 * that would fix it — and without a restart, although the restart strategy allows many.
 */
class UnownedEndpointITCase {
    private static final String ADDRESS = "10.213.0.77";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path out;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void failsWithThePlacementMessageAndDoesNotRestart(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Settings s = SpeadJobTestSupport.settings(out, "far", "spead-udp", 7148, "2",
                Map.of("source.far.host", ADDRESS, "source.far.placement-timeout", "2s"));
        JobConfig config = JobConfig.from(s);
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "100");
        conf.setString("restart-strategy.fixed-delay.delay", "100ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        RawStreamPipeline.build(env, config);
        JobClient job = env.executeAsync("unowned-endpoint-it");

        ExecutionException failure = null;
        try {
            job.getJobExecutionResult().get(90, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failure = e;
        }
        assertThat(failure).as("the job must fail").isNotNull();
        Throwable cause = failure;
        EndpointPlacementException placement = ExceptionUtils
                .findThrowable(cause, EndpointPlacementException.class)
                .orElseThrow(() -> new AssertionError("no placement failure in", cause));
        assertThat(placement.getMessage()).contains("source far", "udp://" + ADDRESS + ":7148",
                "taskmanager.host: " + ADDRESS);
        AccessExecutionGraph graph = cluster.getArchivedExecutionGraph(job.getJobID()).get(30, TimeUnit.SECONDS);
        assertThat(graph.getState()).isEqualTo(JobStatus.FAILED);
        long restarts = graph.getAllExecutionVertices().iterator().next().getCurrentExecutionAttempt().getAttemptNumber();
        assertThat(restarts).as("attempt number of the first task (0 = never restarted)").isZero();
        assertThat(Duration.ofMillis(graph.getStatusTimestamp(JobStatus.FAILED) - graph.getStatusTimestamp(JobStatus.CREATED)))
                .as("time to the failure").isLessThan(Duration.ofSeconds(60));
    }
}
