package org.rawstream.job;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.FlatYaml;
import org.rawstream.job.config.InvalidSettingException;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.SettingType;
import org.rawstream.job.config.SettingsReference;
import org.rawstream.job.config.Settings;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.metrics.LoopbackPrometheusReporterFactory;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.job.status.StatusBoard;
import org.rawstream.job.status.StatusReporterFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code run} (the default command): build the pipeline from config file + flags and run it. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run the capture job: configured sources -> exactly-once raw-HDF5 files in <output>/<source>/.",
            "Settings come from built-in defaults, then --config, then flags (--set KEY=VALUE overrides any key).",
            "Without --local it runs under 'flink run' / REST submission with the cluster's configuration"
                + " (a plain JVM without --local runs embedded with the same Flink configuration as --local).",
            "Exit codes: 0 ok, 1 job failed, 2 command line, 3 invalid setting, 4 port or directory unavailable."
        },
        footer = {
            "",
            "Settings keys (config file 'key: value', or --set key=value):",
            // Lines shorter than the 80-column help: picocli would break a longer one inside a key.
            "  output.dir, sources (comma-separated names), parallelism, duration,",
            "  checkpoint.interval, checkpoint.tolerable-failures,",
            "  roll.max-bytes, roll.max-records, roll.max-age,",
            "  batch.max-messages, batch.max-bytes, batch.queue-bytes,",
            "  sink.sync-on-commit, sink.direct-writes, sink.per-source,",
            "  sink.min-free-bytes,",
            "  source.<name>.type|io-group|protocol|io-version|<type option>.",
            "Source types and their options: --list-source-types."
        })
public final class RunCommand implements Callable<Integer> {
    static final String JOB_NAME = "RawStream";
    static final String DEMO_OUTPUT_DIR = "out-demo";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Job settings file (flat YAML 'key: value').")
    Path configFile;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Output directory (output.dir; default ./out, with --demo ./" + DEMO_OUTPUT_DIR + ").")
    String output;

    @Option(names = "--sources", paramLabel = "NAMES",
            description = "Sources to run, comma-separated (sources; default gen,spead,odin,echo,msgpack).")
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

    @Option(names = "--demo",
            description = "With --local: also start the built-in sender of each protocol source (demo traffic), "
                    + "writing to ./" + DEMO_OUTPUT_DIR + " unless --output is given.")
    boolean demo;

    @Option(names = {"-q", "--quiet"}, description = "With --local: no status table every few seconds.")
    boolean quiet;

    @Option(names = "--status-interval", paramLabel = "DURATION", defaultValue = "5s",
            description = "With --local: how often the status table is printed (default ${DEFAULT-VALUE}).")
    String statusInterval;

    @Option(names = "--prometheus-port", paramLabel = "PORT",
            description = "With --local: serve metrics for Prometheus on http://127.0.0.1:PORT/metrics.")
    Integer prometheusPort;

    @Option(names = "-D", paramLabel = "KEY=VALUE",
            description = "Flink configuration override (repeatable), e.g. -D rest.port=8082, -D execution.state-recovery.path=...")
    Map<String, String> flinkProperties = new LinkedHashMap<>();

    @Option(names = "--flink-conf-dir", paramLabel = "DIR", defaultValue = "${sys:rawstream.conf.dir:-flink-conf}",
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
            SettingsReference.sourceTypes().forEach(out::println);
            return 0;
        }
        if ((demo || quiet || prometheusPort != null) && !local) {
            throw new StartupChecks.StartupException(StartupChecks.EXIT_USAGE,
                    "--demo, --quiet and --prometheus-port need --local");
        }
        // Everything the settings decide is checked before anything is printed or started: first
        // the settings themselves (exit 3), then what the machine must allow (exit 4).
        Settings settings = validSettings(this::readSettings);
        JobConfig config = validSettings(() -> JobConfig.from(settings));
        Duration stopAfter = config.duration().orElse(null);
        Duration statusPeriod = validSettings(() -> SettingType.duration(Duration.ofMillis(100), Duration.ofDays(1))
                .parse("--status-interval", statusInterval));
        boolean embedded = local || FlinkSetup.embedded();
        List<StartupChecks.Endpoint> endpoints = validSettings(() -> {
            List<StartupChecks.Endpoint> all = StartupChecks.endpoints(config.sources());
            StartupChecks.checkPortsUnique(all);
            return all;
        });
        Configuration conf = embedded
                ? validSettings(() -> FlinkSetup.localConfiguration(flinkConfDir, stateDir, flinkProperties, config))
                : null;
        if (embedded) {
            // Only where the job runs in this JVM: a cluster client's machine is not where the tasks bind and write.
            StartupChecks.checkWritableDirectory(JobConfig.OUTPUT_DIR, config.outputDir());
            checkStateDirectory(conf, CheckpointingOptions.CHECKPOINTS_DIRECTORY);
            checkStateDirectory(conf, CheckpointingOptions.SAVEPOINT_DIRECTORY);
            StartupChecks.checkBindable(endpoints);
            StartupChecks.checkBindable(StartupChecks.restEndpoint(conf));
            if (prometheusPort != null) {
                StartupChecks.checkBindable(List.of(new StartupChecks.Endpoint("--prometheus-port",
                        LoopbackPrometheusReporterFactory.DEFAULT_HOST, prometheusPort, true, false)));
            }
        }
        StatusBoard board = null;
        StreamExecutionEnvironment env;
        if (embedded) {
            if (local && !quiet) {
                board = StatusBoard.open(config.sources().stream().map(SourceConfig::name).toList());
                StatusReporterFactory.configure(conf, board);
            }
            if (prometheusPort != null) {
                conf.addAll(Configuration.fromMap(Map.of(
                        "metrics.reporter.prom.factory.class", LoopbackPrometheusReporterFactory.class.getName(),
                        "metrics.reporter.prom.port", prometheusPort.toString())));
            }
            env = FlinkSetup.localEnvironment(conf);
        } else {
            env = FlinkSetup.clusterEnvironment(config, flinkProperties);
        }
        // Kinds parse their options while they add themselves to the pipeline: still before submission.
        validSettings(() -> {
            RawStreamPipeline.build(env, config);
            return null;
        });

        out.println("RawStream settings:");
        config.settings().describe().forEach(out::println);
        for (SourceConfig source : config.sources()) {
            out.println("  source " + source);
        }
        if (embedded) {
            out.printf("Flink (%s): parallelism %d, checkpoint interval %s, checkpoints %s, savepoints %s%n",
                    local ? "local" : "embedded", env.getParallelism(), conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL),
                    conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY), conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY));
            out.printf("Dashboard: http://%s:%s/  Output: %s  Stop: Ctrl-C%s%n", conf.get(RestOptions.ADDRESS),
                    conf.get(RestOptions.PORT), config.outputDir().toAbsolutePath().normalize(),
                    stopAfter == null ? "" : " or after " + stopAfter);
            if (prometheusPort != null) {
                out.printf("Prometheus: http://%s:%d/metrics%n", LoopbackPrometheusReporterFactory.DEFAULT_HOST,
                        prometheusPort);
            }
        } else {
            out.printf("Flink (cluster): parallelism %d, checkpoint interval %d ms, output %s%n",
                    env.getParallelism(), env.getCheckpointConfig().getCheckpointInterval(),
                    config.outputDir().toAbsolutePath().normalize());
        }
        List<AutoCloseable> feeds = demo ? startDemoFeeds(config.sources(), settings, out) : List.of();
        StatusBoard status = board;
        Set<String> sharedWarned = new HashSet<>();
        JobRunner.Progress progress = new JobRunner.Progress() {
            @Override
            public void running() {
                if (status != null) {
                    status.print(out, "every " + statusInterval);
                    if (demo) {
                        warnOfSecondSenders(config.sources(), status, sharedWarned, out);
                    }
                }
            }

            @Override
            public void stopping() {
                closeAll(feeds); // before the savepoint: the feeds' connections end quietly
            }

            @Override
            public void ended() {
                if (status != null) {
                    status.print(out, "at stop (rates since the last table)");
                }
            }
        };
        try {
            if (embedded || stopAfter != null) {
                JobRunner.runUntilDone(env, JOB_NAME, stopAfter, embedded, progress, statusPeriod);
            } else {
                env.execute(JOB_NAME);
            }
        } finally {
            closeAll(feeds);
            if (status != null) {
                status.close();
            }
        }
        return 0;
    }

    /**
     * The built-in senders that feed the protocol sources of a {@code --demo} run. A source the
     * user configured (file or flags) may also be where a real device sends: say so, since the
     * device's data and the demo traffic would end up in the same files.
     */
    private static List<AutoCloseable> startDemoFeeds(List<SourceConfig> sources, Settings settings, PrintStream out)
            throws Exception {
        List<AutoCloseable> feeds = new ArrayList<>();
        for (SourceConfig source : sources) {
            AutoCloseable feed = SourceKinds.get(source.type()).startDemoFeed(source);
            if (feed == null) {
                continue;
            }
            feeds.add(feed);
            String prefix = "source." + source.name() + ".";
            List<String> configured = settings.asMap().keySet().stream()
                    .filter(k -> k.startsWith(prefix) && !settings.origin(k).equals("default")).toList();
            String bindHost = source.options().getOrDefault(NetworkKindOptions.BIND_HOST.key(), "127.0.0.1");
            if (!configured.isEmpty() || !isLoopback(bindHost)) {
                out.printf("WARNING: --demo feeds source '%s' with its built-in sender, and it is configured for a "
                        + "real sender (%s): a real sender's data and the demo traffic would share %s%n", source.name(),
                        configured.isEmpty() ? "bind-host " + bindHost : String.join(", ", configured),
                        settings.get(JobConfig.OUTPUT_DIR).orElse("") + "/" + source.name() + "/");
            }
        }
        return feeds;
    }

    /**
     * A demo feed holds one connection to its TCP source: more open connections are another
     * sender, whose data would share the source's files with the demo traffic. (A UDP source
     * cannot tell its senders apart here; the start-up warning covers configured sources.)
     */
    private static void warnOfSecondSenders(List<SourceConfig> sources, StatusBoard status, Set<String> warned,
            PrintStream out) {
        for (SourceConfig source : sources) {
            if (!warned.contains(source.name()) && status.value(source.name(), "connectionsOpen") > 1) {
                warned.add(source.name());
                out.printf("WARNING: source '%s' has %d connections while --demo feeds it: another sender's data "
                        + "shares its files with the demo traffic%n", source.name(),
                        status.value(source.name(), "connectionsOpen"));
            }
        }
    }

    private static void closeAll(List<AutoCloseable> feeds) {
        for (AutoCloseable feed : feeds) {
            try {
                feed.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a demo feed failed", e);
            }
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private Settings readSettings() {
        try {
            return settings();
        } catch (java.io.IOException e) {
            throw new InvalidSettingException("--config " + configFile + ": cannot read it (" + e + ")");
        }
    }

    interface Step<T> {
        T run() throws Exception;
    }

    /**
     * Runs a step that reads settings; a setting it rejects becomes the one-line
     * {@link StartupChecks#EXIT_INVALID_SETTING} failure (settings are parsed where they are used,
     * so a kind's option error surfaces while the pipeline is built, still before submission).
     */
    static <T> T validSettings(Step<T> step) throws Exception {
        try {
            return step.run();
        } catch (IllegalArgumentException e) {
            throw new StartupChecks.StartupException(StartupChecks.EXIT_INVALID_SETTING, String.valueOf(e.getMessage()));
        }
    }

    /** A file-system checkpoint or savepoint directory of an embedded run must be creatable and writable. */
    private static void checkStateDirectory(Configuration conf, ConfigOption<String> option)
            throws StartupChecks.StartupException {
        String uri = conf.get(option);
        if (uri == null) {
            return;
        }
        URI parsed = URI.create(uri);
        if (parsed.getScheme() == null || parsed.getScheme().equals("file")) {
            StartupChecks.checkWritableDirectory(option.key(), parsed.getScheme() == null ? Path.of(uri) : Path.of(parsed));
        }
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
        if (demo && s.origin(JobConfig.OUTPUT_DIR).equals("default")) {
            s.set(JobConfig.OUTPUT_DIR, DEMO_OUTPUT_DIR, "--demo"); // demo data never mixes with a capture
        }
        return s;
    }

    private static void flag(Settings s, String key, String value, String origin) {
        if (value != null) {
            s.set(key, value, origin);
        }
    }
}
