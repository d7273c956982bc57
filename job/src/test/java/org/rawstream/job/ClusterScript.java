package org.rawstream.job;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Drives a standalone cluster through {@code flink-conf/cluster.sh} exactly as a user would, in
 * its own cluster directory, on ports chosen free at run time (never a developer's 8081/6123).
 * REST reads go straight to the dashboard's API. Every command and wait has a deadline.
 */
final class ClusterScript {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

    private final Path root;
    private final Path clusterDir;
    private final Path commandLog;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String restBase;

    ClusterScript(Path root, Path clusterDir) throws IOException {
        this(root, clusterDir, Map.of());
    }

    /** With more environment for cluster.sh (for instance where its processes run: RAWSTREAM_*_NETNS). */
    ClusterScript(Path root, Path clusterDir, Map<String, String> moreEnv) throws IOException {
        this.root = root;
        this.clusterDir = clusterDir;
        Files.createDirectories(clusterDir);
        this.commandLog = clusterDir.resolve("commands.log");
        Map<String, String> e = new java.util.HashMap<>(Map.of(
                "RAWSTREAM_CLUSTER_DIR", clusterDir.toString(),
                "RAWSTREAM_REST_PORT", Integer.toString(ChildJob.freePort()),
                "RAWSTREAM_RPC_PORT", Integer.toString(ChildJob.freePort()),
                "RAWSTREAM_TIMEOUT", "120",
                "RAWSTREAM_MVN_OPTS", mavenOptions()));
        e.putAll(moreEnv);
        this.env = Map.copyOf(e);
    }

    /** The nested Maven of 'cluster.sh lib' uses the outer build's local repository and offline mode. */
    private static String mavenOptions() {
        List<String> opts = new ArrayList<>();
        if (Boolean.parseBoolean(System.getProperty("rawstream.mvn.offline", "false"))) {
            opts.add("-o");
        }
        String repo = System.getProperty("rawstream.mvn.repo", "");
        if (!repo.isBlank() && !repo.startsWith("${")) {
            opts.add("-Dmaven.repo.local=" + repo);
        }
        return String.join(" ", opts);
    }

    /** Empties a cluster directory for a fresh run, keeping lib/ (the Maven Central jars) to save the copy. */
    static void freshClusterDir(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> old = Files.list(dir)) {
                for (Path p : old.filter(p -> !p.getFileName().toString().equals("lib")).collect(java.util.stream.Collectors.toList())) {
                    StandaloneClusterITCase.deleteTree(p);
                }
            }
        }
        Files.createDirectories(dir);
    }

    /** Runs {@code cluster.sh <args>}; returns its stdout (trimmed); fails with its stderr. */
    String run(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("flink-conf/cluster.sh").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(clusterDir, "cmd", ".out");
        Path err = Files.createTempFile(clusterDir, "cmd", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean done;
        try {
            done = p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            // cluster.sh itself only; the cluster's Java processes are started detached (setsid).
            p.destroyForcibly();
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8).trim();
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.writeString(commandLog, "$ cluster.sh " + String.join(" ", args) + "\n" + stderr + stdout + "\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Files.delete(out);
        Files.delete(err);
        if (!done || p.exitValue() != 0) {
            throw new AssertionError("cluster.sh " + String.join(" ", args) + (done ? " exited " + p.exitValue() : " timed out")
                    + ":\n" + stderr + stdout);
        }
        return stdout;
    }

    String restBase() throws Exception {
        if (restBase == null) {
            restBase = run("url");
        }
        return restBase;
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(restBase() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The job's state, or UNKNOWN while the REST API does not answer (for instance while it starts). */
    String jobState(String jobId) throws Exception {
        try {
            return get("/jobs/" + jobId).get("state").asText();
        } catch (IOException e) {
            return "UNKNOWN";
        }
    }

    /** Runs a helper program (node, python) to completion within the timeout; fails with its output. */
    static String runTool(Path workDir, Path log, Duration timeout, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done;
        try {
            done = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (!done || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + (done ? " exited " + p.exitValue() : " timed out")
                    + ":\n" + output);
        }
        return output;
    }
}
