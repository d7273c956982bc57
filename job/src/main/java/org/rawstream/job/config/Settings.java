package org.rawstream.job.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Layered string settings: built-in defaults, then the config file, then command-line flags. Each
 * value remembers where it came from so the start-up print can say so.
 */
public final class Settings {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();

    public Settings set(String key, String value, String origin) {
        values.put(key, value);
        origins.put(key, origin);
        return this;
    }

    public Settings setAll(Map<String, String> entries, String origin) {
        entries.forEach((k, v) -> set(k, v, origin));
        return this;
    }

    /** Sets a default only where nothing is set yet. */
    public Settings setDefault(String key, String value) {
        if (!values.containsKey(key)) {
            set(key, value, "default");
        }
        return this;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isBlank());
    }

    public String origin(String key) {
        return origins.getOrDefault(key, "default");
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** Keys under {@code prefix}, with the prefix removed. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> result = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                result.put(k.substring(prefix.length()), v);
            }
        });
        return result;
    }

    /** One {@code key = value  (origin)} line per key, sorted. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        new TreeMap<>(values).forEach((k, v) ->
                lines.add(String.format("  %-32s = %-20s (%s)", k, v.isBlank() ? "<unset>" : v, origin(k))));
        return lines;
    }
}
