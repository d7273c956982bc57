package org.rawstream.job.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One configured source: its name (output directory), kind ({@code type}), {@code io_groups} value,
 * the protocol and io_version written to /meta, and its kind-specific options (defaults filled in).
 */
public final class SourceConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final String type;
    private final int ioGroup;
    private final String protocol;
    private final String ioVersion;
    private final Map<String, String> options;

    public SourceConfig(String name, String type, int ioGroup, String protocol, String ioVersion, Map<String, String> options) {
        this.name = name;
        this.type = type;
        this.ioGroup = ioGroup;
        this.protocol = protocol;
        this.ioVersion = ioVersion;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    public String name() {
        return name;
    }

    public String type() {
        return type;
    }

    public int ioGroup() {
        return ioGroup;
    }

    public String protocol() {
        return protocol;
    }

    public String ioVersion() {
        return ioVersion;
    }

    public Map<String, String> options() {
        return options;
    }

    public String string(String key) {
        String value = options.get(key);
        if (value == null) {
            throw new InvalidSettingException("source " + name + ": missing option " + key(key));
        }
        return value;
    }

    /** The value of {@code setting}: the configured one, else its default; throws if it has neither. */
    public <T> T get(Setting<T> setting) {
        return optional(setting).orElseThrow(() ->
                new InvalidSettingException("source " + name + ": set " + key(setting.key())));
    }

    /** The value of {@code setting} when it is set or has a default; empty (blank) = unset. */
    public <T> Optional<T> optional(Setting<T> setting) {
        String raw = options.get(setting.key());
        if (raw == null || raw.isBlank()) {
            return Optional.ofNullable(setting.defaultValue());
        }
        return Optional.of(setting.parse(key(setting.key()), raw));
    }

    /** The option's full key, as users write it. */
    public String key(String option) {
        return "source." + name + "." + option;
    }

    /** Parses option {@code key} as {@code type}: a failure names the full key, the value and the range. */
    public <T extends Comparable<? super T>> T value(String key, SettingType<T> type) {
        return type.parse(key(key), string(key));
    }

    public long longValue(String key, long min, long max) {
        return value(key, SettingType.count(min, max));
    }

    public int intValue(String key, int min, int max) {
        return (int) longValue(key, min, max);
    }

    public double doubleValue(String key, double min) {
        return value(key, SettingType.number(min, Double.MAX_VALUE));
    }

    /** A duration >= 0. */
    public Duration duration(String key) {
        return duration(key, Duration.ZERO, Duration.ofDays(36500));
    }

    public Duration duration(String key, Duration min, Duration max) {
        return value(key, SettingType.duration(min, max));
    }

    /** A size >= 0. */
    public long bytes(String key) {
        return bytes(key, 0, Long.MAX_VALUE);
    }

    public long bytes(String key, long min, long max) {
        return value(key, SettingType.bytes(min, max));
    }

    @Override
    public String toString() {
        return name + "{type=" + type + ", io-group=" + ioGroup + ", protocol=" + protocol + ", io-version="
                + ioVersion + ", " + options + "}";
    }
}
