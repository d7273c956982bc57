package org.rawstream.job.config;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.sinks.sink.RawHdf5Sink;
import org.rawstream.sinks.sink.RollPolicy;

/**
 * The job's typed configuration, parsed and validated from {@link Settings} (defaults, config
 * file, flags). Unknown keys are errors, so a typo never silently falls back to a default.
 */
public final class JobConfig {
    public static final String OUTPUT_DIR = "output.dir";
    public static final String SOURCES = "sources";
    public static final String PARALLELISM = "parallelism";
    public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";
    public static final String DURATION = "duration";
    public static final String ROLL_MAX_BYTES = "roll.max-bytes";
    public static final String ROLL_MAX_RECORDS = "roll.max-records";
    public static final String ROLL_MAX_AGE = "roll.max-age";
    public static final String BATCH_MAX_MESSAGES = "batch.max-messages";
    public static final String BATCH_MAX_BYTES = "batch.max-bytes";
    public static final String BATCH_QUEUE_BYTES = "batch.queue-bytes";
    public static final String SYNC_ON_COMMIT = "sink.sync-on-commit";
    /**
     * One sink writer per source, chained to the source's operators (true, the default), or one
     * writer for all sources (false: the layout of versions before it, whose multi-source
     * savepoints restore only into it).
     */
    public static final String SINK_PER_SOURCE = "sink.per-source";
    /** Free space the output file system keeps; an append that would go below fails the task first. */
    public static final String MIN_FREE_BYTES = "sink.min-free-bytes";
    /** Consecutive failed checkpoints tolerated before the job restarts (Flink's tolerable-failed-checkpoints). */
    public static final String CHECKPOINT_TOLERABLE_FAILURES = "checkpoint.tolerable-failures";

    static final SettingType<Long> PARALLELISM_RANGE = SettingType.count(1, 1024);
    static final SettingType<Duration> CHECKPOINT_INTERVAL_RANGE = SettingType.duration(Duration.ofMillis(10), Duration.ofDays(7));
    static final SettingType<Duration> DURATION_RANGE = SettingType.duration(Duration.ofMillis(1), Duration.ofDays(36500));
    static final SettingType<Long> ROLL_BYTES_RANGE = SettingType.bytes(1, Long.MAX_VALUE);
    static final SettingType<Long> ROLL_RECORDS_RANGE = SettingType.count(1, Long.MAX_VALUE);
    static final SettingType<Duration> ROLL_AGE_RANGE = SettingType.duration(Duration.ofMillis(1), Duration.ofDays(36500));
    static final SettingType<Long> BATCH_MESSAGES_RANGE = SettingType.count(1, 1_000_000);
    /** A batch is one direct buffer with int offsets. */
    static final SettingType<Long> BATCH_BYTES_RANGE = SettingType.bytes(1, 1L << 30);
    static final SettingType<Long> QUEUE_BYTES_RANGE = SettingType.bytes(0, 64L << 30);
    static final SettingType<Long> MIN_FREE_RANGE = SettingType.bytes(0, Long.MAX_VALUE);
    static final SettingType<Long> TOLERABLE_FAILURES_RANGE = SettingType.count(0, Integer.MAX_VALUE);
    /** Default of {@link #CHECKPOINT_TOLERABLE_FAILURES}: about 100 s without a commit at the 10 s interval. */
    public static final int DEFAULT_TOLERABLE_FAILURES = 10;

    /** Source keys every kind has; kind-specific keys come from {@link SourceKind#options()}. */
    public static final String SOURCE_TYPE = "type";
    public static final String SOURCE_IO_GROUP = "io-group";
    public static final String SOURCE_PROTOCOL = "protocol";
    public static final String SOURCE_IO_VERSION = "io-version";

    /**
     * Built-in defaults: the generator "gen" and one source per protocol (SPEAD over UDP, ODIN-Stream
     * over UDP, echo and MessagePack over TCP) on their default ports on 127.0.0.1, writing to ./out.
     * A {@code --local --demo} run feeds each protocol source with its built-in sender at a modest rate.
     * Empty value = unset.
     */
    public static Settings defaults() {
        return new Settings()
                .set(OUTPUT_DIR, "out", "default")
                .set(SOURCES, "gen,spead,odin,echo,msgpack", "default")
                .set(PARALLELISM, "", "default")
                .set(CHECKPOINT_INTERVAL, "", "default")
                .set(DURATION, "", "default")
                .set(ROLL_MAX_BYTES, "256mb", "default")
                .set(ROLL_MAX_RECORDS, "1000000", "default")
                .set(ROLL_MAX_AGE, "15min", "default")
                .set(BATCH_MAX_MESSAGES, "1000", "default")
                .set(BATCH_MAX_BYTES, "4mb", "default")
                .set(BATCH_QUEUE_BYTES, "32mb", "default")
                .set(SYNC_ON_COMMIT, "true", "default")
                .set(SINK_PER_SOURCE, "true", "default")
                .set(MIN_FREE_BYTES, "64mb", "default")
                .set(CHECKPOINT_TOLERABLE_FAILURES, Integer.toString(DEFAULT_TOLERABLE_FAILURES), "default")
                .set("source.gen.type", "generator", "default")
                // SPEAD over UDP on 127.0.0.1:7148; --demo feeds it with send-spead at 0.05 Gb/s.
                .set("source.spead.type", "spead-udp", "default")
                .set("source.spead.io-group", "1", "default")
                // ODIN-Stream over UDP on 127.0.0.1:9410; --demo feeds it with send-odin at 50 packets/s.
                .set("source.odin.type", "odin-udp", "default")
                .set("source.odin.io-group", "5", "default")
                // Echo server (TCP 127.0.0.1:9500) and MessagePack over TCP (127.0.0.1:9510).
                .set("source.echo.type", "echo-tcp", "default")
                .set("source.echo.io-group", "6", "default")
                .set("source.msgpack.type", "msgpack-tcp", "default")
                .set("source.msgpack.io-group", "7", "default");
    }

    private final Settings settings;
    private final Path outputDir;
    private final List<SourceConfig> sources;
    private final OptionalInt parallelism;
    private final Optional<Duration> checkpointInterval;
    private final Optional<Duration> duration;
    private final RollPolicy rollPolicy;
    private final int batchMessages;
    private final long batchBytes;
    private final long batchQueueBytes;
    private final boolean syncOnCommit;
    private final boolean sinkPerSource;
    private final long minFreeBytes;
    private final int tolerableCheckpointFailures;

    private JobConfig(Settings settings) {
        this.settings = settings;
        checkKnownKeys(settings);
        this.outputDir = Paths.get(settings.get(OUTPUT_DIR).orElse("out"));
        this.parallelism = settings.get(PARALLELISM)
                .map(v -> OptionalInt.of(PARALLELISM_RANGE.parse(PARALLELISM, v).intValue())).orElse(OptionalInt.empty());
        this.checkpointInterval = settings.get(CHECKPOINT_INTERVAL).map(v -> CHECKPOINT_INTERVAL_RANGE.parse(CHECKPOINT_INTERVAL, v));
        this.duration = settings.get(DURATION).map(v -> DURATION_RANGE.parse(DURATION, v));
        this.rollPolicy = RollPolicy.builder()
                .maxFileBytes(ROLL_BYTES_RANGE.parse(ROLL_MAX_BYTES, required(ROLL_MAX_BYTES)))
                .maxFileRecords(ROLL_RECORDS_RANGE.parse(ROLL_MAX_RECORDS, required(ROLL_MAX_RECORDS)))
                .maxFileAge(ROLL_AGE_RANGE.parse(ROLL_MAX_AGE, required(ROLL_MAX_AGE)))
                .build();
        this.batchMessages = BATCH_MESSAGES_RANGE.parse(BATCH_MAX_MESSAGES, required(BATCH_MAX_MESSAGES)).intValue();
        this.batchBytes = BATCH_BYTES_RANGE.parse(BATCH_MAX_BYTES, required(BATCH_MAX_BYTES));
        this.batchQueueBytes = QUEUE_BYTES_RANGE.parse(BATCH_QUEUE_BYTES, required(BATCH_QUEUE_BYTES));
        this.syncOnCommit = parseBoolean(SYNC_ON_COMMIT, required(SYNC_ON_COMMIT));
        this.sinkPerSource = parseBoolean(SINK_PER_SOURCE, required(SINK_PER_SOURCE));
        this.minFreeBytes = MIN_FREE_RANGE.parse(MIN_FREE_BYTES, required(MIN_FREE_BYTES));
        this.tolerableCheckpointFailures = TOLERABLE_FAILURES_RANGE
                .parse(CHECKPOINT_TOLERABLE_FAILURES, required(CHECKPOINT_TOLERABLE_FAILURES)).intValue();
        this.sources = Collections.unmodifiableList(parseSources(settings));
    }

    public static JobConfig from(Settings settings) {
        return new JobConfig(settings);
    }

    private String required(String key) {
        return settings.get(key).orElseThrow(() -> new InvalidSettingException("missing setting " + key));
    }

    private static void checkKnownKeys(Settings settings) {
        Set<String> known = defaults().asMap().keySet();
        for (String key : settings.asMap().keySet()) {
            if (!key.startsWith("source.") && !known.contains(key)) {
                throw new InvalidSettingException("unknown setting '" + key + "'; known: " + known
                        + " and source.<name>.<option>");
            }
        }
    }

    private static List<SourceConfig> parseSources(Settings settings) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : settings.get(SOURCES).orElse("").split(",")) {
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        if (names.isEmpty()) {
            throw new InvalidSettingException("no sources selected ('" + SOURCES + "' is empty)");
        }
        List<SourceConfig> result = new ArrayList<>();
        Set<Integer> ioGroups = new LinkedHashSet<>();
        for (String name : names) {
            String prefix = "source." + name + ".";
            Map<String, String> raw = settings.withPrefix(prefix);
            String type = Optional.ofNullable(raw.get(SOURCE_TYPE)).filter(t -> !t.isBlank())
                    .orElseThrow(() -> new InvalidSettingException("source " + name + ": set " + prefix + SOURCE_TYPE
                            + " (one of " + SourceKinds.all().keySet() + ")"));
            SourceKind kind = SourceKinds.get(type);
            int ioGroup = SettingType.count(0, 255).parse(prefix + SOURCE_IO_GROUP, raw.getOrDefault(SOURCE_IO_GROUP, "0")).intValue();
            if (!ioGroups.add(ioGroup)) {
                // Not fatal for the format, but almost always a copy-paste error in the config.
                throw new InvalidSettingException("source " + name + ": io-group " + ioGroup + " is used twice");
            }
            String protocol = raw.getOrDefault(SOURCE_PROTOCOL, kind.defaultProtocol());
            String ioVersion = raw.containsKey(SOURCE_IO_VERSION) ? raw.get(SOURCE_IO_VERSION)
                    : kind.defaultIoVersion(protocol);
            Map<String, String> kindOptions;
            try {
                kindOptions = kind.options(protocol);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("source " + name + ": " + e.getMessage());
            }
            Map<String, String> options = new LinkedHashMap<>(kindOptions);
            for (Map.Entry<String, String> e : raw.entrySet()) {
                String key = e.getKey();
                if (key.equals(SOURCE_TYPE) || key.equals(SOURCE_IO_GROUP) || key.equals(SOURCE_PROTOCOL)
                        || key.equals(SOURCE_IO_VERSION)) {
                    continue;
                }
                if (!options.containsKey(key)) {
                    throw new InvalidSettingException("unknown option " + prefix + key + " for type " + type
                            + "; known: " + kindOptions.keySet());
                }
                options.put(key, e.getValue());
            }
            SourceConfig source = new SourceConfig(name, type, ioGroup, protocol,
                    ioVersion == null || ioVersion.isBlank() ? null : ioVersion, options);
            kind.validate(source);
            result.add(source);
        }
        return result;
    }

    private static boolean parseBoolean(String key, String value) {
        if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
            return Boolean.parseBoolean(value);
        }
        throw new InvalidSettingException(key + " must be true or false, got " + value);
    }

    /** The sink for these sources and limits. */
    /** One sink for every source. */
    public RawHdf5Sink sink() {
        return sink(sources, batchQueueBytes);
    }

    /**
     * The sink of {@code source} alone ({@link #SINK_PER_SOURCE}): the append queue is shared out
     * over the sources (at least two full batches each), so the direct memory of all sinks stays
     * near {@code batch.queue-bytes}.
     */
    public RawHdf5Sink sink(SourceConfig source) {
        long share = batchQueueBytes == 0 ? 0 : Math.max(2 * batchBytes, batchQueueBytes / sources.size());
        return sink(List.of(source), Math.min(batchQueueBytes, share));
    }

    private RawHdf5Sink sink(List<SourceConfig> of, long queueBytes) {
        RawHdf5Sink.Builder b = RawHdf5Sink.builder()
                .outputDirectory(outputDir)
                .rollPolicy(rollPolicy)
                .batchMessages(batchMessages)
                .batchBytes(batchBytes)
                .appendQueueBytes(queueBytes)
                .syncOnCommit(syncOnCommit)
                .minFreeBytes(minFreeBytes);
        for (SourceConfig s : of) {
            b.source(s.name(), s.protocol(), s.ioVersion());
        }
        return b.build();
    }

    /** {@link #SINK_PER_SOURCE}. */
    public boolean sinkPerSource() {
        return sinkPerSource;
    }

    public Settings settings() {
        return settings;
    }

    public Path outputDir() {
        return outputDir;
    }

    public List<SourceConfig> sources() {
        return sources;
    }

    public OptionalInt parallelism() {
        return parallelism;
    }

    public Optional<Duration> checkpointInterval() {
        return checkpointInterval;
    }

    public Optional<Duration> duration() {
        return duration;
    }

    public RollPolicy rollPolicy() {
        return rollPolicy;
    }

    public int tolerableCheckpointFailures() {
        return tolerableCheckpointFailures;
    }

    /** Whether {@link #CHECKPOINT_TOLERABLE_FAILURES} was set by the user (else Flink's configuration may). */
    public boolean tolerableCheckpointFailuresSet() {
        return !"default".equals(settings.origin(CHECKPOINT_TOLERABLE_FAILURES));
    }
}
