package org.rawstream.job.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a flat YAML file of {@code key: value} lines, the shape of Flink's {@code config.yaml}
 * with flattened keys. Blank lines and {@code #} comments are skipped; values may be quoted.
 * Anything else (nesting, lists, a line without {@code :}) is an error naming the line.
 */
public final class FlatYaml {
    private FlatYaml() {}

    public static Map<String, String> read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    static Map<String, String> parse(List<String> lines, String origin) {
        Map<String, String> result = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = stripComment(lines.get(i));
            if (line.isBlank()) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0)) || line.startsWith("-")) {
                throw new IllegalArgumentException(origin + ":" + (i + 1) + ": only flat 'key: value' lines are supported");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(origin + ":" + (i + 1) + ": expected 'key: value', got '" + line.trim() + "'");
            }
            String key = line.substring(0, colon).trim();
            String value = unquote(line.substring(colon + 1).trim());
            if (result.put(key, value) != null) {
                throw new IllegalArgumentException(origin + ":" + (i + 1) + ": duplicate key " + key);
            }
        }
        return result;
    }

    private static String stripComment(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String unquote(String value) {
        if (value.length() >= 2
                && ((value.startsWith("\"") && value.endsWith("\"")) || (value.startsWith("'") && value.endsWith("'")))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
