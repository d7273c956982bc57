package org.rawstream.job;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;

/** Job configurations shared by the ITCases. */
final class TestJobs {
    private TestJobs() {}

    /** One TaskManager with two slots: enough for parallelism 2 with slot sharing. */
    static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());
    }

    /** One bounded generator source "gen" at a rate, with small files so rolls happen too. */
    static JobConfig generatorConfig(Path out, long count, long rate, int size, int ioGroup) {
        Settings s = JobConfig.defaults()
                .set(JobConfig.OUTPUT_DIR, out.toString(), "test")
                .set(JobConfig.PARALLELISM, "2", "test")
                .set(JobConfig.ROLL_MAX_RECORDS, "7000", "test")
                .set(JobConfig.BATCH_MAX_MESSAGES, "500", "test")
                .set("source.gen.count", Long.toString(count), "test")
                .set("source.gen.rate", Long.toString(rate), "test")
                .set("source.gen.message-bytes", Integer.toString(size), "test")
                .set("source.gen.io-group", Integer.toString(ioGroup), "test");
        return JobConfig.from(s);
    }

    /** The job settings plus fast checkpoints and quick restarts. */
    static Configuration jobConfiguration(JobConfig config, long checkpointMillis) {
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointMillis));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }
}
