package org.rawstream.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.JobConfig;

/**
 * Creates the execution environment. Embedded (with {@code --local}, and any plain JVM run such as
 * an IDE): Flink's config from {@code flink-conf/config.yaml} (or {@code --flink-conf-dir}), then
 * the {@code -D} overrides, checkpoint and savepoint directories under the state directory, an
 * embedded MiniCluster with the dashboard — the same configuration with or without
 * {@code --local}. Cluster ({@code flink run}, REST submission): {@code getExecutionEnvironment},
 * taking the cluster's configuration, with the {@code -D} overrides as job configuration. All:
 * generic types disabled (no Kryo fallback), object reuse, checkpointing always on, a tolerance
 * for failed checkpoints.
 */
public final class FlinkSetup {
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private FlinkSetup() {}

    /** Flink configuration of a local run. */
    public static Configuration localConfiguration(
            Path flinkConfDir, Path stateDir, Map<String, String> dynamicProperties, JobConfig job) {
        Configuration conf = Files.isRegularFile(flinkConfDir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME))
                ? GlobalConfiguration.loadConfiguration(flinkConfDir.toAbsolutePath().toString())
                : new Configuration();
        conf.addAll(Configuration.fromMap(dynamicProperties));
        Path state = stateDir.toAbsolutePath().normalize();
        if (!conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, state.resolve("checkpoints").toUri().toString());
        }
        if (!conf.contains(CheckpointingOptions.SAVEPOINT_DIRECTORY)) {
            conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, state.resolve("savepoints").toUri().toString());
        }
        if (!conf.contains(RestOptions.BIND_ADDRESS)) {
            conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        }
        if (!conf.contains(RestOptions.ADDRESS)) {
            conf.set(RestOptions.ADDRESS, "127.0.0.1");
        }
        applyJobSettings(conf, job);
        // One TaskManager with as many slots as the widest operator needs.
        int parallelism = conf.get(CoreOptions.DEFAULT_PARALLELISM);
        if (conf.getOptional(TaskManagerOptions.NUM_TASK_SLOTS).orElse(1) < parallelism) {
            conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        }
        return conf;
    }

    /**
     * Job-level settings: apply to local and cluster runs alike. The checkpoint tolerance comes
     * from {@code checkpoint.tolerable-failures} when set, else from Flink's configuration
     * ({@code execution.checkpointing.tolerable-failed-checkpoints}), else its default: a failed
     * checkpoint only delays a commit, while a restart loses what is in flight.
     */
    public static Configuration applyJobSettings(Configuration conf, JobConfig job) {
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records on by reference instead of through the serializer's copy:
        // no operator of the job keeps an input record beyond processing it (Flink's object-reuse
        // contract), and SPEAD heaps are lent to the sink only for the call (see RawMessage).
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        job.parallelism().ifPresent(p -> conf.set(CoreOptions.DEFAULT_PARALLELISM, p));
        job.checkpointInterval().ifPresent(i -> conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, i));
        if (job.tolerableCheckpointFailuresSet() || !conf.contains(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER)) {
            conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, job.tolerableCheckpointFailures());
        }
        return conf;
    }

    /** Whether this JVM runs the job itself (plain {@code java}, an IDE, {@code --local}) rather than under a Flink client. */
    public static boolean embedded() {
        return StreamExecutionEnvironment.areExplicitEnvironmentsAllowed();
    }

    public static StreamExecutionEnvironment localEnvironment(Configuration conf) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        return ensureCheckpointing(env);
    }

    /** The environment of {@code flink run} / REST submission; {@code overrides} (the -D options) as job configuration. */
    public static StreamExecutionEnvironment clusterEnvironment(JobConfig job, Map<String, String> overrides) {
        Configuration conf = applyJobSettings(Configuration.fromMap(overrides), job);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf); // make sure job settings win over a context environment's defaults
        return ensureCheckpointing(env);
    }

    /** The sink only commits on checkpoints: without them nothing would ever become visible. */
    private static StreamExecutionEnvironment ensureCheckpointing(StreamExecutionEnvironment env) {
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(DEFAULT_CHECKPOINT_INTERVAL.toMillis());
        }
        return env;
    }
}
