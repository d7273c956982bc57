package org.rawstream.job.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting, defined once: its key, type (with the allowed range), default and description, in
 * the style of Flink's {@code ConfigOption}. The job's settings and every source kind's options
 * are {@code Setting}s; the parser, {@code --list-source-types} and the reference in
 * docs/configuration.md all read these definitions, so they cannot disagree.
 *
 * <pre>{@code
 * Setting<Long> PORT = Setting.key("port").count(1, 65535).defaultValue(7148L)
 *         .withDescription("port to listen on");
 * }</pre>
 *
 * @param <T> the parsed value
 */
public final class Setting<T> {
    private final String key;
    private final Type<T> type;
    /** Null: the setting has no default (it is optional, or required where a kind says so). */
    private final T defaultValue;
    private final String description;
    private final List<String> deprecatedKeys;

    private Setting(String key, Type<T> type, T defaultValue, String description, List<String> deprecatedKeys) {
        this.key = Objects.requireNonNull(key);
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        this.deprecatedKeys = Collections.unmodifiableList(new ArrayList<>(deprecatedKeys));
    }

    /** Starts the definition of the setting {@code key}; choose its type next. */
    public static KeyBuilder key(String key) {
        return new KeyBuilder(key);
    }

    public String key() {
        return key;
    }

    public boolean hasDefaultValue() {
        return defaultValue != null;
    }

    /** The default, or null when there is none. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as users write it ({@code 64mb}, {@code 2s}); empty when there is none. */
    public String defaultText() {
        return defaultValue == null ? "" : type.format(defaultValue);
    }

    /** The type and allowed values, as the reference prints them, e.g. {@code size in 1 b .. 1 gb}. */
    public String typeText() {
        return type.describe();
    }

    public String description() {
        return description;
    }

    /** Older names still accepted for this setting (each use logs one warning). */
    public List<String> deprecatedKeys() {
        return deprecatedKeys;
    }

    /** Parses {@code raw}, the value of the full key {@code fullKey}; a refusal names both and what is allowed. */
    public T parse(String fullKey, String raw) {
        return type.parse(fullKey, raw);
    }

    /** This setting with another default (a kind's own port, for example). */
    public Setting<T> withDefaultValue(T value) {
        checkDefault(key, type, value);
        return new Setting<>(key, type, value, description, deprecatedKeys);
    }

    /** This setting without a default: unset means what the description says. */
    public Setting<T> withoutDefaultValue() {
        return new Setting<>(key, type, null, description, deprecatedKeys);
    }

    public Setting<T> withDescription(String text) {
        return new Setting<>(key, type, defaultValue, text, deprecatedKeys);
    }

    public Setting<T> withDeprecatedKeys(String... keys) {
        return new Setting<>(key, type, defaultValue, description, List.of(keys));
    }

    @Override
    public String toString() {
        return key + " (" + typeText() + (hasDefaultValue() ? ", default " + defaultText() : "") + ")";
    }

    /** A default must be allowed and read back as itself from the text the reference prints. */
    private static <T> void checkDefault(String key, Type<T> type, T value) {
        Objects.requireNonNull(value, key);
        T back = type.parse(key, type.format(value));
        if (!back.equals(value)) {
            throw new IllegalStateException(key + ": default " + value + " prints as " + type.format(value));
        }
    }

    /** How a setting's text becomes its value and back. */
    interface Type<T> {
        T parse(String fullKey, String raw);

        String format(T value);

        String describe();
    }

    /** The second step of a definition: the type. */
    public static final class KeyBuilder {
        private final String key;

        private KeyBuilder(String key) {
            this.key = key;
        }

        /** A size with an optional unit ({@code 64kb}, {@code 32mb}), in bytes. */
        public TypedBuilder<Long> bytes(long min, long max) {
            return numeric(SettingType.bytes(min, max));
        }

        /** A whole number. */
        public TypedBuilder<Long> count(long min, long max) {
            return numeric(SettingType.count(min, max));
        }

        /** A whole number that fits an int. */
        public TypedBuilder<Integer> intCount(int min, int max) {
            SettingType<Long> range = SettingType.count(min, max);
            return new TypedBuilder<>(key, new Type<>() {
                @Override
                public Integer parse(String fullKey, String raw) {
                    return range.parse(fullKey, raw).intValue();
                }

                @Override
                public String format(Integer value) {
                    return range.format(value.longValue());
                }

                @Override
                public String describe() {
                    return range.toString();
                }
            });
        }

        /** A duration with a unit ({@code 500ms}, {@code 10s}). */
        public TypedBuilder<Duration> duration(Duration min, Duration max) {
            return numeric(SettingType.duration(min, max));
        }

        /** A decimal number. */
        public TypedBuilder<Double> number(double min, double max) {
            return numeric(SettingType.number(min, max));
        }

        /** {@code true} or {@code false}. */
        public TypedBuilder<Boolean> bool() {
            return new TypedBuilder<>(key, new Type<>() {
                @Override
                public Boolean parse(String fullKey, String raw) {
                    String v = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
                    if (v.equals("true") || v.equals("false")) {
                        return Boolean.valueOf(v);
                    }
                    throw new InvalidSettingException(fullKey + " = " + show(raw) + ": not true or false");
                }

                @Override
                public String format(Boolean value) {
                    return value.toString();
                }

                @Override
                public String describe() {
                    return "true | false";
                }
            });
        }

        /** One of {@code choices} (compared without case; the value is the choice as defined). */
        public TypedBuilder<String> choice(String... choices) {
            List<String> allowed = List.of(choices);
            return new TypedBuilder<>(key, new Type<>() {
                @Override
                public String parse(String fullKey, String raw) {
                    String v = raw == null ? "" : raw.trim();
                    for (String c : allowed) {
                        if (c.equalsIgnoreCase(v)) {
                            return c;
                        }
                    }
                    throw new InvalidSettingException(fullKey + " = " + show(raw) + ": not one of " + describe());
                }

                @Override
                public String format(String value) {
                    return value;
                }

                @Override
                public String describe() {
                    return String.join(" | ", allowed);
                }
            });
        }

        /** Text, checked by {@code check} (which throws {@link IllegalArgumentException} with the reason). */
        public TypedBuilder<String> text(String what, Function<String, String> check) {
            return new TypedBuilder<>(key, new Type<>() {
                @Override
                public String parse(String fullKey, String raw) {
                    String v = raw == null ? "" : raw.trim();
                    try {
                        return check.apply(v);
                    } catch (IllegalArgumentException e) {
                        throw new InvalidSettingException(fullKey + " = " + show(raw) + ": " + e.getMessage());
                    }
                }

                @Override
                public String format(String value) {
                    return value;
                }

                @Override
                public String describe() {
                    return what;
                }
            });
        }

        /** Any text. */
        public TypedBuilder<String> text() {
            return text("text", v -> v);
        }

        private <T extends Comparable<? super T>> TypedBuilder<T> numeric(SettingType<T> range) {
            return new TypedBuilder<>(key, new Type<>() {
                @Override
                public T parse(String fullKey, String raw) {
                    return range.parse(fullKey, raw);
                }

                @Override
                public String format(T value) {
                    return range.format(value);
                }

                @Override
                public String describe() {
                    return range.toString();
                }
            });
        }

        private static String show(String raw) {
            return raw == null || raw.isBlank() ? "<empty>" : raw.trim();
        }
    }

    /** The third step: the default (or none). */
    public static final class TypedBuilder<T> {
        private final String key;
        private final Type<T> type;

        private TypedBuilder(String key, Type<T> type) {
            this.key = key;
            this.type = type;
        }

        public Setting<T> defaultValue(T value) {
            checkDefault(key, type, value);
            return new Setting<>(key, type, value, "", List.of());
        }

        public Setting<T> noDefaultValue() {
            return new Setting<>(key, type, null, "", List.of());
        }
    }
}
