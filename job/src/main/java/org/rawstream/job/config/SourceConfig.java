package org.rawstream.job.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

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
            throw new IllegalArgumentException("source " + name + ": missing option " + key);
        }
        return value;
    }

    public long longValue(String key, long min, long max) {
        return JobConfig.parseLong("source." + name + "." + key, string(key), min, max);
    }

    public int intValue(String key, int min, int max) {
        return (int) longValue(key, min, max);
    }

    public double doubleValue(String key, double min) {
        String raw = string(key);
        try {
            double v = Double.parseDouble(raw);
            if (!(v >= min)) {
                throw new IllegalArgumentException("source." + name + "." + key + " must be >= " + min + ", got " + raw);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("source." + name + "." + key + ": not a number: " + raw, e);
        }
    }

    public Duration duration(String key) {
        return TimeUtils.parseDuration(string(key));
    }

    public long bytes(String key) {
        return MemorySize.parse(string(key)).getBytes();
    }

    @Override
    public String toString() {
        return name + "{type=" + type + ", io-group=" + ioGroup + ", protocol=" + protocol + ", io-version="
                + ioVersion + ", " + options + "}";
    }
}
