package org.rawstream.job.config;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

/**
 * The type and allowed range of a numeric setting: a size ({@code 64mb}), a count, a duration
 * ({@code 10s}) or a number. Every size/count/duration of the job and of every source kind is
 * parsed here, so every out-of-range or unreadable value gets the same message: the key, the
 * value given and the allowed range, e.g.
 * {@code source.spead.max-heap-size = -1mb: not a size between 1 b and 1 gb (e.g. 64mb)}.
 *
 * @param <T> the parsed value
 */
public final class SettingType<T extends Comparable<? super T>> {
    private final String kind;
    private final String example;
    private final Function<String, T> parser;
    private final Function<T, String> printer;
    private final T min;
    private final T max;

    private SettingType(String kind, String example, Function<String, T> parser, Function<T, String> printer,
            T min, T max) {
        if (min.compareTo(max) > 0) {
            throw new IllegalArgumentException("empty range " + min + ".." + max);
        }
        this.kind = kind;
        this.example = example;
        this.parser = parser;
        this.printer = printer;
        this.min = min;
        this.max = max;
    }

    /** A size in bytes with an optional unit ({@code 1024}, {@code 64kb}, {@code 32mb}, {@code 1gb}). */
    public static SettingType<Long> bytes(long min, long max) {
        return new SettingType<>("size", "64mb", SettingType::parseBytes, SettingType::printBytes, min, max);
    }

    /** A whole number. */
    public static SettingType<Long> count(long min, long max) {
        return new SettingType<>("whole number", Long.toString(Math.max(min, Math.min(max, 1000))),
                v -> Long.parseLong(v.replace("_", "")), SettingType::printCount, min, max);
    }

    /** A duration with a unit ({@code 500ms}, {@code 10s}, {@code 15min}). */
    public static SettingType<Duration> duration(Duration min, Duration max) {
        return new SettingType<>("duration", "10s", SettingType::parseDuration, SettingType::printDuration, min, max);
    }

    /** A decimal number. */
    public static SettingType<Double> number(double min, double max) {
        return new SettingType<>("number", "1.5", SettingType::parseNumber, SettingType::printNumber, min, max);
    }

    /** Parses {@code raw} (the value of {@code key}); throws {@link InvalidSettingException} naming both and the range. */
    public T parse(String key, String raw) {
        String value = raw == null ? "" : raw.trim();
        T parsed;
        try {
            parsed = parser.apply(value);
        } catch (RuntimeException e) {
            throw invalid(key, raw);
        }
        if (parsed == null || parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
            throw invalid(key, raw);
        }
        return parsed;
    }

    /** The allowed range as users write it, e.g. {@code 1 b .. 1 gb}. */
    public String range() {
        return printer.apply(min) + " .. " + printer.apply(max);
    }

    /** {@code value} as users write it, without spaces ({@code 64mb}, {@code 2s}, {@code 1000}). */
    public String format(T value) {
        if (value instanceof Duration d && d.isZero()) {
            return "0s"; // as the docs write "run forever"
        }
        return printer.apply(value).replace(" ", "");
    }

    private InvalidSettingException invalid(String key, String raw) {
        return new InvalidSettingException(key + " = " + (raw == null || raw.isBlank() ? "<empty>" : raw.trim())
                + ": not a " + kind + " in " + range() + " (e.g. " + example + ")");
    }

    private static Long parseBytes(String v) {
        // MemorySize accepts no sign; a leading '-' must not reach it ("text does not start with a number").
        if (v.startsWith("-")) {
            return -1L;
        }
        return MemorySize.parse(v).getBytes();
    }

    private static Duration parseDuration(String v) {
        if (v.startsWith("-")) {
            return Duration.ofMillis(-1);
        }
        // Flink reads a bare number as milliseconds: "--checkpoint-interval 10" would checkpoint
        // every 10 ms. Only 0 means the same in every unit; any other number needs one.
        if (!v.isEmpty() && v.chars().allMatch(Character::isDigit) && !v.chars().allMatch(c -> c == '0')) {
            return null;
        }
        return TimeUtils.parseDuration(v);
    }

    private static Double parseNumber(String v) {
        double d = Double.parseDouble(v);
        return Double.isNaN(d) ? null : d;
    }

    static String printBytes(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "unlimited";
        }
        String[] units = {"b", "kb", "mb", "gb", "tb"};
        long v = bytes;
        int unit = 0;
        while (unit < units.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            unit++;
        }
        return v + " " + units[unit];
    }

    private static String printCount(long v) {
        return v == Long.MAX_VALUE ? "unlimited" : Long.toString(v);
    }

    private static String printDuration(Duration d) {
        if (d.toDays() >= 3650) {
            return "unlimited";
        }
        return TimeUtils.formatWithHighestUnit(d);
    }

    private static String printNumber(double d) {
        if (d == Double.MAX_VALUE || Double.isInfinite(d)) {
            return "unlimited";
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
    }

    @Override
    public String toString() {
        return kind + " in " + range();
    }
}
