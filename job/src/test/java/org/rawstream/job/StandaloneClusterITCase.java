package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
    /**
     * Kinds whose demo feed sends no two equal messages (SPEAD heaps carry a heap counter unique per
     * feed, echo requests a sequence and a per-connection random body, MessagePack records a
     * sequence continued across rounds): any duplicate in their output is a duplicate the job made.
     * ODIN is left out: its identifier (schema) and event packets repeat by protocol design.
     */
    private static final Set<String> UNIQUE_FEEDS = Set.of("spead-udp", "spead-tcp", "echo-tcp", "msgpack-tcp",
            "msgpack-udp");
    /** Kinds that store each decoded record as one message (NetworkKindOptions.storedBytes). */
    private static final Set<String> ONE_MESSAGE_PER_RECORD = Set.of("echo-tcp", "msgpack-tcp", "msgpack-udp");

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
        // A fresh run every time; lib/ (the Maven Central jars) is kept to save the copy.
        try (Stream<Path> old = Files.exists(work) ? Files.list(work) : Stream.empty()) {
            for (Path p : old.filter(p -> !p.getFileName().toString().equals("lib")).collect(Collectors.toList())) {
                deleteTree(p);
            }
        }
        out = work.resolve("out");
        cluster = new ClusterScript(root, work);
        // Fast failure detection for the TaskManager kill (defaults: 10 s interval, 50 s timeout).
        cluster.run("start", "-D", "heartbeat.interval=1000", "-D", "heartbeat.timeout=10000");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.run("stop");
        }
    }

    @Test
    void savepointResumeAndTaskManagerKillKeepExactlyOnce() throws Exception {
        List<ProtocolSource> protocols = protocolSources();
        List<String> jobArgs = new ArrayList<>(List.of(
                "--output", out.toString(), "--parallelism", "2", "--checkpoint-interval", "1s",
                "--roll-max-records", "4000",
                "--set", "source.gen.count=" + MESSAGES, "--set", "source.gen.rate=" + RATE,
                "--set", "source.gen.message-bytes=" + MESSAGE_BYTES, "--set", "source.gen.io-group=" + IO_GROUP));
        StringBuilder sources = new StringBuilder("gen");
        for (ProtocolSource p : protocols) {
            sources.append(',').append(p.config.name());
            p.settings.forEach((k, v) -> jobArgs.addAll(List.of("--set", k + "=" + v)));
        }
        jobArgs.addAll(List.of("--sources", sources.toString()));
        String jar = root.resolve("job/target/rawstream-job.jar").toString();
        List<AutoCloseable> feeds = new ArrayList<>();
        try {
            // 1. Submit with the CLI; feed every protocol source with its own sender; wait for commits.
            String first = cluster.run(concat(List.of("submit-cli", jar), jobArgs));
            cluster.run("wait-running", first);
            awaitUdpSourcesBound(first, protocols);
            for (ProtocolSource p : protocols) {
                AutoCloseable feed = p.kind.startDemoFeed(p.config);
                if (feed != null) {
                    feeds.add(feed);
                }
            }
            awaitCommitted(1);

            // 2. Stop with a savepoint, resume from it over REST.
            String savepoint = cluster.run("stop-savepoint", first);
            assertThat(savepoint).startsWith("file:");
            Deadlines.await(RUN_TIMEOUT, "the stopped job to finish", () -> cluster.jobState(first).equals("FINISHED"));
            long beforeResume = committedMessages();
            assertThat(beforeResume).as("messages committed before the savepoint").isPositive().isLessThan(MESSAGES);
            String second = cluster.run(concat(List.of("resume", savepoint, jar), jobArgs));
            cluster.run("wait-running", second);
            assertThat(cluster.get("/jobs/" + second + "/checkpoints").get("counts").get("restored").asInt()).isEqualTo(1);

            // 3. While data flows: SIGKILL a TaskManager that runs tasks of the job, start a replacement.
            Deadlines.await(RUN_TIMEOUT, "progress after the resume", () -> committedMessages() > beforeResume);
            int victim = taskManagerRunning(second);
            cluster.run("kill-tm", Integer.toString(victim), "KILL");
            Deadlines.await(RUN_TIMEOUT, "the job to notice the lost TaskManager",
                    () -> !cluster.jobState(second).equals("RUNNING") || restartCount(second) > 0);
            cluster.run("start-tm", Integer.toString(victim));

            // 4. The dashboard, while the restored job runs on.
            cluster.run("wait-running", second);
            checkDashboard(second, protocols);

            // 5. The bounded generator runs to its end (the final checkpoint commits the rest); the
            //    protocol sources are unbounded: stop with a savepoint once the generator is done.
            Deadlines.await(RUN_TIMEOUT, "every generated message committed", () -> {
                assertThat(cluster.jobState(second)).as("job state").isNotIn("FAILED", "CANCELED");
                return committedMessages() >= MESSAGES;
            });
            if (!protocols.isEmpty()) {
                // The sources' own counters of this (restored) attempt, read before the stop: all of
                // it must be committed by the stop-with-savepoint (a lower bound for the check below).
                for (ProtocolSource p : protocols) {
                    p.decodedBeforeStop = sourceMetric(second, p.config.name(), "recordsDecoded");
                }
                cluster.run("stop-savepoint", second);
            }
            Deadlines.await(RUN_TIMEOUT, "the resumed job to finish", () -> cluster.jobState(second).equals("FINISHED"));
            assertThat(restartCount(second)).as("restarts after the kill").isPositive();
        } finally {
            for (AutoCloseable feed : feeds) {
                feed.close();
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
        for (ProtocolSource p : protocols) {
            List<Path> committed = OutputCheck.committedFiles(out.resolve(p.config.name()));
            assertThat(committed).as("committed files of %s", p.config.name()).isNotEmpty();
            List<JsonNode> summaries = OutputCheck.h5pySummaries(committed, work);
            assertSpecLayout(summaries);
            Map<String, Integer> messages = OutputCheck.messageMultiset(summaries, p.config.ioGroup(), p.config.protocol(),
                    p.config.ioVersion());
            assertThat(messages).as("messages of %s", p.config.name()).isNotEmpty();
            if (UNIQUE_FEEDS.contains(p.kind.type())) {
                assertThat(messages.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).limit(5))
                        .as("duplicated messages of %s (first 5 SHA-256)", p.config.name()).isEmpty();
            }
            if (ONE_MESSAGE_PER_RECORD.contains(p.kind.type())) {
                assertThat(p.decodedBeforeStop).as("recordsDecoded of %s before the last stop", p.config.name())
                        .isPositive();
                long total = messages.values().stream().mapToLong(Integer::longValue).sum();
                assertThat(total).as("committed messages of %s vs its recordsDecoded before the last stop",
                        p.config.name()).isGreaterThanOrEqualTo(p.decodedBeforeStop);
            }
            assertThat(OutputCheck.hiddenFiles(out.resolve(p.config.name()))).as("in-progress files of %s", p.config.name())
                    .isEmpty();
            protocolsInRun.add(p.config.protocol());
        }

        // 7. The notebooks on this run's output: every figure produced.
        checkNotebooks(protocolsInRun);
    }

    /**
     * Every registered source kind with a network endpoint (a {@code port} option) joins the run
     * on a free port, fed by the kind's own demo sender. What they store is checked for format,
     * protocol and io_groups, for duplicates ({@link #UNIQUE_FEEDS}) and against the sources'
     * decoded-record counters ({@link #ONE_MESSAGE_PER_RECORD}); the generator's messages are
     * known, so its check is the full multiset.
     */
    private static List<ProtocolSource> protocolSources() throws IOException {
        List<ProtocolSource> result = new ArrayList<>();
        int ioGroup = 10;
        for (SourceKind kind : SourceKinds.all().values()) {
            if (!kind.options().containsKey("port")) {
                continue;
            }
            String name = kind.type().replaceAll("[^A-Za-z0-9]", "_");
            Map<String, String> settings = new TreeMap<>(Map.of(
                    "source." + name + ".type", kind.type(),
                    "source." + name + ".io-group", Integer.toString(ioGroup++),
                    "source." + name + ".port", Integer.toString(ChildJob.freePort())));
            Settings s = JobConfig.defaults().set(JobConfig.SOURCES, name, "test").setAll(settings, "test");
            SourceConfig config = JobConfig.from(s).sources().get(0);
            result.add(new ProtocolSource(kind, config, settings));
        }
        return result;
    }

    /**
     * Waits until every UDP source has bound its socket (the transport's receiveBufferGranted
     * gauge is set at bind), so that a demo sender does not start into a closed port (a connected
     * UDP sender sees ICMP port-unreachable). TCP senders retry their connect until the server
     * listens. Metrics reach the REST API every few seconds: this is a poll with a deadline.
     */
    private void awaitUdpSourcesBound(String jobId, List<ProtocolSource> protocols) throws Exception {
        for (ProtocolSource p : protocols) {
            if (!p.kind.type().endsWith("-udp")) {
                continue;
            }
            Deadlines.await(RUN_TIMEOUT, p.config.name() + " bound to its UDP port",
                    () -> sourceMetric(jobId, p.config.name(), "receiveBufferGranted") > 0);
        }
    }

    /**
     * The sum over subtasks of a source's transport metric ({@code rawstream.<source>.<metric>}) as
     * the REST API serves it now (it lags by the metric fetch interval: a value from a moment ago).
     */
    private long sourceMetric(String jobId, String source, String metric) throws Exception {
        String suffix = ".rawstream." + source + "." + metric;
        long sum = 0;
        for (JsonNode vertex : cluster.get("/jobs/" + jobId).get("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/metrics";
            for (JsonNode m : cluster.get(path)) {
                String id = m.get("id").asText();
                if (id.endsWith(suffix)) {
                    JsonNode value = cluster.get(path + "?get=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
                    if (value.size() > 0) {
                        sum += (long) value.get(0).get("value").asDouble();
                    }
                }
            }
        }
        return sum;
    }

    /** A protocol source of the run: its kind, its resolved config, and the settings passed to the job. */
    private static final class ProtocolSource {
        final SourceKind kind;
        final SourceConfig config;
        final Map<String, String> settings;
        long decodedBeforeStop;

        ProtocolSource(SourceKind kind, SourceConfig config, Map<String, String> settings) {
            this.kind = kind;
            this.config = config;
            this.settings = settings;
        }
    }

    // ----------------------------------------------------------------------------- checks

    private void checkDashboard(String jobId, List<ProtocolSource> protocols) throws Exception {
        Path browserDir = root.resolve("job/src/test/browser");
        if (!Files.isDirectory(browserDir.resolve("node_modules/playwright-core"))) {
            ClusterScript.runTool(browserDir, work.resolve("npm-ci.log"), Duration.ofMinutes(3),
                    List.of("npm", "ci", "--no-audit", "--no-fund"));
        }
        List<String> command = new ArrayList<>(List.of("node", "dashboard.mjs", "--url", cluster.restBase(),
                "--job", jobId, "--out", work.resolve("dashboard").toString(), "--timeout", "300"));
        List<String> metrics = new ArrayList<>(SINK_METRICS);
        for (ProtocolSource p : protocols) {
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


    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(q);
            }
        }
    }
}
