package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sources.spead.StoredHeapCodec;

/**
 * The job on a cluster of several "hosts" on one machine: Linux network namespaces made by
 * {@code flink-conf/netns-hosts.sh} (a JobManager host, two capture hosts each running one
 * TaskManager of one slot with {@code taskmanager.host} set to its own address, and an
 * instrument host for the senders), the cluster started by {@code flink-conf/cluster.sh} from
 * Maven Central jars. The job has a SPEAD UDP source with one endpoint per capture host address
 * and a SPEAD multicast source with 4 groups, joined on the capture hosts' interfaces.
 *
 * <p>Shown: every endpoint is bound by the TaskManager that owns its address (their logs), the
 * groups spread over both; every heap sent (two rounds, each sender target with a counter range
 * of its own) is committed exactly once; a TaskManager killed with SIGKILL and started again on
 * its host gets its endpoints back and receives the second round.
 *
 * <p>Needs root and iproute2 (skipped otherwise). Namespaces are named after this JVM's PID, so
 * parallel runs never collide; they exist only inside this machine and are deleted at the end,
 * after every process started in them has been stopped.
 */
final class NetnsClusterITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String H1 = "10.213.0.11";
    private static final String H2 = "10.213.0.12";
    private static final int UNICAST_PORT = 7148;
    private static final int MULTICAST_PORT = 7150;
    private static final List<String> GROUPS = List.of("239.2.1.150", "239.2.1.151", "239.2.1.152", "239.2.1.153");
    private static final long HEAPS_PER_TARGET = 100;
    private static final int HEAP_BYTES = 16 << 10;
    /** Sender target k's heap counters start at round * ROUND + k * TARGET + 1. */
    private static final long TARGET = 1L << 32;
    private static final long ROUND = 1L << 40;

    private static Path root;
    private static Path work;
    private static Path out;
    private static String name;
    private static ClusterScript cluster;
    private static boolean namespacesUp;

    @BeforeAll
    static void startCluster() throws Exception {
        Assumptions.assumeTrue(isRoot(), "network namespaces need root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "iproute2 (ip) is not installed");
        root = OutputCheck.repoRoot();
        Path target = root.resolve("job/target");
        assertThat(target.resolve("rawstream-job.jar")).as("the shaded job jar (mvn package)").isRegularFile();
        work = target.resolve("netns-it");
        ClusterScript.freshClusterDir(work);
        out = work.resolve("out");
        name = "rs" + ProcessHandle.current().pid();
        namespacesUp = true; // "down" deletes whichever of them exist, also after a failed "up"
        netns("up", name);
        cluster = new ClusterScript(root, work, Map.of(
                "RAWSTREAM_JM_NETNS", name + "-jm", "RAWSTREAM_JM_ADDRESS", netns("address", "jm"),
                "RAWSTREAM_TM_NETNS", name + "-h1 " + name + "-h2", "RAWSTREAM_TM_ADDRESSES", H1 + " " + H2,
                "RAWSTREAM_TASKMANAGERS", "2"));
        // One slot per TaskManager: a job of parallelism 2 then has one subtask of every operator on
        // each host. Fast failure detection for the kill; small TaskManagers (2 cores, others busy).
        cluster.run("start", "-D", "taskmanager.numberOfTaskSlots=1", "-D", "parallelism.default=2",
                "-D", "taskmanager.memory.process.size=1600m", "-D", "heartbeat.interval=1000",
                "-D", "heartbeat.timeout=10000");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            if (cluster != null) {
                cluster.run("stop");
            }
        } finally {
            if (namespacesUp) {
                netns("down", name);
            }
        }
    }

    @Test
    void endpointsFollowTheirHostsAndEveryHeapIsCommittedOnce() throws Exception {
        String jar = root.resolve("job/target/rawstream-job.jar").toString();
        String hosts = H1 + "," + H2;
        List<String> args = new ArrayList<>(List.of("submit", jar, "--output", out.toString(), "--parallelism", "2",
                "--checkpoint-interval", "1s", "--sources", "uni,mc"));
        Map<String, String> settings = new TreeMap<>(Map.of(
                "source.uni.type", "spead-udp", "source.uni.host", hosts, "source.uni.port", Integer.toString(UNICAST_PORT),
                "source.uni.io-group", "1",
                "source.mc.type", "spead-udp", "source.mc.host", hosts, "source.mc.port", Integer.toString(MULTICAST_PORT),
                "source.mc.multicast-group", GROUPS.get(0) + "+3", "source.mc.io-group", "2"));
        for (String s : List.of("uni", "mc")) {
            settings.put("source." + s + ".reorder-timeout", "500ms");
            settings.put("source." + s + ".receive-buffer", "4mb");
        }
        settings.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        String job = cluster.run(args.toArray(String[]::new));
        cluster.run("wait-running", job);

        // 1. Every endpoint bound on the TaskManager of its host; the 4 groups over both.
        List<Map<String, Integer>> before = awaitBound(LogMark.start(), LogMark.start(), true);
        Map<String, Integer> h1 = before.get(0);
        Map<String, Integer> h2 = before.get(1);

        // 2. Round 0 to all 6 targets from the instrument host; all of it committed.
        send(0);
        awaitCommitted(2 * HEAPS_PER_TARGET, 4 * HEAPS_PER_TARGET);

        // 3. SIGKILL the second host's TaskManager, start it again there: it gets its endpoints back.
        LogMark h1Log = LogMark.of(log(1));
        LogMark h2Log = LogMark.of(log(2));
        cluster.run("kill-tm", "2", "KILL");
        Deadlines.await(TIMEOUT, "the job to notice the lost TaskManager",
                () -> !jobState(job).equals("RUNNING") || restarts(job) > 0);
        cluster.run("start-tm", "2");
        cluster.run("wait-running", job);
        // The recovery may take more than one attempt (an attempt deployed before the JobManager
        // has given up the lost TaskManager's partitions fails again), and each attempt binds
        // again: after the kill, an endpoint may be bound more than once, one attempt after another.
        List<Map<String, Integer>> after = awaitBound(h1Log, h2Log, false);
        Map<String, Integer> h1After = after.get(0);
        Map<String, Integer> h2After = after.get(1);

        // 4. Round 1; then every heap of both rounds exactly once.
        send(1);
        awaitCommitted(4 * HEAPS_PER_TARGET, 8 * HEAPS_PER_TARGET);
        cluster.run("cancel", job);

        Map<Long, Integer> uni = committedCounters("uni");
        Map<Long, Integer> mc = committedCounters("mc");
        assertExactlyOnce("uni", uni, List.of(0, 1));
        assertExactlyOnce("mc", mc, List.of(2, 3, 4, 5));
        String table = String.format(java.util.Locale.ROOT,
                "Endpoints bound per TaskManager (from its log: endpoint=times), before and after the kill of tm-2%n"
                        + "tm-1 %s before: %s%n     %s after:  %s%n" + "tm-2 %s before: %s%n     %s after:  %s%n"
                        + "uni: %d heaps committed, %d distinct, %d sent; mc: %d committed, %d distinct, %d sent%n",
                H1, h1, H1, h1After, H2, h2, H2, h2After, total(uni), uni.size(), 4 * HEAPS_PER_TARGET,
                total(mc), mc.size(), 8 * HEAPS_PER_TARGET);
        System.out.print(table);
        Files.writeString(work.resolve("placement.txt"), table, StandardCharsets.UTF_8);
    }

    /**
     * Waits until the TaskManagers' logs, from the marks, show each host's unicast endpoint and
     * all 4 groups bound; then checks that each TaskManager bound only its own address and groups
     * (each once when {@code onceEach}: one attempt of the job), and that every group is on exactly
     * one host, each host having some. Without {@code onceEach} (a recovery, perhaps of several
     * attempts, each binding again and perhaps placing a group on the other host) it first waits
     * until no bind has been logged for {@link #BINDS_SETTLED}, and the spread is that of each
     * group's last bind: the attempt that stayed. Returns endpoint -> times bound, per TaskManager.
     */
    private List<Map<String, Integer>> awaitBound(LogMark mark1, LogMark mark2, boolean onceEach) throws Exception {
        List<Map<String, Integer>> bound = new ArrayList<>();
        Deadlines.await(TIMEOUT, "both TaskManagers to bind their endpoints", () -> {
            bound.clear();
            bound.add(boundEndpoints(1, mark1));
            bound.add(boundEndpoints(2, mark2));
            long groups = bound.stream().flatMap(m -> m.keySet().stream()).filter(e -> e.endsWith(":" + MULTICAST_PORT)).count();
            return bound.get(0).containsKey(H1 + ":" + UNICAST_PORT) && bound.get(1).containsKey(H2 + ":" + UNICAST_PORT)
                    && groups >= GROUPS.size();
        });
        if (!onceEach) {
            awaitBindsSettled(mark1, mark2);
            bound.set(0, boundEndpoints(1, mark1));
            bound.set(1, boundEndpoints(2, mark2));
        }
        List<String> hosts = List.of(H1, H2);
        for (int tm = 0; tm < 2; tm++) {
            for (String endpoint : bound.get(tm).keySet()) {
                String address = endpoint.substring(0, endpoint.lastIndexOf(':'));
                assertThat(address.equals(hosts.get(tm)) || GROUPS.contains(address))
                        .as("taskmanager-%d (%s) bound %s", tm + 1, hosts.get(tm), endpoint).isTrue();
                if (onceEach) {
                    assertThat(bound.get(tm).get(endpoint)).as("times %s was bound on taskmanager-%d", endpoint, tm + 1)
                            .isEqualTo(1);
                }
            }
        }
        if (onceEach) {
            assertGroupsSpread(bound.get(0).keySet(), bound.get(1).keySet());
        } else {
            Map<String, String> last1 = lastBinds(1, mark1);
            Map<String, String> last2 = lastBinds(2, mark2);
            Set<String> on1 = new TreeSet<>();
            Set<String> on2 = new TreeSet<>();
            for (String endpoint : union(last1.keySet(), last2.keySet())) {
                String at1 = last1.getOrDefault(endpoint, "");
                String at2 = last2.getOrDefault(endpoint, "");
                (at1.compareTo(at2) > 0 ? on1 : on2).add(endpoint);
            }
            assertGroupsSpread(on1, on2);
        }
        return bound;
    }

    /** No bind logged on either TaskManager for this long: the recovery's last attempt has bound all. */
    private static final Duration BINDS_SETTLED = Duration.ofSeconds(3);

    private void awaitBindsSettled(LogMark mark1, LogMark mark2) throws Exception {
        int[] seen = {-1};
        long[] changedAt = {System.nanoTime()};
        Deadlines.await(TIMEOUT, "the recovery's binds to settle", () -> {
            int binds = boundEndpoints(1, mark1).values().stream().mapToInt(Integer::intValue).sum()
                    + boundEndpoints(2, mark2).values().stream().mapToInt(Integer::intValue).sum();
            if (binds != seen[0]) {
                seen[0] = binds;
                changedAt[0] = System.nanoTime();
            }
            return System.nanoTime() - changedAt[0] >= BINDS_SETTLED.toNanos();
        });
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    /** Endpoint -> the log timestamp of its last bind from the mark (both logs share the clock). */
    private Map<String, String> lastBinds(int tm, LogMark mark) throws IOException {
        Map<String, String> last = new TreeMap<>();
        Matcher m = TIMED_BOUND.matcher(logFrom(tm, mark));
        while (m.find()) {
            last.put(m.group(2) + ":" + m.group(3), m.group(1)); // later lines replace earlier ones
        }
        return last;
    }

    /** Every group bound on exactly one of the two hosts, each having some. */
    private static void assertGroupsSpread(Set<String> h1, Set<String> h2) {
        List<String> groups = new ArrayList<>();
        for (Set<String> host : List.of(h1, h2)) {
            assertThat(host).as("groups on each host").anyMatch(e -> e.endsWith(":" + MULTICAST_PORT));
            host.stream().filter(e -> e.endsWith(":" + MULTICAST_PORT)).forEach(groups::add);
        }
        assertThat(groups).as("multicast groups bound on the two hosts")
                .containsExactlyInAnyOrderElementsOf(GROUPS.stream().map(g -> g + ":" + MULTICAST_PORT).collect(Collectors.toList()));
    }

    private static final Pattern BOUND = Pattern.compile("udp receiver bound /([0-9.]+):(\\d+)");
    /** A bind with the line's timestamp ({@code 2026-12-07 13:16:29,631}, sortable as text). */
    private static final Pattern TIMED_BOUND = Pattern.compile(
            "(?m)^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}) .*udp receiver bound /([0-9.]+):(\\d+)");

    private String logFrom(int tm, LogMark mark) throws IOException {
        Path log = log(tm);
        byte[] all = Files.readAllBytes(log);
        long offset = mark.offsetIn(log);
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                StandardCharsets.UTF_8);
    }

    private Map<String, Integer> boundEndpoints(int tm, LogMark mark) throws IOException {
        Map<String, Integer> bound = new TreeMap<>();
        Matcher m = BOUND.matcher(logFrom(tm, mark));
        while (m.find()) {
            bound.merge(m.group(1) + ":" + m.group(2), 1, Integer::sum);
        }
        return bound;
    }

    /**
     * A position in a TaskManager's log. The cluster's log4j rolls the file over when a process
     * starts (OnStartupTriggeringPolicy), so a TaskManager started again writes a new file (a new
     * inode) that is read from its beginning; the same file is read from the recorded size.
     */
    private record LogMark(Object fileKey, long size) {
        static LogMark start() {
            return new LogMark(null, 0);
        }

        static LogMark of(Path log) throws IOException {
            return new LogMark(Files.readAttributes(log, BasicFileAttributes.class).fileKey(), Files.size(log));
        }

        long offsetIn(Path log) throws IOException {
            Object now = Files.readAttributes(log, BasicFileAttributes.class).fileKey();
            return fileKey != null && fileKey.equals(now) ? size : 0;
        }
    }

    private Path log(int tm) {
        return work.resolve("log/taskmanager-" + tm + ".log");
    }

    /** One sender process in the instrument's namespace, to all 6 targets; waits for it to finish. */
    private void send(int round) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name + "-tx",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", work.resolve("lib") + "/*:" + root.resolve("job/target/rawstream-job.jar"),
                RawStreamJob.class.getName(), "send-spead", "--heaps", Long.toString(HEAPS_PER_TARGET),
                "--heap-size", Integer.toString(HEAP_BYTES), "--packet-size", "1472", "--rate", "0.03", "--no-stop",
                "--first-cnt", Long.toString(round * ROUND + 1), "--target-cnt-stride", Long.toString(TARGET)));
        for (String target : targets()) {
            command.addAll(List.of("--udp", target));
        }
        String output = ClusterScript.runTool(work, work.resolve("send-round-" + round + ".log"), TIMEOUT, command);
        assertThat(output).contains("send-spead: " + 6 * HEAPS_PER_TARGET + " heaps");
    }

    /** Target k of the sender: 0, 1 the hosts' unicast endpoints, 2..5 the groups. */
    private static List<String> targets() {
        List<String> t = new ArrayList<>(List.of(H1 + ":" + UNICAST_PORT, H2 + ":" + UNICAST_PORT));
        GROUPS.forEach(g -> t.add(g + ":" + MULTICAST_PORT));
        return t;
    }

    private void awaitCommitted(long uni, long mc) throws Exception {
        Deadlines.await(TIMEOUT, uni + " heaps of uni and " + mc + " of mc committed",
                () -> total(committedCounters("uni")) >= uni && total(committedCounters("mc")) >= mc);
    }

    /** Heap counter -> times committed, over the committed files of a source. */
    private Map<Long, Integer> committedCounters(String source) throws IOException {
        Map<Long, Integer> counters = new HashMap<>();
        for (Path file : OutputCheck.committedFiles(out.resolve(source))) {
            try (RawFileReader reader = RawFileReader.open(file)) {
                for (byte[] message : reader.messages(0, reader.count())) {
                    counters.merge(StoredHeapCodec.decode(message).heapCnt(), 1, Integer::sum);
                }
            }
        }
        return counters;
    }

    private static long total(Map<Long, Integer> counters) {
        return counters.values().stream().mapToLong(Integer::longValue).sum();
    }

    private static void assertExactlyOnce(String source, Map<Long, Integer> committed, List<Integer> targets) {
        TreeSet<Long> expected = new TreeSet<>();
        for (int round = 0; round < 2; round++) {
            for (int k : targets) {
                for (long i = 0; i < HEAPS_PER_TARGET; i++) {
                    expected.add(round * ROUND + k * TARGET + 1 + i);
                }
            }
        }
        List<Long> duplicates = committed.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .sorted().limit(10).collect(Collectors.toList());
        TreeSet<Long> missing = new TreeSet<>(expected);
        missing.removeAll(committed.keySet());
        TreeSet<Long> unexpected = new TreeSet<>(committed.keySet());
        unexpected.removeAll(expected);
        assertThat(duplicates).as("%s: heaps committed more than once", source).isEmpty();
        assertThat(missing).as("%s: heaps sent but not committed (%d)", source, missing.size()).isEmpty();
        assertThat(unexpected).as("%s: heaps committed that were not sent to it", source).isEmpty();
    }

    private String jobState(String job) {
        try {
            return rest("/jobs/" + job).get("state").asText();
        } catch (Exception | AssertionError e) {
            return "UNKNOWN";
        }
    }

    private long restarts(String job) throws Exception {
        JsonNode n = rest("/jobs/" + job + "/exceptions").path("exceptionHistory").path("entries");
        return n.size();
    }

    /** A REST GET through cluster.sh: the JobManager listens in its namespace, not here. */
    private JsonNode rest(String path) throws Exception {
        return JSON.readTree(cluster.run("rest", path));
    }

    private static String netns(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(OutputCheck.repoRoot().resolve("flink-conf/netns-hosts.sh").toString());
        command.addAll(List.of(args));
        Files.createDirectories(work);
        return ClusterScript.runTool(work, work.resolve("netns-" + args[0] + ".log"), Duration.ofSeconds(60), command)
                .trim().lines().reduce((a, b) -> b).orElse("");
    }

    private static boolean isRoot() {
        try {
            return "root".equals(System.getProperty("user.name"))
                    && Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
