package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

/** Shared helpers of the raw-HDF5 tests: vector location, SHA-256, the h5py checker. */
final class RawHdf5TestSupport {

    /** The Debian interpreter that has h5py (the first python3 on PATH may not). */
    static final String PYTHON = "/usr/bin/python3";
    static final ObjectMapper JSON = new ObjectMapper();
    private static Boolean h5pyAvailable;

    private RawHdf5TestSupport() {}

    static Path vectorsDir() {
        String root = System.getProperty("rawstream.root");
        if (root != null && Files.isDirectory(Path.of(root).resolve("testdata/vectors"))) {
            return Path.of(root).resolve("testdata/vectors/rawhdf5").normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata/vectors"))) {
                return p.resolve("testdata/vectors/rawhdf5").normalize();
            }
        }
        throw new IllegalStateException("cannot find testdata/vectors from rawstream.root or the working directory");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> sha256All(List<byte[]> messages) {
        List<String> out = new ArrayList<>(messages.size());
        for (byte[] m : messages) {
            out.add(sha256(m));
        }
        return out;
    }

    /** Skips the calling test unless /usr/bin/python3 can import h5py. */
    static synchronized void assumeH5py() {
        if (h5pyAvailable == null) {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import h5py, numpy").redirectErrorStream(true).start();
                p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                boolean done = p.waitFor(60, TimeUnit.SECONDS);
                if (!done) {
                    p.destroyForcibly();
                }
                h5pyAvailable = done && p.exitValue() == 0;
            } catch (IOException e) {
                h5pyAvailable = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                h5pyAvailable = false;
            }
        }
        Assumptions.assumeTrue(h5pyAvailable,
                PYTHON + " cannot import h5py: install python3-h5py (Debian) to run the h5py cross-checks");
    }

    /** Copies a test resource script into {@code dir} and returns its path. */
    static Path script(Path dir, String name) throws IOException {
        Path target = dir.resolve(name);
        if (!Files.exists(target)) {
            try (InputStream in = RawHdf5TestSupport.class.getResourceAsStream("/rawhdf5/" + name)) {
                if (in == null) {
                    throw new IOException("missing test resource rawhdf5/" + name);
                }
                Files.copy(in, target);
            }
        }
        return target;
    }

    /** Runs check_rawfile.py on the file and returns its JSON summary. */
    static JsonNode h5pySummary(Path scriptDir, Path file) throws Exception {
        assumeH5py();
        Path out = Files.createTempFile(scriptDir, "summary", ".json");
        Path err = Files.createTempFile(scriptDir, "summary", ".err");
        Process p = new ProcessBuilder(PYTHON, script(scriptDir, "check_rawfile.py").toString(), file.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("h5py checker finished in time").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("h5py checker failed: %s", Files.readString(err, StandardCharsets.UTF_8)).isZero();
        return JSON.readTree(out.toFile());
    }

    /** Asserts the layout the spec requires, as seen by h5py. */
    static void assertSpecLayout(JsonNode s) {
        assertThat(s.get("superblock_version").asInt()).isEqualTo(3);
        assertThat(s.get("msgs_dtype").asText()).isEqualTo("vlen |u1");
        assertThat(s.get("headers_fields").toString()).isEqualTo("{\"io_groups\":\"|u1\"}");
        for (String ds : List.of("msgs_layout", "headers_layout")) {
            JsonNode l = s.get(ds);
            assertThat(l.get("maxshape").toString()).as(ds).isEqualTo("[null]");
            assertThat(l.get("chunks").toString()).as(ds).isEqualTo("[1024]");
            assertThat(l.get("compression").asText()).as(ds).isEqualTo("gzip");
            assertThat(l.get("compression_opts").asInt()).as(ds).isEqualTo(4);
            assertThat(l.get("fill_time_alloc").asBoolean()).as(ds).isTrue();
        }
        assertThat(s.get("count").asLong()).isEqualTo(s.get("headers_count").asLong());
        JsonNode attrs = s.get("attrs");
        for (String name : List.of("version", "io_version")) {
            if (attrs.has(name)) {
                assertThat(attrs.get(name).toString()).as(name)
                        .isEqualTo("{\"class\":\"string\",\"variable\":true,\"utf8\":true}");
            }
        }
        for (String name : List.of("created", "modified")) {
            assertThat(attrs.get(name).toString()).as(name)
                    .isEqualTo("{\"class\":\"float\",\"size\":8,\"little_endian\":true}");
        }
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
