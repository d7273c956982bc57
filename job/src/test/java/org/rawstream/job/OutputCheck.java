package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.rawstream.job.generator.GeneratedMessages;

/**
 * Checks a sink output directory the way a user would read it: h5py (through the raw-HDF5
 * library's own checker script, sinks/src/test/resources/rawhdf5/check_rawfile.py, run once for
 * all files) and SHA-256 multisets of the message bytes.
 */
final class OutputCheck {
    static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutputCheck() {}

    static Path repoRoot() {
        String root = System.getProperty("rawstream.root");
        if (root != null && Files.isDirectory(Path.of(root).resolve("sinks"))) {
            return Path.of(root).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("flink-conf/config.yaml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root");
    }

    static Path checkerScript() {
        return repoRoot().resolve("sinks/src/test/resources/rawhdf5/check_rawfile.py");
    }

    /** Committed (visible) files of a source directory, sorted. */
    static List<Path> committedFiles(Path sourceDir) throws IOException {
        if (!Files.isDirectory(sourceDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(sourceDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".h5")
                            && !p.getFileName().toString().startsWith("."))
                    .sorted().collect(Collectors.toList());
        }
    }

    /** Hidden in-progress/pending files of a source directory. */
    static List<Path> hiddenFiles(Path sourceDir) throws IOException {
        try (Stream<Path> files = Files.list(sourceDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".")).sorted().collect(Collectors.toList());
        }
    }

    /** h5py summaries (check_rawfile.py's JSON) of every file, in one interpreter run. */
    static List<JsonNode> h5pySummaries(List<Path> files, Path workDir) throws Exception {
        if (files.isEmpty()) {
            return List.of();
        }
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c",
                "import sys\n"
                        + "sys.path.insert(0, sys.argv[1])\n"
                        + "import check_rawfile\n"
                        + "for p in sys.argv[2:]:\n"
                        + "    check_rawfile.main(p)\n"
                        + "    sys.stdout.write('\\n')\n",
                checkerScript().getParent().toString()));
        files.forEach(f -> command.add(f.toString()));
        Path out = Files.createTempFile(workDir, "h5py", ".jsonl");
        Path err = Files.createTempFile(workDir, "h5py", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("h5py check finished in time").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("h5py check failed: %s", Files.readString(err, StandardCharsets.UTF_8)).isZero();
        List<JsonNode> summaries = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                summaries.add(JSON.readTree(line));
            }
        }
        assertThat(summaries).hasSameSizeAs(files);
        return summaries;
    }

    /** Multiset (sha256 → count) of all messages in the summaries; checks each file's metadata too. */
    static Map<String, Integer> messageMultiset(List<JsonNode> summaries, int ioGroup, String protocol, String ioVersion) {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode s : summaries) {
            assertThat(s.get("count").asLong()).isEqualTo(s.get("headers_count").asLong()).isPositive();
            assertThat(s.get("version").asText()).isEqualTo("0.0");
            assertThat(s.get("io_version").asText()).isEqualTo(ioVersion);
            assertThat(s.get("other_attrs").get("protocol").asText()).isEqualTo(protocol);
            s.get("io_groups").forEach(g -> assertThat(g.asInt()).isEqualTo(ioGroup));
            s.get("msg_sha256").forEach(h -> counts.merge(h.asText(), 1, Integer::sum));
        }
        return counts;
    }

    /** What the generator emits for indexes [0, count): each message exactly once. */
    static Map<String, Integer> expectedGenerated(long count, int size) {
        Map<String, Integer> counts = new HashMap<>();
        for (long i = 0; i < count; i++) {
            counts.merge(sha256(GeneratedMessages.message(i, size)), 1, Integer::sum);
        }
        return counts;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Asserts exactly-once: same keys, every count 1 (reports a few offenders, not 100 000 lines). */
    static void assertExactlyOnce(Map<String, Integer> actual, Map<String, Integer> expected) {
        List<String> duplicated = actual.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .limit(5).collect(Collectors.toList());
        long missing = expected.keySet().stream().filter(k -> !actual.containsKey(k)).count();
        long unexpected = actual.keySet().stream().filter(k -> !expected.containsKey(k)).count();
        long total = actual.values().stream().mapToLong(Integer::longValue).sum();
        assertThat(duplicated).as("duplicated messages (first 5)").isEmpty();
        assertThat(missing).as("missing messages").isZero();
        assertThat(unexpected).as("unexpected messages").isZero();
        assertThat(total).as("total committed messages").isEqualTo(expected.size());
    }
}
