package org.rawstream.core.config;

import java.time.Duration;

/**
 * The range checks of every builder and settings record: one wording for every limit ("maxSchemas
 * must be >= 1, got 0"), so a bad value is reported the same way whichever protocol it belongs to.
 * Plain Java: codecs and builders use it without Flink.
 */
public final class ConfigChecks {
    private ConfigChecks() {}

    /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when below {@code min}. */
    public static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when below {@code min}. */
    public static long atLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when outside [min, max]. */
    public static int inRange(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when outside [min, max]. */
    public static long inRange(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when below {@code min} or NaN. */
    public static double atLeast(double value, double min, String name) {
        if (!(value >= min)) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when null or negative. */
    public static Duration notNegative(Duration value, String name) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when null, zero or negative. */
    public static Duration positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }
}
