package org.rawstream.job.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.source.SourceKinds;

/**
 * The settings reference, made from the settings' definitions: the text of
 * {@code rawstream run --list-source-types} and the generated section of docs/configuration.md.
 * {@link #main} rewrites that section; a test fails when the committed file is out of date.
 */
public final class SettingsReference {
    public static final String BEGIN = "<!-- settings reference: generated from the settings' definitions; do not edit "
            + "by hand. Regenerate: mvn -o -pl job -am test -Dtest=SettingsReferenceTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Drawstream.writeReference=true -->";
    public static final String END = "<!-- end of the generated settings reference -->";

    private SettingsReference() {}

    /** Rewrites the generated section of the file given as the only argument (docs/configuration.md). */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SettingsReference <docs/configuration.md>");
        }
        Path doc = Paths.get(args[0]);
        String updated = withReference(Files.readString(doc, StandardCharsets.UTF_8));
        Files.writeString(doc, updated, StandardCharsets.UTF_8);
    }

    /** {@code doc} with the text between {@link #BEGIN} and {@link #END} replaced by {@link #markdown()}. */
    public static String withReference(String doc) {
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the file has no generated section (" + BEGIN + " ... " + END + ")");
        }
        return doc.substring(0, begin) + BEGIN + "\n\n" + markdown() + "\n" + doc.substring(end);
    }

    /** The reference as Markdown: the job's settings, the keys of every source, the network settings, each type's own. */
    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## Job settings\n\n");
        table(md, rows(JobSettings.job()));
        md.append("\n## Sources\n\nEach source has a name (its output directory) and keys `source.<name>.<key>`:\n\n");
        table(md, rows(JobSettings.common()));
        md.append("\nTypes: ").append(String.join(", ", SourceKinds.all().keySet().stream().map(t -> "`" + t + "`").toList()))
                .append(".\n\n### Settings every network source has\n\n")
                .append("Every socket type (all but `generator` and `pcap`) has these; the rows marked UDP or TCP only "
                        + "where they apply. A type's own port and any default of its own are in its section.\n\n");
        table(md, rows(networkSettings()));
        Map<Class<?>, List<SourceKind>> groups = new LinkedHashMap<>();
        SourceKinds.all().values().forEach(k -> groups.computeIfAbsent(k.getClass(), c -> new ArrayList<>()).add(k));
        for (List<SourceKind> group : groups.values()) {
            md.append("\n### ").append(String.join(", ", group.stream().map(k -> "`" + k.type() + "`").toList()))
                    .append("\n\n");
            for (SourceKind kind : group) {
                md.append("- `").append(kind.type()).append("`: ").append(kind.description()).append(protocolText(kind))
                        .append('\n');
            }
            md.append('\n');
            table(md, groupRows(group));
        }
        return md.toString();
    }

    /** The lines of {@code --list-source-types}: each type, then each setting with its default and allowed values. */
    public static List<String> sourceTypes() {
        List<String> lines = new ArrayList<>();
        for (SourceKind kind : SourceKinds.all().values()) {
            lines.add(kind.type() + ": " + kind.description() + protocolText(kind));
            for (Setting<?> s : kind.settings()) {
                lines.add(String.format("  %-26s %-14s %s. %s", s.key(), s.hasDefaultValue() ? s.defaultText() : "(unset)",
                        s.typeText(), plain(s.description())));
            }
        }
        return lines;
    }

    private static String protocolText(SourceKind kind) {
        return kind.defaultProtocol() == null ? "" : " (protocol " + kind.defaultProtocol()
                + (kind.defaultIoVersion() == null ? "" : ", io-version " + kind.defaultIoVersion()) + ")";
    }

    /** The shared definitions, each once, with where they apply. */
    private static List<Setting<?>> networkSettings() {
        Map<String, Setting<?>> udp = byKey(NetworkKindOptions.settings(1, false));
        Map<String, Setting<?>> tcp = byKey(NetworkKindOptions.settings(1, true));
        Map<String, Setting<?>> all = new LinkedHashMap<>();
        for (Setting<?> s : concat(NetworkKindOptions.settings(1, false), NetworkKindOptions.settings(1, true))) {
            if (s.key().equals(NetworkKindOptions.PORT.key())) {
                s = NetworkKindOptions.PORT; // its default is the type's
            }
            all.putIfAbsent(s.key(), s);
        }
        List<Setting<?>> result = new ArrayList<>();
        for (Setting<?> s : all.values()) {
            boolean inUdp = udp.containsKey(s.key());
            boolean inTcp = tcp.containsKey(s.key());
            if (inUdp && inTcp && !Objects.equals(udp.get(s.key()).defaultText(), tcp.get(s.key()).defaultText())
                    && !s.key().equals(NetworkKindOptions.PORT.key())) {
                // receive-buffer: the UDP default; TCP leaves it to the system (said in its description)
                s = udp.get(s.key());
            }
            result.add(inUdp && inTcp ? s : s.withDescription((inUdp ? "UDP" : "TCP") + " only: "
                    + s.description().replaceFirst("^(UDP|TCP): ", "")));
        }
        return result;
    }

    /** A group of types of one kind: their own settings, and shared ones whose default is the type's own. */
    private static List<String[]> groupRows(List<SourceKind> group) {
        // Only socket kinds share the network settings (pcap's port and max-connections are its own).
        boolean network = group.get(0).settings().stream().anyMatch(s -> s.key().equals(NetworkKindOptions.BIND_HOST.key()));
        Map<String, Setting<?>> shared = network ? byKey(networkSettings()) : Map.of();
        Map<String, Map<String, Setting<?>>> byKey = new LinkedHashMap<>();
        for (SourceKind kind : group) {
            for (Setting<?> s : kind.settings()) {
                Setting<?> common = shared.get(s.key());
                if (common != null && common.hasDefaultValue() && common.defaultText().equals(s.defaultText())) {
                    continue;
                }
                if (common != null && !s.hasDefaultValue()) { // e.g. TCP's receive-buffer: the shared row says what unset means
                    continue;
                }
                byKey.computeIfAbsent(s.key(), k -> new LinkedHashMap<>()).put(kind.type(), s);
            }
        }
        List<String[]> rows = new ArrayList<>();
        for (Map<String, Setting<?>> perType : byKey.values()) {
            Setting<?> first = perType.values().iterator().next();
            boolean sameDefault = perType.values().stream().map(Setting::defaultText).distinct().count() == 1;
            String defaults;
            if (sameDefault) {
                defaults = defaultCell(first);
            } else {
                List<String> parts = new ArrayList<>();
                perType.forEach((type, s) -> parts.add(defaultCell(s) + " (" + type + ")"));
                defaults = String.join(" / ", parts);
            }
            String meaning = first.description();
            if (shared.containsKey(first.key())) {
                meaning = first.key().equals(NetworkKindOptions.PORT.key()) ? "port to listen on"
                        : "as [above](#settings-every-network-source-has), with this type's default";
            }
            if (perType.size() < group.size()) {
                meaning = String.join(", ", perType.keySet()) + " only: " + meaning;
            }
            rows.add(new String[] {"`" + first.key() + "`", defaults, first.typeText(), meaning});
        }
        return rows;
    }

    private static List<String[]> rows(List<Setting<?>> settings) {
        List<String[]> rows = new ArrayList<>();
        for (Setting<?> s : settings) {
            String key = "`" + s.key() + "`" + (s.deprecatedKeys().isEmpty() ? ""
                    : " (old name: " + String.join(", ", s.deprecatedKeys().stream().map(k -> "`" + k + "`").toList()) + ")");
            rows.add(new String[] {key, defaultCell(s), s.typeText(), s.description()});
        }
        return rows;
    }

    private static String defaultCell(Setting<?> s) {
        return s.hasDefaultValue() ? (s.defaultText().isEmpty() ? "empty" : "`" + s.defaultText() + "`") : "unset";
    }

    private static void table(StringBuilder md, List<String[]> rows) {
        md.append("| key | default | allowed | meaning |\n|---|---|---|---|\n");
        for (String[] row : rows) {
            md.append("| ").append(String.join(" | ", List.of(row).stream().map(c -> c.replace("|", "\\|")).toList()))
                    .append(" |\n");
        }
    }

    private static Map<String, Setting<?>> byKey(List<Setting<?>> settings) {
        Map<String, Setting<?>> map = new LinkedHashMap<>();
        settings.forEach(s -> map.putIfAbsent(s.key(), s));
        return map;
    }

    private static List<Setting<?>> concat(List<Setting<?>> a, List<Setting<?>> b) {
        List<Setting<?>> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Markdown links and code marks out, for the terminal. */
    private static String plain(String markdown) {
        return markdown.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "");
    }
}
