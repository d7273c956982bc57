package org.rawstream.job.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.job.source.StoredMessages;
import org.rawstream.sources.echo.TestVectors;
import org.rawstream.sources.msgpack.MsgpackSender;
import org.rawstream.sources.net.Ports;
import org.rawstream.sources.odin.OdinSender;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadSender;

/**
 * Must-show 1: captures recorded with tcpdump on loopback while the project's own senders send
 * SPEAD over UDP and TCP, ODIN over UDP and MessagePack over TCP to live socket sources; a
 * {@code pcap} source per protocol replaying the capture commits, record for record, what the
 * sockets committed.
 *
 * <ul>
 *   <li>{@link #committedCapturesReplayToWhatTheirSocketsCommitted}: the captures in
 *       {@code testdata/pcap} with the SHA-256 of every record their live sockets committed
 *       ({@code .expected}); runs everywhere.</li>
 *   <li>{@link #aFreshRecordingReplaysToWhatTheSocketsCommitted}: records a new capture now (needs
 *       root and tcpdump; skipped otherwise). With {@code -Drawstream.pcap.record=<dir>} it also
 *       writes the capture and its {@code .expected} there (how testdata/pcap was made).</li>
 * </ul>
 */
class PcapRecordingITCase {
    static final Duration DEADLINE = Duration.ofSeconds(90);
    static final String CAPTURE = "loopback-mixed";

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir
    Path tmp;

    /** One live source and how its traffic is found in the capture. */
    record Endpoint(String name, String protocol, String transport, int port, int ioGroup) {
        String liveType() {
            return protocol + "-" + transport;
        }

        String ioVersion() {
            return protocol.equals("spead") ? "4.0" : "1.0";
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void committedCapturesReplayToWhatTheirSocketsCommitted() throws Exception {
        Path dir = testdata();
        Path capture = dir.resolve(CAPTURE + ".pcap");
        List<Endpoint> endpoints = new ArrayList<>();
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve(CAPTURE + ".expected"))) {
            String[] f = line.trim().split("\\s+");
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (f[0].equals("source")) {
                endpoints.add(new Endpoint(f[1], f[2], f[3], Integer.parseInt(f[4]), Integer.parseInt(f[5])));
            } else {
                expected.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]);
            }
        }
        assertThat(endpoints).hasSize(4);
        Map<String, List<String>> replayed = replay(capture, endpoints, tmp.resolve("replay"));
        for (Endpoint e : endpoints) {
            assertThat(expected.get(e.name())).as(e.name()).isNotEmpty();
            assertThat(sorted(replayed.get(e.name()))).as(e.name()).isEqualTo(sorted(expected.get(e.name())));
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aFreshRecordingReplaysToWhatTheSocketsCommitted() throws Exception {
        Assumptions.assumeTrue(isRoot() && Files.isExecutable(Paths.get("/usr/bin/tcpdump")),
                "recording needs root and Debian's tcpdump");
        List<Endpoint> endpoints = List.of(
                new Endpoint("su", "spead", "udp", Ports.freeUdpPort(), 1),
                new Endpoint("st", "spead", "tcp", Ports.freeTcpPort(), 2),
                new Endpoint("ou", "odin", "udp", Ports.freeUdpPort(), 3),
                new Endpoint("mt", "msgpack", "tcp", Ports.freeTcpPort(), 4));
        Path capture = tmp.resolve(CAPTURE + ".pcap");
        String filter = endpoints.stream().map(e -> e.transport() + " port " + e.port()).collect(Collectors.joining(" or "));
        Process tcpdump = new ProcessBuilder("/usr/bin/tcpdump", "-i", "lo", "-n", "-U", "-s", "0", "-B", "16384", "-w",
                capture.toString(), filter).redirectErrorStream(true).start();
        StringBuilder tcpdumpOutput = new StringBuilder();
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(tcpdump.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (tcpdumpOutput) {
                        tcpdumpOutput.append(line).append('\n');
                    }
                    if (line.contains("listening on")) {
                        listening.complete(null);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
        }, "tcpdump-output");
        reader.start();
        Map<String, List<String>> live;
        try {
            listening.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            live = runLive(endpoints, tmp.resolve("live"));
        } finally {
            // SIGINT, as Ctrl-C: tcpdump flushes the file and prints its counts.
            new ProcessBuilder("kill", "-INT", Long.toString(tcpdump.pid())).start().waitFor(10, TimeUnit.SECONDS);
            if (!tcpdump.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                tcpdump.destroyForcibly();
            }
            reader.join(DEADLINE.toMillis());
        }
        synchronized (tcpdumpOutput) {
            assertThat(tcpdumpOutput.toString()).as("tcpdump").containsPattern("(?m)^0 packets dropped by kernel");
        }
        Map<String, List<String>> replayed = replay(capture, endpoints, tmp.resolve("replay"));
        for (Endpoint e : endpoints) {
            assertThat(live.get(e.name())).as(e.name() + " live").isNotEmpty();
            assertThat(sorted(replayed.get(e.name()))).as(e.name()).isEqualTo(sorted(live.get(e.name())));
        }
        String record = System.getProperty("rawstream.pcap.record");
        if (record != null && !record.isBlank()) {
            Path dir = Paths.get(record);
            Files.createDirectories(dir);
            Files.copy(capture, dir.resolve(CAPTURE + ".pcap"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            List<String> lines = new ArrayList<>();
            lines.add("# What the live sockets committed while " + CAPTURE + ".pcap was recorded (PcapRecordingITCase).");
            lines.add("# source <name> <protocol> <transport> <port> <io-group>, then <name> <sha256 of a committed record>.");
            for (Endpoint e : endpoints) {
                lines.add("source " + e.name() + " " + e.protocol() + " " + e.transport() + " " + e.port() + " " + e.ioGroup());
            }
            for (Endpoint e : endpoints) {
                live.get(e.name()).forEach(sha -> lines.add(e.name() + " " + sha));
            }
            Files.write(dir.resolve(CAPTURE + ".expected"), lines);
        }
    }

    /** The live job: one bounded socket source per endpoint while the senders send; SHA-256s per source. */
    private Map<String, List<String>> runLive(List<Endpoint> endpoints, Path out) throws Exception {
        Settings s = base(out, endpoints);
        for (Endpoint e : endpoints) {
            String p = "source." + e.name() + ".";
            s.set(p + "type", e.liveType(), "test");
            s.set(p + "port", Integer.toString(e.port()), "test");
            s.set(p + "stop-when-idle", "3s", "test");
            if (!e.protocol().equals("spead")) {
                s.set(p + "first-data-timeout", "60s", "test");
            }
        }
        JobConfig config = JobConfig.from(s);
        JobClient job = StoredMessages.start(config, Duration.ofMillis(500), "live", stream -> stream);
        for (Endpoint e : endpoints) {
            if (e.transport().equals("udp")) {
                Ports.awaitUdpBound(e.port(), 1, DEADLINE);
            } else {
                Ports.awaitTcpListening(e.port(), DEADLINE);
            }
        }
        // Modest rates: every datagram fits the sockets' buffers, tcpdump keeps up.
        SpeadSender.Builder spead = SpeadSender.builder().heapSize(4096).flavour(SpeadFlavour.SPEAD_64_48).heaps(100)
                .rateGbps(0.02).connectTimeout(DEADLINE);
        spead.packetSize(1472).udp("127.0.0.1", endpoint(endpoints, "su").port()).build().run();
        spead.packetSize(9000).tcp("127.0.0.1", endpoint(endpoints, "st").port()).firstHeapCnt(1L << 32).build().run();
        OdinSender.builder().host("127.0.0.1").port(endpoint(endpoints, "ou").port()).transport(OdinSender.Transport.UDP)
                .rate(2000).count(300).schemaEvery(50).eventEvery(100).build().run();
        MsgpackSender.sendTcp("127.0.0.1", endpoint(endpoints, "mt").port(), MsgpackSender.sampleValues(300, 7), 1, 3000);
        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return committed(out, endpoints);
    }

    /** The replay job: a pcap source per endpoint on the same capture, filtered by its transport and port. */
    static Map<String, List<String>> replay(Path capture, List<Endpoint> endpoints, Path out) throws Exception {
        Settings s = base(out, endpoints);
        for (Endpoint e : endpoints) {
            String p = "source." + e.name() + ".";
            s.set(p + "type", "pcap", "test");
            s.set(p + "protocol", e.protocol(), "test");
            s.set(p + "path", capture.toString(), "test");
            s.set(p + "transport", e.transport(), "test");
            s.set(p + "port", Integer.toString(e.port()), "test");
        }
        JobConfig config = JobConfig.from(s);
        StoredMessages.start(config, Duration.ofMillis(500), "replay", stream -> stream).getJobExecutionResult()
                .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return committed(out, endpoints);
    }

    private static Settings base(Path out, List<Endpoint> endpoints) {
        Settings s = JobConfig.defaults()
                .set(JobConfig.OUTPUT_DIR, out.toString(), "test")
                .set(JobConfig.SOURCES, endpoints.stream().map(Endpoint::name).collect(Collectors.joining(",")), "test")
                .set(JobConfig.PARALLELISM, "1", "test")
                .set(JobConfig.BATCH_MAX_MESSAGES, "100", "test");
        for (Endpoint e : endpoints) {
            s.set("source." + e.name() + ".io-group", Integer.toString(e.ioGroup()), "test");
        }
        return s;
    }

    private static Map<String, List<String>> committed(Path out, List<Endpoint> endpoints) throws Exception {
        Map<String, List<String>> result = new LinkedHashMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Endpoint e : endpoints) {
            assertThat(StoredMessages.hiddenFiles(out.resolve(e.name()))).as(e.name() + " in-progress files").isEmpty();
            List<String> shas = new ArrayList<>();
            for (byte[] m : StoredMessages.read(out.resolve(e.name()), e.protocol(), e.ioVersion(), e.ioGroup())) {
                shas.add(HexFormat.of().formatHex(sha.digest(m)));
            }
            result.put(e.name(), shas);
        }
        return result;
    }

    private static Endpoint endpoint(List<Endpoint> endpoints, String name) {
        return endpoints.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> sorted(List<String> shas) {
        return shas == null ? List.of() : shas.stream().sorted().collect(Collectors.toList());
    }

    private static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").start();
            String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return uid.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** testdata/pcap, found by the sources' one rule for testdata (it finds testdata/vectors). */
    private static Path testdata() {
        return TestVectors.path("../pcap").normalize();
    }
}
