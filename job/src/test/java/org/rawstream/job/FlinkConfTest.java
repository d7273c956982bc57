package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.FlatYaml;
import org.rawstream.job.config.JobConfig;

/** flink-conf/config.yaml uses only real Flink 2.3 keys, and the local run loads what it promises. */
class FlinkConfTest {
    @TempDir
    Path tmp;

    @Test
    void everyKeyIsAFlinkOption() throws Exception {
        Set<String> known = new HashSet<>();
        for (Class<?> options : List.of(CheckpointingOptions.class, CoreOptions.class, JobManagerOptions.class,
                PipelineOptions.class, RestOptions.class, RestartStrategyOptions.class, StateBackendOptions.class,
                TaskManagerOptions.class)) {
            for (Field f : options.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())
                        && !f.isAnnotationPresent(Deprecated.class)) {
                    ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                    known.add(option.key());
                }
            }
        }
        Map<String, String> yaml = FlatYaml.read(OutputCheck.repoRoot().resolve("flink-conf/config.yaml"));
        assertThat(yaml.keySet()).allSatisfy(key -> assertThat(known).as("a current Flink option").contains(key));
    }

    @Test
    void localRunLoadsCheckpointingRetentionAndLoopback() {
        Configuration conf = FlinkSetup.localConfiguration(OutputCheck.repoRoot().resolve("flink-conf"),
                tmp.resolve("state"), Map.of("rest.port", "0"), JobConfig.from(JobConfig.defaults()));
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        assertThat(conf.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(conf.get(RestOptions.PORT)).isZero();
        assertThat(conf.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("file:").contains("/state/checkpoints");
        assertThat(Files.exists(tmp.resolve("state"))).isFalse(); // created by Flink on first checkpoint
    }

}
