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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's typed configuration, parsed and validated from {@link Settings} (defaults, config
 * file, flags). Unknown keys are errors, so a typo never silently falls back to a default.
 */
public final class JobConfig {
    private static final Logger LOG = LoggerFactory.getLogger(JobConfig.class);

    // The keys, for code that sets them (flags, tests); the definitions are in JobSettings.
    public static final String OUTPUT_DIR = JobSettings.OUTPUT_DIR.key();
    public static final String SOURCES = JobSettings.SOURCES.key();
    public static final String PARALLELISM = JobSettings.PARALLELISM.key();
    public static final String CHECKPOINT_INTERVAL = JobSettings.CHECKPOINT_INTERVAL.key();
    public static final String DURATION = JobSettings.DURATION.key();
    public static final String ROLL_MAX_BYTES = JobSettings.ROLL_MAX_BYTES.key();
    public static final String ROLL_MAX_RECORDS = JobSettings.ROLL_MAX_RECORDS.key();
    public static final String ROLL_MAX_AGE = JobSettings.ROLL_MAX_AGE.key();
    public static final String BATCH_MAX_MESSAGES = JobSettings.BATCH_MAX_MESSAGES.key();
    public static final String BATCH_MAX_BYTES = JobSettings.BATCH_MAX_BYTES.key();
    public static final String BATCH_QUEUE_BYTES = JobSettings.BATCH_QUEUE_BYTES.key();
    public static final String SYNC_ON_COMMIT = JobSettings.SYNC_ON_COMMIT.key();
    public static final String SINK_PER_SOURCE = JobSettings.SINK_PER_SOURCE.key();
    public static final String MIN_FREE_BYTES = JobSettings.MIN_FREE_BYTES.key();
    public static final String CHECKPOINT_TOLERABLE_FAILURES = JobSettings.CHECKPOINT_TOLERABLE_FAILURES.key();
    /** Default of {@link #CHECKPOINT_TOLERABLE_FAILURES}: about 100 s without a commit at the 10 s interval. */
    public static final int DEFAULT_TOLERABLE_FAILURES = JobSettings.CHECKPOINT_TOLERABLE_FAILURES.defaultValue();

    /** Source keys every kind has; kind-specific keys come from {@link SourceKind#settings()}. */
    public static final String SOURCE_TYPE = JobSettings.SOURCE_TYPE.key();
    public static final String SOURCE_IO_GROUP = JobSettings.SOURCE_IO_GROUP.key();
    public static final String SOURCE_PROTOCOL = JobSettings.SOURCE_PROTOCOL.key();
    public static final String SOURCE_IO_VERSION = JobSettings.SOURCE_IO_VERSION.key();

    /**
     * Built-in defaults: the generator "gen" and one source per protocol (SPEAD over UDP, ODIN-Stream
     * over UDP, echo and MessagePack over TCP) on their default ports on 127.0.0.1, writing to ./out.
     * A {@code --local --demo} run feeds each protocol source with its built-in sender at a modest rate.
     * Empty value = unset.
     */
    public static Settings defaults() {
        Settings defaults = new Settings();
        JobSettings.job().forEach(s -> defaults.set(s.key(), s.defaultText(), "default"));
        return defaults
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
    private final boolean directWrites;
    private final boolean sinkPerSource;
    private final long minFreeBytes;
    private final int tolerableCheckpointFailures;
    /** What was accepted with a warning (an old key), each also logged once. */
    private final List<String> warnings = new ArrayList<>();

    private JobConfig(Settings settings) {
        this.settings = settings;
        checkKnownKeys(settings);
        this.outputDir = Paths.get(get(JobSettings.OUTPUT_DIR));
        this.parallelism = optional(JobSettings.PARALLELISM).map(OptionalInt::of).orElse(OptionalInt.empty());
        this.checkpointInterval = optional(JobSettings.CHECKPOINT_INTERVAL);
        this.duration = optional(JobSettings.DURATION);
        this.rollPolicy = RollPolicy.builder()
                .maxFileBytes(get(JobSettings.ROLL_MAX_BYTES))
                .maxFileRecords(get(JobSettings.ROLL_MAX_RECORDS))
                .maxFileAge(get(JobSettings.ROLL_MAX_AGE))
                .build();
        this.batchMessages = get(JobSettings.BATCH_MAX_MESSAGES);
        this.batchBytes = get(JobSettings.BATCH_MAX_BYTES);
        this.batchQueueBytes = get(JobSettings.BATCH_QUEUE_BYTES);
        this.syncOnCommit = get(JobSettings.SYNC_ON_COMMIT);
        this.directWrites = get(JobSettings.DIRECT_WRITES);
        this.sinkPerSource = get(JobSettings.SINK_PER_SOURCE);
        this.minFreeBytes = get(JobSettings.MIN_FREE_BYTES);
        this.tolerableCheckpointFailures = get(JobSettings.CHECKPOINT_TOLERABLE_FAILURES);
        this.sources = Collections.unmodifiableList(parseSources(settings));
    }

    public static JobConfig from(Settings settings) {
        return new JobConfig(settings);
    }

    /** The setting's value: set, else its default; a setting with neither is missing. */
    private <T> T get(Setting<T> setting) {
        return optional(setting).orElseThrow(() -> new InvalidSettingException("missing setting " + setting.key()));
    }

    private <T> Optional<T> optional(Setting<T> setting) {
        Optional<String> raw = settings.get(setting.key());
        return raw.isPresent() ? Optional.of(setting.parse(setting.key(), raw.get()))
                : Optional.ofNullable(setting.defaultValue());
    }

    private static void checkKnownKeys(Settings settings) {
        Set<String> known = new LinkedHashSet<>();
        JobSettings.job().forEach(s -> known.add(s.key()));
        for (String key : settings.asMap().keySet()) {
            if (!key.startsWith("source.") && !known.contains(key)) {
                throw new InvalidSettingException("unknown setting '" + key + "'; known: " + known
                        + " and source.<name>.<option>");
            }
        }
    }

    private List<SourceConfig> parseSources(Settings settings) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : settings.get(SOURCES).orElse("").split(",")) {
            if (!name.isBlank()) {
                // A name is a directory, a key segment and a metric group: no dots, slashes or
                // brackets (a YAML list "[a, b]" would otherwise become sources "[a" and "b]").
                if (!name.trim().matches("[A-Za-z0-9_-]+")) {
                    throw new InvalidSettingException(SOURCES + ": '" + name.trim() + "' is not a source name (letters, "
                            + "digits, - and _; several are comma-separated: " + SOURCES + ": a, b)");
                }
                names.add(name.trim());
            }
        }
        if (names.isEmpty()) {
            throw new InvalidSettingException("no sources selected ('" + SOURCES + "' is empty)");
        }
        List<SourceConfig> result = new ArrayList<>();
        Map<Integer, String> ioGroups = new LinkedHashMap<>();
        for (String name : names) {
            String prefix = "source." + name + ".";
            Map<String, String> raw = settings.withPrefix(prefix);
            String type = Optional.ofNullable(raw.get(SOURCE_TYPE)).filter(t -> !t.isBlank())
                    .orElseThrow(() -> new InvalidSettingException("source " + name + ": set " + prefix + SOURCE_TYPE
                            + " (one of " + SourceKinds.all().keySet() + ")"));
            SourceKind kind = SourceKinds.get(type);
            int ioGroup = JobSettings.SOURCE_IO_GROUP.parse(prefix + SOURCE_IO_GROUP,
                    raw.getOrDefault(SOURCE_IO_GROUP, JobSettings.SOURCE_IO_GROUP.defaultText()));
            String before = ioGroups.putIfAbsent(ioGroup, name);
            if (before != null) {
                // Not fatal for the format, but almost always a copy-paste error in the config (or
                // two new sources both left at the default 0): say how to fix it.
                throw new InvalidSettingException("source " + name + ": io-group " + ioGroup + " is used twice (also by "
                        + before + "); give each source its own: " + prefix + SOURCE_IO_GROUP + "=<0..255>");
            }
            String protocol = raw.getOrDefault(SOURCE_PROTOCOL, kind.defaultProtocol());
            String ioVersion = raw.containsKey(SOURCE_IO_VERSION) ? raw.get(SOURCE_IO_VERSION)
                    : kind.defaultIoVersion(protocol);
            List<Setting<?>> kindSettings;
            try {
                kindSettings = kind.settings(protocol);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("source " + name + ": " + e.getMessage());
            }
            Map<String, String> options = options(prefix, type, raw, kindSettings);
            SourceConfig source = new SourceConfig(name, type, ioGroup, protocol,
                    ioVersion == null || ioVersion.isBlank() ? null : ioVersion, options);
            // Every setting against its type and range, then what the kind checks of their combination.
            kindSettings.forEach(source::optional);
            try {
                kind.validate(source);
            } catch (InvalidSettingException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                String message = String.valueOf(e.getMessage());
                throw new InvalidSettingException(message.startsWith("source " + name) ? message
                        : "source " + name + ": " + message);
            }
            result.add(source);
        }
        return result;
    }

    /**
     * The kind's settings with their defaults, overridden by what {@code raw} sets; an old key
     * (a setting's deprecated name) is read as the current one, with one warning.
     */
    private Map<String, String> options(String prefix, String type, Map<String, String> raw, List<Setting<?>> kindSettings) {
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, Setting<?>> byOldKey = new LinkedHashMap<>();
        for (Setting<?> s : kindSettings) {
            options.put(s.key(), s.defaultText());
            s.deprecatedKeys().forEach(old -> byOldKey.put(old, s));
        }
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String key = e.getKey();
            if (key.equals(SOURCE_TYPE) || key.equals(SOURCE_IO_GROUP) || key.equals(SOURCE_PROTOCOL)
                    || key.equals(SOURCE_IO_VERSION)) {
                continue;
            }
            if (!options.containsKey(key) && byOldKey.containsKey(key)) {
                String current = byOldKey.get(key).key();
                if (raw.containsKey(current)) {
                    throw new InvalidSettingException(prefix + key + " and " + prefix + current
                            + " are both set: " + key + " is the old name of " + current + "; keep " + current);
                }
                String warning = prefix + key + " is deprecated: use " + prefix + current;
                LOG.warn(warning);
                warnings.add(warning);
                key = current;
            }
            if (!options.containsKey(key)) {
                throw new InvalidSettingException("unknown option " + prefix + key + " for type " + type
                        + "; known: " + options.keySet());
            }
            options.put(key, e.getValue());
        }
        return options;
    }

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
                .directWrites(directWrites)
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

    /** The warnings of the parse (old keys still accepted), each logged once at WARN. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
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
