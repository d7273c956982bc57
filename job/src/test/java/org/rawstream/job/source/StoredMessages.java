package org.rawstream.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.sinks.rawhdf5.RawFileMetadata;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sinks.sink.RawMessage;

/** Test helpers for protocol-source ITCases: job settings, and the committed messages read back with RawFileReader. */
public final class StoredMessages {
    private StoredMessages() {}

    /** Defaults plus one source {@code name} with {@code options} ({@code type} included), parallelism 1, small batches. */
    public static JobConfig config(Path out, String name, Map<String, String> options) {
        Settings s = JobConfig.defaults()
                .set(JobConfig.OUTPUT_DIR, out.toString(), "test")
                .set(JobConfig.SOURCES, name, "test")
                .set(JobConfig.PARALLELISM, "1", "test")
                .set(JobConfig.BATCH_MAX_MESSAGES, "100", "test");
        // io-group explicitly: a default source of the same name must not lend it its own.
        s.set("source." + name + ".io-group", "0", "test");
        options.forEach((k, v) -> s.set("source." + name + "." + k, v, "test"));
        return JobConfig.from(s);
    }

    /** The job settings plus fast checkpoints and quick restarts. */
    public static Configuration jobConfiguration(JobConfig config, Duration checkpointInterval) {
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    /**
     * Submits the job of {@code config} (sources, then {@code beforeSink}, then the sink) to the
     * test's MiniCluster with fast checkpoints.
     */
    public static JobClient start(JobConfig config, Duration checkpointInterval, String jobName,
            UnaryOperator<DataStream<RawMessage>> beforeSink) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(jobConfiguration(config, checkpointInterval));
        RawStreamPipeline.sinkTo(beforeSink.apply(RawStreamPipeline.sources(env, config)), config);
        return env.executeAsync(jobName);
    }

    /** Committed (visible) files of a source directory, sorted by name. */
    public static List<Path> committedFiles(Path sourceDir) throws IOException {
        if (!Files.isDirectory(sourceDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(sourceDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".h5") && !p.getFileName().toString().startsWith("."))
                    .sorted().collect(Collectors.toList());
        }
    }

    /**
     * Every committed message of a source directory (files in name order), checking each file's
     * /meta (protocol, io_version) and that every io_groups value is {@code ioGroup}.
     */
    public static List<byte[]> read(Path sourceDir, String protocol, String ioVersion, int ioGroup) throws IOException {
        List<byte[]> messages = new ArrayList<>();
        for (Path file : committedFiles(sourceDir)) {
            try (RawFileReader reader = RawFileReader.open(file)) {
                RawFileMetadata meta = reader.metadata();
                assertThat(meta.ioVersion()).as(file.toString()).isEqualTo(ioVersion);
                assertThat(meta.attributes().get("protocol")).as(file.toString()).isEqualTo(protocol);
                long count = reader.count();
                if (count == 0) {
                    continue;
                }
                for (int group : reader.ioGroups(0, count)) {
                    assertThat(group).isEqualTo(ioGroup);
                }
                messages.addAll(reader.messages(0, count));
            }
        }
        return messages;
    }

    /** Hidden (in-progress or pending) files left in a source directory. */
    public static List<Path> hiddenFiles(Path sourceDir) throws IOException {
        if (!Files.isDirectory(sourceDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(sourceDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".")).collect(Collectors.toList());
        }
    }

    /** Multiset of byte strings (hex → count), for order-free comparisons. */
    public static Map<String, Integer> multiset(List<byte[]> messages) {
        Map<String, Integer> counts = new HashMap<>();
        for (byte[] m : messages) {
            counts.merge(HexFormat.of().formatHex(m), 1, Integer::sum);
        }
        return counts;
    }
}
