package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's first run, {@code run --local --demo} with the Prometheus endpoint on, in a child JVM:
 * every default source gets demo data (committed files in {@code ./out-demo/<source>}, the demo
 * run's own output directory), the status table shows it, and Debian's Prometheus server (or, where
 * it is not installed, this test's own parser of the text format) scrapes the sources' and the
 * sink's metrics from an endpoint that listens on 127.0.0.1 only.
 */
class DemoRunITCase {
    private static final List<String> SOURCES = List.of("gen", "spead", "odin", "echo", "msgpack");
    private static final String PROMETHEUS = "/usr/bin/prometheus";
    private static final String SINK_COMMITTED = "flink_taskmanager_job_task_operator_rawhdf5_source_messagesCommitted";
    /** One sample of the Prometheus text format: name{labels} value. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    Path tmp;

    @Test
    void demoFeedsEverySourceAndPrometheusScrapesSourceAndSinkMetrics() throws Exception {
        int metricsPort = ChildJob.freePort();
        int echoPort = ChildJob.freePort();
        List<String> args = List.of("--local", "--demo", "--duration", "25s", "--prometheus-port", "" + metricsPort,
                "--status-interval", "3s", "--state-dir", tmp.resolve("state").toString(),
                "-D", "rest.port=" + ChildJob.freePort(),
                "--set", "source.spead.port=" + ChildJob.freePort(), "--set", "source.odin.port=" + ChildJob.freePort(),
                "--set", "source.echo.port=" + echoPort, "--set", "source.msgpack.port=" + ChildJob.freePort());
        Map<String, List<Map<String, String>>> scraped;
        Process prometheus = null;
        try (ChildJob job = ChildJob.start(tmp, tmp.resolve("run.log"), args)) {
            String endpoint = "http://127.0.0.1:" + metricsPort + "/metrics";
            job.await(Duration.ofSeconds(60), "committed messages of every source on " + endpoint, () -> {
                Map<String, List<Map<String, String>>> families = parse(LocalHttp.get(endpoint));
                Set<String> committed = new HashSet<>();
                for (Map<String, String> sample : families.getOrDefault(SINK_COMMITTED, List.of())) {
                    if (Double.parseDouble(sample.get("value")) > 0) {
                        committed.add(sample.get("source"));
                    }
                }
                return committed.containsAll(SOURCES);
            });
            // A second sender on a demo-fed TCP source is called out while the run goes on.
            try (Socket second = new Socket(InetAddress.getLoopbackAddress(), echoPort)) {
                assertThat(second.isConnected()).isTrue();
                job.await(Duration.ofSeconds(30), "a warning about the second sender on echo",
                        () -> job.logText()
                                .contains("WARNING: source 'echo' has 2 connections while --demo feeds it"));
            }
            assertThat(listenAddresses(metricsPort)).as("the endpoint listens on loopback only")
                    .isNotEmpty().allMatch(a -> a.equals("127.0.0.1"));
            scraped = parse(LocalHttp.get(endpoint));
            if (Files.isExecutable(Path.of(PROMETHEUS))) {
                prometheus = startPrometheus(metricsPort);
                int apiPort = prometheusPort;
                Deadlines.await(Duration.ofSeconds(60), "Prometheus to have scraped the sink's per-source metrics",
                        () -> queriedSources(apiPort, SINK_COMMITTED).containsAll(SOURCES));
                assertThat(query(apiPort, "flink_taskmanager_job_task_operator_rawstream_spead_bytesReceived"))
                        .as("Prometheus has the SPEAD source's bytesReceived").isNotEmpty();
            }
            assertThat(job.process.waitFor(120, TimeUnit.SECONDS)).as("stopped after --duration").isTrue();
            String log = job.logText();
            assertThat(job.process.exitValue()).as(log).isZero();
            // The protocol sources are configured by flags here (their ports): a real sender could use them.
            assertThat(log).contains("WARNING: --demo feeds source 'spead' with its built-in sender, and it is "
                    + "configured for a real sender (source.spead.port)");
            assertThat(log).contains("output.dir", "out-demo", "(--demo)", "Savepoint: file:")
                    .doesNotContain("Connection refused");
            StatusTable.assertShape(log, SOURCES);
            Map<String, Map<String, String>> atStop = StatusTable.last(log);
            for (String source : SOURCES) {
                assertThat(Long.parseLong(atStop.get(source).get("messages"))).as("%s at stop", source).isPositive();
            }
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
        // The sources' metrics, only those of their transport; the generator's; the sink's per source.
        String op = "flink_taskmanager_job_task_operator_";
        assertThat(scraped).containsKeys(op + "rawstream_gen_recordsGenerated", op + "rawstream_gen_bytesGenerated",
                op + "rawstream_spead_datagramsReceived", op + "rawstream_odin_datagramsReceived",
                op + "rawstream_echo_connectionsOpened", op + "rawstream_msgpack_connectionsOpen",
                op + "rawstream_echo_bytesReceived", op + "rawhdf5_source_recordsWritten",
                op + "rawhdf5_source_filesCommitted", op + "rawhdf5_appendQueueBytes");
        assertThat(scraped).doesNotContainKeys(op + "rawstream_spead_connectionsOpen",
                op + "rawstream_odin_acknowledgements", op + "rawstream_echo_datagramsReceived",
                op + "rawstream_msgpack_datagramsOversize");
        for (String source : SOURCES) {
            assertThat(OutputCheck.committedFiles(tmp.resolve("out-demo").resolve(source)))
                    .as("demo data for %s in ./out-demo", source).isNotEmpty();
        }
        assertThat(tmp.resolve("out")).as("a demo run never writes the capture directory").doesNotExist();
    }

    private int prometheusPort;

    /** Debian's Prometheus server, scraping the job every second; this test stops it. */
    private Process startPrometheus(int metricsPort) throws IOException {
        prometheusPort = ChildJob.freePort();
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: rawstream\n"
                + "    static_configs:\n      - targets: ['127.0.0.1:" + metricsPort + "']\n");
        return new ProcessBuilder(PROMETHEUS, "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
    }

    private static JsonNode query(int port, String expression) throws Exception {
        String body = LocalHttp.get("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(expression, StandardCharsets.UTF_8));
        if (body.isEmpty()) {
            return new ObjectMapper().createArrayNode();
        }
        JsonNode result = new ObjectMapper().readTree(body).path("data").path("result");
        return result.isArray() ? result : new ObjectMapper().createArrayNode();
    }

    private static Set<String> queriedSources(int port, String expression) throws Exception {
        Set<String> sources = new HashSet<>();
        for (JsonNode series : query(port, expression)) {
            if (series.path("value").path(1).asDouble() > 0) {
                sources.add(series.path("metric").path("source").asText());
            }
        }
        return sources;
    }

    /** Samples by family name; each sample's labels plus "value". */
    static Map<String, List<Map<String, String>>> parse(String exposition) {
        Map<String, List<Map<String, String>>> families = new HashMap<>();
        for (String line : exposition.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: %s", line).isTrue();
            Map<String, String> sample = new HashMap<>();
            if (m.group(3) != null) {
                Matcher label = LABEL.matcher(m.group(3));
                while (label.find()) {
                    sample.put(label.group(1), label.group(2));
                }
            }
            Double.parseDouble(m.group(4)); // the value is a number
            sample.put("value", m.group(4));
            families.computeIfAbsent(m.group(1), k -> new java.util.ArrayList<>()).add(sample);
        }
        return families;
    }

    /** IPv4 addresses listening on this TCP port, from /proc/net/tcp and tcp6 (IPv4-mapped). */
    private static Set<String> listenAddresses(int port) throws IOException {
        Set<String> addresses = new HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
                String[] f = line.trim().split("\\s+");
                if (!f[1].endsWith(hexPort) || !f[3].equals("0A")) { // 0A = LISTEN
                    continue;
                }
                String hex = f[1].substring(0, f[1].indexOf(':'));
                if (hex.length() == 32 && hex.startsWith("0000000000000000FFFF0000")) {
                    hex = hex.substring(24); // IPv4-mapped IPv6
                } else if (hex.length() == 32) {
                    addresses.add(hex.equals("00000000000000000000000000000000") ? "::" : hex);
                    continue;
                }
                long v = Long.parseLong(hex, 16); // little-endian in /proc
                addresses.add((v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff));
            }
        }
        return addresses;
    }
}
