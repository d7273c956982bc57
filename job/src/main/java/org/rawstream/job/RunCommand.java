package org.rawstream.job;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.FlatYaml;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.source.SourceKinds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code run} (the default command): build the pipeline from config file + flags and run it. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run the capture job: configured sources -> exactly-once raw-HDF5 files in <output>/<source>/.",
            "Settings come from built-in defaults, then --config, then flags (--set KEY=VALUE overrides any key).",
            "Without --local it runs under 'flink run' / REST submission with the cluster's configuration."
        },
        footer = {
            "",
            "Settings keys (config file 'key: value', or --set key=value):",
            "  output.dir, sources (comma-separated names), parallelism, checkpoint.interval, duration,",
            "  roll.max-bytes, roll.max-records, roll.max-age, batch.max-messages, batch.max-bytes,",
            "  batch.queue-bytes, sink.sync-on-commit, source.<name>.type|io-group|protocol|io-version|<type option>.",
            "Source types: see --list-source-types."
        })
public final class RunCommand implements Callable<Integer> {
    static final String JOB_NAME = "RawStream";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Job settings file (flat YAML 'key: value').")
    Path configFile;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Output directory (output.dir; default ./out).")
    String output;

    @Option(names = "--sources", paramLabel = "NAMES", description = "Sources to run, comma-separated (sources; default gen,spead,odin,echo,msgpack).")
    String sources;

    @Option(names = {"-p", "--parallelism"}, paramLabel = "N", description = "Job parallelism (parallelism).")
    String parallelism;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION",
            description = "Checkpoint (= commit) interval, e.g. 10s (checkpoint.interval; default: Flink config, else 10s).")
    String checkpointInterval;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Stop cleanly (stop-with-savepoint, final commit) after this time, e.g. 30s (duration).")
    String duration;

    @Option(names = "--roll-max-bytes", paramLabel = "SIZE", description = "Roll a file at this payload size (roll.max-bytes; default 256mb).")
    String rollMaxBytes;

    @Option(names = "--roll-max-records", paramLabel = "N", description = "Roll a file at this many messages (roll.max-records).")
    String rollMaxRecords;

    @Option(names = "--roll-max-age", paramLabel = "DURATION", description = "Roll a file at this age (roll.max-age).")
    String rollMaxAge;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any settings key (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--local", description = "Run in an embedded MiniCluster with the web dashboard (127.0.0.1:8081).")
    boolean local;

    @Option(names = "-D", paramLabel = "KEY=VALUE",
            description = "Flink configuration override (repeatable), e.g. -D rest.port=8082, -D execution.state-recovery.path=...")
    Map<String, String> flinkProperties = new LinkedHashMap<>();

    @Option(names = "--flink-conf-dir", paramLabel = "DIR", defaultValue = "flink-conf",
            description = "Flink config directory for --local (default ${DEFAULT-VALUE}).")
    Path flinkConfDir;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "state",
            description = "Checkpoints and savepoints of --local unless the Flink config sets them (default ./${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--list-source-types", description = "List source types and their options, then exit.")
    boolean listSourceTypes;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (listSourceTypes) {
            for (SourceKind kind : SourceKinds.all().values()) {
                out.printf("%s: %s%n  options (defaults): %s; protocol=%s io-version=%s%n", kind.type(),
                        kind.description(), kind.options(), kind.defaultProtocol(), kind.defaultIoVersion());
            }
            return 0;
        }
        JobConfig config = JobConfig.from(settings());
        Duration stopAfter = config.duration().orElse(null);
        StreamExecutionEnvironment env;
        out.println("RawStream settings:");
        config.settings().describe().forEach(out::println);
        for (SourceConfig source : config.sources()) {
            out.println("  source " + source);
        }
        if (local) {
            Configuration conf = FlinkSetup.localConfiguration(flinkConfDir, stateDir, flinkProperties, config);
            env = FlinkSetup.localEnvironment(conf);
            out.printf("Flink (local): parallelism %d, checkpoint interval %s, checkpoints %s, savepoints %s%n",
                    env.getParallelism(), conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL),
                    conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY), conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY));
            out.printf("Dashboard: http://%s:%s/  Output: %s  Stop: Ctrl-C%s%n", conf.get(RestOptions.ADDRESS),
                    conf.get(RestOptions.PORT), config.outputDir().toAbsolutePath().normalize(),
                    stopAfter == null ? "" : " or after " + stopAfter);
        } else {
            env = FlinkSetup.clusterEnvironment(config);
            out.printf("Flink (cluster): parallelism %d, checkpoint interval %d ms, output %s%n",
                    env.getParallelism(), env.getCheckpointConfig().getCheckpointInterval(),
                    config.outputDir().toAbsolutePath().normalize());
        }
        RawStreamPipeline.build(env, config);
        List<AutoCloseable> feeds = local ? startDemoFeeds(config.sources()) : List.of();
        try {
            if (local || stopAfter != null) {
                JobRunner.runUntilDone(env, JOB_NAME, stopAfter, local);
            } else {
                env.execute(JOB_NAME);
            }
        } finally {
            for (AutoCloseable feed : feeds) {
                feed.close();
            }
        }
        return 0;
    }

    /** The built-in senders that feed the protocol sources of a local run. */
    private static List<AutoCloseable> startDemoFeeds(List<SourceConfig> sources) throws Exception {
        List<AutoCloseable> feeds = new ArrayList<>();
        for (SourceConfig source : sources) {
            AutoCloseable feed = SourceKinds.get(source.type()).startDemoFeed(source);
            if (feed != null) {
                feeds.add(feed);
            }
        }
        return feeds;
    }

    /** Defaults, then the config file, then flags. */
    Settings settings() throws java.io.IOException {
        Settings s = JobConfig.defaults();
        if (configFile != null) {
            s.setAll(FlatYaml.read(configFile), "file " + configFile);
        }
        flag(s, JobConfig.OUTPUT_DIR, output, "--output");
        flag(s, JobConfig.SOURCES, sources, "--sources");
        flag(s, JobConfig.PARALLELISM, parallelism, "--parallelism");
        flag(s, JobConfig.CHECKPOINT_INTERVAL, checkpointInterval, "--checkpoint-interval");
        flag(s, JobConfig.DURATION, duration, "--duration");
        flag(s, JobConfig.ROLL_MAX_BYTES, rollMaxBytes, "--roll-max-bytes");
        flag(s, JobConfig.ROLL_MAX_RECORDS, rollMaxRecords, "--roll-max-records");
        flag(s, JobConfig.ROLL_MAX_AGE, rollMaxAge, "--roll-max-age");
        s.setAll(overrides, "--set");
        return s;
    }

    private static void flag(Settings s, String key, String value, String origin) {
        if (value != null) {
            s.set(key, value, origin);
        }
    }
}
