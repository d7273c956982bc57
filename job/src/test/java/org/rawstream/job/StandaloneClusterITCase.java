package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.echo.EchoSourceKind;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.sinks.rawhdf5.RawFileReader;

/**
 * The job on a real standalone cluster, the way users run it: {@code flink-conf/cluster.sh}
 * assembles lib/ from Maven Central, starts one JobManager and two TaskManagers on free loopback
 * ports, and the shaded job jar is submitted with Flink's CLI. While data flows the job is stopped
 * with a savepoint and resumed from it over REST, a TaskManager running its tasks is killed with
 * SIGKILL (and replaced), the dashboard of the restored job is checked in chromium (job graph and
 * the custom metrics, screenshots under target/), and the bounded generator runs to its end. Then the
 * committed files must hold every generated message exactly once, pass the h5py check, and the
 * notebooks must produce every figure from them.
 *
 * <p>Every network source kind runs too, fed by its demo sender. Its committed output is held
 * against the source's counters read over REST before every stop and kill (summed over the
 * attempts: a lower bound) and against what the feed reported sending (an upper bound and the
 * records' identity); see {@link ClusterProtocolSource}. A per-source table is printed at the end.
 *
 * <p>Runs in Maven's integration-test phase (failsafe), after the shaded jar is packaged.
 */
final class StandaloneClusterITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PYTHON = OutputCheck.PYTHON;
    private static final long MESSAGES = 100_000;
    private static final int RATE = 1_000;
    private static final int MESSAGE_BYTES = 256;
    private static final int IO_GROUP = 7;
    /** The sink's custom metrics the dashboard must show (metric group "rawhdf5" per sink operator). */
    private static final List<String> SINK_METRICS = List.of("rawhdf5.recordsWritten", "rawhdf5.bytesWritten",
            "rawhdf5.filesClosed", "rawhdf5.openFileBytes", "rawhdf5.filesCommitted", "rawhdf5.messagesCommitted",
            "rawhdf5.lastCommitLatencyMs");
    /** Protocols with a notebook of their own (notebooks/0[2-4]_*.ipynb). */
    private static final Set<String> NOTEBOOK_PROTOCOLS = Set.of("spead", "odin", "echo", "msgpack");
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    private static Path root;
    private static Path work;
    private static Path out;
    private static ClusterScript cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        root = OutputCheck.repoRoot();
        Path target = root.resolve("job/target");
        assertThat(target.resolve("rawstream-job.jar")).as("the shaded job jar (mvn package)").isRegularFile();
        work = target.resolve("cluster-it");
        ClusterScript.freshClusterDir(work);
        out = work.resolve("out");
        cluster = new ClusterScript(root, work);
        // Fast failure detection for the TaskManager kill (defaults: 10 s interval, 50 s timeout);
        // metrics fetched for REST at most 1 s old (default 10 s), so counter readings are recent.
        cluster.run("start", "-D", "heartbeat.interval=1000", "-D", "heartbeat.timeout=10000",
                "-D", "metrics.fetcher.update-interval=1000");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.run("stop");
        }
    }

    @Test
    void savepointResumeAndTaskManagerKillKeepExactlyOnce() throws Exception {
        List<ClusterProtocolSource> protocols = protocolSources();
        List<String> jobArgs = new ArrayList<>(List.of(
                "--output", out.toString(), "--parallelism", "2", "--checkpoint-interval", "1s",
                "--roll-max-records", "4000",
                // One sink for all sources: the job is one failover region, so the TaskManager kill
                // restarts every task and the counter readings of the attempts add up (with a sink
                // per source, the default, each source is its own region and only the killed
                // TaskManager's regions restart).
                "--set", "sink.per-source=false",
                "--set", "source.gen.count=" + MESSAGES, "--set", "source.gen.rate=" + RATE,
                "--set", "source.gen.message-bytes=" + MESSAGE_BYTES, "--set", "source.gen.io-group=" + IO_GROUP));
        StringBuilder sources = new StringBuilder("gen");
        for (ClusterProtocolSource p : protocols) {
            sources.append(',').append(p.config.name());
            p.settings.forEach((k, v) -> jobArgs.addAll(List.of("--set", k + "=" + v)));
        }
        jobArgs.addAll(List.of("--sources", sources.toString()));
        String jar = root.resolve("job/target/rawstream-job.jar").toString();
        try {
            // 1. Submit with the CLI; feed every protocol source with its own sender; wait for commits.
            String first = cluster.run(concat(List.of("submit-cli", jar), jobArgs));
            cluster.run("wait-running", first);
            awaitUdpSourcesBound(first, protocols);
            for (ClusterProtocolSource p : protocols) {
                p.feed = p.kind.startDemoFeed(p.config, p.ledger);
            }
            awaitCommitted(1);

            // 2. Read the sources' counters, stop with a savepoint, resume from it over REST.
            readCounters(first, "job 1, before stop-with-savepoint", protocols);
            String savepoint = cluster.run("stop-savepoint", first);
            assertThat(savepoint).startsWith("file:");
            Deadlines.await(RUN_TIMEOUT, "the stopped job to finish", () -> cluster.jobState(first).equals("FINISHED"));
            long beforeResume = committedMessages();
            assertThat(beforeResume).as("messages committed before the savepoint").isPositive().isLessThan(MESSAGES);
            String second = cluster.run(concat(List.of("resume", savepoint, jar), jobArgs));
            cluster.run("wait-running", second);
            assertThat(cluster.get("/jobs/" + second + "/checkpoints").get("counts").get("restored").asInt()).isEqualTo(1);

            // 3. While data flows: read the counters, wait until a checkpoint triggered after that
            //    reading has completed (everything counted is then committed or will be on
            //    recovery), SIGKILL a TaskManager that runs tasks of the job, start a replacement.
            Deadlines.await(RUN_TIMEOUT, "progress after the resume", () -> committedMessages() > beforeResume);
            readCounters(second, "job 2, before the TaskManager kill", protocols);
            awaitCheckpointTriggeredAfter(second, System.currentTimeMillis());
            assertThat(restartCount(second)).as("restarts before the kill (counters read would not all be covered)")
                    .isZero();
            int victim = taskManagerRunning(second);
            cluster.run("kill-tm", Integer.toString(victim), "KILL");
            Deadlines.await(RUN_TIMEOUT, "the job to notice the lost TaskManager",
                    () -> !cluster.jobState(second).equals("RUNNING") || restartCount(second) > 0);
            cluster.run("start-tm", Integer.toString(victim));

            // 4. The dashboard, while the restored job runs on.
            cluster.run("wait-running", second);
            assertEveryTaskRestarted(second);
            checkDashboard(second, protocols);

            // 5. The bounded generator runs to its end (the final checkpoint commits the rest); the
            //    protocol sources are unbounded: read their counters, then stop with a savepoint.
            Deadlines.await(RUN_TIMEOUT, "every generated message committed", () -> {
                assertThat(cluster.jobState(second)).as("job state").isNotIn("FAILED", "CANCELED");
                return committedMessages() >= MESSAGES;
            });
            if (!protocols.isEmpty()) {
                readCounters(second, "job 2 after the kill, before the final stop", protocols);
                cluster.run("stop-savepoint", second);
            }
            Deadlines.await(RUN_TIMEOUT, "the resumed job to finish", () -> cluster.jobState(second).equals("FINISHED"));
            assertThat(restartCount(second)).as("restarts after the kill").isPositive();
        } finally {
            for (ClusterProtocolSource p : protocols) {
                if (p.feed != null) {
                    p.feed.close();
                }
            }
        }

        // 6. Exactly once (SHA-256 multiset of what h5py reads), every file checked with h5py.
        Path source = out.resolve("gen");
        List<JsonNode> generated = OutputCheck.h5pySummaries(OutputCheck.committedFiles(source), work);
        assertSpecLayout(generated);
        OutputCheck.assertExactlyOnce(OutputCheck.messageMultiset(generated, IO_GROUP, "generator", "1.0"),
                OutputCheck.expectedGenerated(MESSAGES, MESSAGE_BYTES));
        assertThat(OutputCheck.hiddenFiles(source)).as("in-progress files left behind").isEmpty();
        Set<String> protocolsInRun = new TreeSet<>();
        Map<String, ClusterProtocolSource.Outcome> outcomes = new TreeMap<>();
        for (ClusterProtocolSource p : protocols) {
            Path dir = out.resolve(p.config.name());
            List<Path> committed = OutputCheck.committedFiles(dir);
            assertThat(committed).as("committed files of %s", p.config.name()).isNotEmpty();
            List<JsonNode> summaries = OutputCheck.h5pySummaries(committed, work);
            assertSpecLayout(summaries);
            outcomes.put(p.config.name(), p.check(summaries, dir));
            assertThat(OutputCheck.hiddenFiles(dir)).as("in-progress files of %s", p.config.name()).isEmpty();
            protocolsInRun.add(p.config.protocol());
        }
        if (!protocols.isEmpty()) {
            printTable(protocols, outcomes);
            for (ClusterProtocolSource p : protocols) {
                assertThat(outcomes.get(p.config.name()).problems).as("exactly-once problems of %s", p.config.name())
                        .isEmpty();
            }
        }

        // 7. The notebooks on this run's output: every figure produced.
        checkNotebooks(protocolsInRun);
    }

    /** The per-source figures, on stdout (the test report) and in target/cluster-it/exactly-once.txt. */
    private void printTable(List<ClusterProtocolSource> protocols, Map<String, ClusterProtocolSource.Outcome> outcomes)
            throws IOException {
        List<String> labels = protocols.get(0).readingLabels();
        StringBuilder table = new StringBuilder("Protocol sources: the bound counter read before each stop/kill ");
        for (int i = 0; i < labels.size(); i++) {
            table.append(i == 0 ? "(" : ", ").append("attempt ").append(i + 1).append(" = ").append(labels.get(i));
        }
        table.append("), its sum, and the committed output\n")
                .append(ClusterProtocolSource.header(labels)).append('\n');
        for (ClusterProtocolSource p : protocols) {
            table.append(p.row(outcomes.get(p.config.name()))).append('\n');
        }
        for (ClusterProtocolSource p : protocols) {
            table.append(p.config.name()).append(": ").append(p.bound.name).append(" vs ").append(p.other.name).append('\n');
            outcomes.get(p.config.name()).problems.forEach(problem -> table.append("  PROBLEM ").append(problem).append('\n'));
        }
        System.out.print(table);
        Files.writeString(work.resolve("exactly-once.txt"), table, StandardCharsets.UTF_8);
    }

    /**
     * Every registered source kind with a network endpoint (a {@code port} option) joins the run
     * on a free port, fed by the kind's own demo sender; a kind with acknowledgements answers only
     * once the checkpoint holding a request completed ({@code ack: durable}). The generator's
     * messages are known, so its check is the full multiset.
     */
    private static List<ClusterProtocolSource> protocolSources() throws IOException {
        List<ClusterProtocolSource> result = new ArrayList<>();
        int ioGroup = 10;
        for (SourceKind kind : SourceKinds.all().values()) {
            // Listening kinds only (-udp, -tcp): a pcap source has a port too, as a filter.
            if (!kind.options().containsKey("port") || !(kind.type().endsWith("-udp") || kind.type().endsWith("-tcp"))) {
                continue;
            }
            String name = kind.type().replaceAll("[^A-Za-z0-9]", "_");
            Map<String, String> settings = new TreeMap<>(Map.of(
                    "source." + name + ".type", kind.type(),
                    "source." + name + ".io-group", Integer.toString(ioGroup++),
                    "source." + name + ".port", Integer.toString(ChildJob.freePort())));
            if (kind.options().containsKey(EchoSourceKind.ACK)) {
                settings.put("source." + name + "." + EchoSourceKind.ACK, "durable");
            }
            Settings s = JobConfig.defaults().set(JobConfig.SOURCES, name, "test").setAll(settings, "test");
            SourceConfig config = JobConfig.from(s).sources().get(0);
            result.add(new ClusterProtocolSource(kind, config, settings));
        }
        return result;
    }

    /**
     * Waits until every UDP source has bound its socket (the transport's receiveBufferGranted
     * gauge is set at bind), so that a demo sender does not start into a closed port (a connected
     * UDP sender sees ICMP port-unreachable). TCP senders retry their connect until the server
     * listens. Metrics reach the REST API every second or so: this is a poll with a deadline.
     */
    private void awaitUdpSourcesBound(String jobId, List<ClusterProtocolSource> protocols) throws Exception {
        for (ClusterProtocolSource p : protocols) {
            if (!p.kind.type().endsWith("-udp")) {
                continue;
            }
            String suffix = ".rawstream." + p.config.name() + ".receiveBufferGranted";
            Deadlines.await(RUN_TIMEOUT, p.config.name() + " bound to its UDP port",
                    () -> metricSums(jobId, List.of(id -> id.endsWith(suffix)))[0] > 0);
        }
    }

    /**
     * Reads every protocol source's counters (its bound counter and the other one) as the REST API
     * serves them now, once each source's bound counter is positive (so the reading is never of a
     * source that got nothing yet: the stop or kill that follows then happens while data flows).
     * A value is at most a moment old (metrics.fetcher.update-interval); counters only grow within
     * an attempt, so an old value is a smaller, still valid, lower bound.
     */
    private void readCounters(String jobId, String label, List<ClusterProtocolSource> protocols) throws Exception {
        List<Predicate<String>> counters = new ArrayList<>();
        for (ClusterProtocolSource p : protocols) {
            counters.add(p.bound.matches);
            counters.add(p.other.matches);
        }
        long[][] sums = new long[1][];
        StringBuilder summed = new StringBuilder();
        try {
            Deadlines.await(RUN_TIMEOUT, "every protocol source counting (" + label + ")", () -> {
                summed.setLength(0);
                sums[0] = metricSums(jobId, counters, summed);
                for (int i = 0; i < protocols.size(); i++) {
                    if (sums[0][2 * i] <= 0) {
                        return false;
                    }
                }
                return true;
            });
        } finally {
            // What was summed, for whoever reads the figures (or a failure) later.
            Files.writeString(work.resolve("counters.txt"), "# " + label + "\n" + summed, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        for (int i = 0; i < protocols.size(); i++) {
            protocols.get(i).addReading(label, sums[0][2 * i], sums[0][2 * i + 1]);
        }
    }

    /**
     * Sums over the job's vertices and subtasks of the metrics each predicate selects (by the
     * REST metric id, {@code <subtask>.<operator>.<group...>.<name>}): one listing and one value
     * request per vertex.
     */
    private long[] metricSums(String jobId, List<Predicate<String>> selectors) throws Exception {
        return metricSums(jobId, selectors, new StringBuilder());
    }

    /** {@link #metricSums(String, List)}, listing every metric summed ({@code id = value}) in {@code summed}. */
    private long[] metricSums(String jobId, List<Predicate<String>> selectors, StringBuilder summed) throws Exception {
        long[] sums = new long[selectors.size()];
        for (JsonNode vertex : cluster.get("/jobs/" + jobId).get("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/metrics";
            Map<String, List<Integer>> wanted = new TreeMap<>();
            for (JsonNode m : cluster.get(path)) {
                String id = m.get("id").asText();
                for (int i = 0; i < selectors.size(); i++) {
                    if (selectors.get(i).test(id)) {
                        wanted.computeIfAbsent(id, k -> new ArrayList<>()).add(i);
                    }
                }
            }
            if (wanted.isEmpty()) {
                continue;
            }
            String get = wanted.keySet().stream().map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8))
                    .collect(Collectors.joining(","));
            for (JsonNode value : cluster.get(path + "?get=" + get)) {
                for (int i : wanted.getOrDefault(value.get("id").asText(), List.of())) {
                    sums[i] += (long) value.get("value").asDouble();
                }
                summed.append(value.get("id").asText()).append(" = ").append(value.get("value").asText()).append('\n');
            }
        }
        return sums;
    }

    /** Waits until a checkpoint whose trigger time (JobManager clock, this machine) is after {@code millis} completed. */
    private void awaitCheckpointTriggeredAfter(String jobId, long millis) throws Exception {
        Deadlines.await(RUN_TIMEOUT, "a checkpoint triggered after the counter reading to complete", () -> {
            JsonNode completed = cluster.get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
            return completed.isObject() && completed.path("trigger_timestamp").asLong() > millis;
        });
    }

    /**
     * After the kill every task of the job runs a new attempt, so every counter restarted from zero
     * and the readings of the attempts add up (the job is one failover region: all its edges are
     * all-to-all into the one sink). A vertex that finished (the bounded generator) is left out.
     */
    private void assertEveryTaskRestarted(String jobId) throws Exception {
        List<String> notRestarted = new ArrayList<>();
        // The REST API serves the execution graph from a short-lived cache: poll, do not sample once.
        try {
            Deadlines.await(Duration.ofSeconds(30), "every task of " + jobId + " in a new attempt", () -> {
                notRestarted.clear();
                for (JsonNode vertex : cluster.get("/jobs/" + jobId).get("vertices")) {
                    JsonNode detail = cluster.get("/jobs/" + jobId + "/vertices/" + vertex.get("id").asText());
                    for (JsonNode subtask : detail.get("subtasks")) {
                        if (!subtask.get("status").asText().equals("FINISHED") && subtask.get("attempt").asInt() < 1) {
                            notRestarted.add(vertex.get("name").asText() + " #" + subtask.get("subtask").asText());
                        }
                    }
                }
                return notRestarted.isEmpty();
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; still in their first attempt: " + notRestarted, e);
        }
    }

    // ----------------------------------------------------------------------------- checks

    private void checkDashboard(String jobId, List<ClusterProtocolSource> protocols) throws Exception {
        Path browserDir = root.resolve("job/src/test/browser");
        if (!Files.isDirectory(browserDir.resolve("node_modules/playwright-core"))) {
            ClusterScript.runTool(browserDir, work.resolve("npm-ci.log"), Duration.ofMinutes(3),
                    List.of("npm", "ci", "--no-audit", "--no-fund"));
        }
        List<String> command = new ArrayList<>(List.of("node", "dashboard.mjs", "--url", cluster.restBase(),
                "--job", jobId, "--out", work.resolve("dashboard").toString(), "--timeout", "300"));
        List<String> metrics = new ArrayList<>(SINK_METRICS);
        for (ClusterProtocolSource p : protocols) {
            // The transport's per-source metrics: group "rawstream" -> source name.
            metrics.add("rawstream." + p.config.name() + ".recordsDecoded");
            metrics.add("rawstream." + p.config.name() + ".bytesReceived");
        }
        metrics.forEach(m -> {
            command.add("--metric");
            command.add(m);
        });
        String output = ClusterScript.runTool(browserDir, work.resolve("dashboard.log"), Duration.ofMinutes(6), command);
        assertThat(output).contains("metrics shown");
        JsonNode report = JSON.readTree(work.resolve("dashboard/dashboard.json").toFile());
        assertThat(report.get("vertices").size()).isPositive();
        for (String metric : metrics) {
            assertThat(report.get("metrics").has(metric)).as("dashboard shows %s", metric).isTrue();
        }
        assertThat(work.resolve("dashboard/job-graph.png")).isNotEmptyFile();
        assertThat(work.resolve("dashboard/metrics-1.png")).isNotEmptyFile();
    }




    /**
     * The notebooks on this run's output: every figure of the protocols the run has. The protocol
     * notebooks whose protocol the run lacks are executed on a small synthetic run
     * (notebooks/make_fixture.py) so that every figure is still produced once per build.
     */
    private void checkNotebooks(Set<String> protocolsInRun) throws Exception {
        String output = runNotebooks(out, work.resolve("notebooks"), protocolsInRun);
        assertThat(output).containsPattern("01_overview\\.ipynb\\s+ok\\s+figures=[1-9]");
        Set<String> missing = new TreeSet<>(NOTEBOOK_PROTOCOLS);
        missing.removeAll(protocolsInRun);
        if (!missing.isEmpty()) {
            Path fixture = work.resolve("notebook-fixture");
            ClusterScript.runTool(root, work.resolve("notebook-fixture.log"), Duration.ofMinutes(2),
                    List.of(PYTHON, root.resolve("notebooks/make_fixture.py").toString(), fixture.toString(),
                            "--only", String.join(",", missing)));
            runNotebooks(fixture, work.resolve("notebooks-fixture"), missing);
        }
    }

    private String runNotebooks(Path outputDir, Path results, Set<String> required) throws Exception {
        Path log = results.resolveSibling(results.getFileName() + ".log");
        String output = ClusterScript.runTool(root, log, Duration.ofMinutes(6),
                List.of(PYTHON, root.resolve("notebooks/check_notebooks.py").toString(), "--out", outputDir.toString(),
                        "--results", results.toString(), "--require", String.join(",", required)));
        assertThat(output).as("notebooks on %s", outputDir).contains("01_overview.ipynb").doesNotContain("FAILED");
        return output;
    }

    // ----------------------------------------------------------------------------- helpers

    /** What h5py sees of the format (the rest of each file's metadata: OutputCheck.messageMultiset). */
    private static void assertSpecLayout(List<JsonNode> summaries) {
        for (JsonNode s : summaries) {
            assertThat(s.get("superblock_version").asInt()).as("superblock").isEqualTo(3);
            assertThat(s.get("msgs_dtype").asText()).isEqualTo("vlen |u1");
        }
    }

    private void awaitCommitted(int files) throws Exception {
        Deadlines.await(RUN_TIMEOUT, files + " committed file(s)", () -> OutputCheck.committedFiles(out.resolve("gen")).size() >= files);
    }

    private static long committedMessages() throws IOException {
        long n = 0;
        for (Path f : OutputCheck.committedFiles(out.resolve("gen"))) {
            try (RawFileReader reader = RawFileReader.open(f)) {
                n += reader.count();
            }
        }
        return n;
    }

    /** The number n of a TaskManager (resource id tm-n) that runs a task of the job. */
    private int taskManagerRunning(String jobId) throws Exception {
        Map<String, Integer> running = new TreeMap<>();
        // The REST API serves the execution graph from a short-lived cache: poll, do not sample once.
        Deadlines.await(RUN_TIMEOUT, "a TaskManager running tasks of " + jobId, () -> {
            running.clear();
            for (JsonNode vertex : cluster.get("/jobs/" + jobId).get("vertices")) {
                for (JsonNode tm : cluster.get("/jobs/" + jobId + "/vertices/" + vertex.get("id").asText()
                        + "/taskmanagers").get("taskmanagers")) {
                    if (tm.get("status").asText().equals("RUNNING")) {
                        running.merge(tm.get("taskmanager-id").asText(), 1, Integer::sum);
                    }
                }
            }
            return !running.isEmpty();
        });
        String id = running.keySet().iterator().next();
        assertThat(id).matches("tm-\\d+");
        return Integer.parseInt(id.substring(3));
    }

    private long restartCount(String jobId) throws Exception {
        JsonNode exceptions = cluster.get("/jobs/" + jobId + "/exceptions");
        return exceptions.has("exceptionHistory") ? exceptions.get("exceptionHistory").get("entries").size() : 0;
    }



    private static String[] concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(new String[0]);
    }


    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(q);
            }
        }
    }
}
