package org.rawstream.sources.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.TcpSender;
import org.rawstream.sources.transport.UdpOptions;
import org.rawstream.sources.transport.UdpSender;

// Flink's closeables declare "throws Exception"; try-with-resources on them is intended.
@SuppressWarnings("try")
class NetworkSourceITCase {
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .setConfiguration(REPORTER.addToConfiguration(new Configuration())).build());

    /** Records seen downstream in the acknowledgement test (same JVM as the MiniCluster). */
    private static final AtomicInteger SEEN = new AtomicInteger();

    private static List<byte[]> lines(String prefix, int count, boolean newline) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add((prefix + i + (newline ? "\n" : "")).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void deliversEveryRecordSentOverUdpAndTcp() throws Exception {
        int udpPort = Ports.freeUdpPort();
        int tcpPort = Ports.freeTcpPort();
        NetworkSource<String> source = NetworkSource.<String>builder()
                .name("lines-it")
                .protocol(new LineProtocol(false))
                .typeInfo(Types.STRING)
                .udp(UdpOptions.builder(udpPort).receiveBufferBytes(4 << 20).build())
                .tcp(TcpOptions.builder(tcpPort).build())
                .stopWhenIdle(Duration.ofSeconds(1), Duration.ofSeconds(60))
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<String> stream = env.fromSource(source, WatermarkStrategy.noWatermarks(), "lines");
        List<String> received = new ArrayList<>();
        try (CloseableIterator<String> results = stream.collectAsync()) {
            JobClient job = env.executeAsync("network-source-it");
            Ports.awaitUdpBound(udpPort, 1, BIND_TIMEOUT);
            Ports.awaitTcpListening(tcpPort, BIND_TIMEOUT);

            UdpSender.Result udp = UdpSender.to("127.0.0.1", udpPort).datagramsPerSecond(20_000).build()
                    .send(lines("udp-", 2000, false), 1);
            TcpSender.Result tcp = TcpSender.to("127.0.0.1", tcpPort).connections(2).build()
                    .send(lines("tcp-", 1000, true), 1);
            UdpSender.to("127.0.0.1", udpPort).build().send(List.of(new byte[0]), 1); // a decode error
            assertThat(udp.datagrams).isEqualTo(2000);
            assertThat(tcp.messages).isEqualTo(2000);

            results.forEachRemaining(received::add);
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);

            // The transport counters are Flink metrics: rawstream.<source name>.<counter>, per subtask.
            Map<String, Metric> metrics = REPORTER.findMetrics(job.getJobID(), "rawstream.lines-it.");
            assertThat(sum(metrics, "datagramsReceived")).isEqualTo(2001);
            assertThat(sum(metrics, "recordsDecoded")).isEqualTo(4000);
            assertThat(sum(metrics, "connectionsOpened")).isEqualTo(2);
            assertThat(sum(metrics, "connectionsClosed")).isEqualTo(2);
            assertThat(sum(metrics, "decodeErrors_emptyDatagram")).isEqualTo(1);
            assertThat(sum(metrics, "decodeErrors")).isEqualTo(1);
            assertThat(sum(metrics, "nonEmptyDatagrams")).isEqualTo(2000);
            long udpBytes = lines("udp-", 2000, false).stream().mapToLong(b -> b.length).sum();
            long tcpBytes = 2 * lines("tcp-", 1000, true).stream().mapToLong(b -> b.length).sum();
            assertThat(sum(metrics, "bytesReceived")).isEqualTo(udpBytes + tcpBytes);
            assertThat(sum(metrics, "connectionsOpen")).isZero();
            assertThat(sum(metrics, "receiveBufferGranted")).isPositive();
        }
        List<String> expected = new ArrayList<>();
        lines("udp-", 2000, false).forEach(b -> expected.add(new String(b, StandardCharsets.UTF_8)));
        for (int c = 0; c < 2; c++) {
            lines("tcp-", 1000, false).forEach(b -> expected.add(new String(b, StandardCharsets.UTF_8)));
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reusePortGivesEverySubtaskASocketOnTheSamePort() throws Exception {
        int udpPort = Ports.freeUdpPort();
        NetworkSource<String> source = NetworkSource.<String>builder()
                .name("reuse-it")
                .protocol(new LineProtocol(false))
                .typeInfo(Types.STRING)
                .udp(UdpOptions.builder(udpPort).reusePort(true).receiveBufferBytes(1 << 20).build())
                .stopWhenIdle(Duration.ofSeconds(1), Duration.ofSeconds(60))
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<String> received = new ArrayList<>();
        try (CloseableIterator<String> results =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "lines").collectAsync()) {
            JobClient job = env.executeAsync("reuse-port-it");
            Ports.awaitUdpBound(udpPort, 2, BIND_TIMEOUT);
            // Many source ports, so the kernel's hash spreads them over both sockets.
            for (int s = 0; s < 16; s++) {
                UdpSender.to("127.0.0.1", udpPort).build().send(lines("s" + s + "-", 10, false), 1);
            }
            results.forEachRemaining(received::add);
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            // A UDP-only source registers no connection or acknowledgement metrics (always 0 there).
            Map<String, Metric> metrics = REPORTER.findMetrics(job.getJobID(), "rawstream.reuse-it.");
            assertThat(metrics.keySet()).anyMatch(k -> k.endsWith(".datagramsReceived"))
                    .noneMatch(k -> k.contains(".connections") || k.contains(".acknowledgements")
                            || k.endsWith(".bytesSent") || k.endsWith(".streamBytesReceived"));
        }
        assertThat(received).hasSize(160).doesNotHaveDuplicates();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void durableModeRespondsOnlyAfterTheCheckpointCompletes(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
        SEEN.set(0);
        int tcpPort = Ports.freeTcpPort();
        NetworkSource<String> source = NetworkSource.<String>builder()
                .protocol(new LineProtocol(true))
                .typeInfo(Types.STRING)
                .tcp(TcpOptions.builder(tcpPort).build())
                .stopWhenIdle(Duration.ofSeconds(1), Duration.ofSeconds(60))
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(Duration.ofHours(1).toMillis()); // only the checkpoint this test triggers
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "lines")
                .map(new CountSeen()).returns(Types.STRING)
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("durable-ack-it");
        JobID jobId = job.getJobID();
        Ports.awaitTcpListening(tcpPort, BIND_TIMEOUT);

        try (Socket client = new Socket("127.0.0.1", tcpPort)) {
            client.getOutputStream().write("a\nb\nc\nd\ne\n".getBytes(StandardCharsets.UTF_8));
            client.shutdownOutput();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (SEEN.get() < 5) {
                assertThat(System.nanoTime()).as("records downstream in time").isLessThan(deadline);
                LockSupport.parkNanos(10_000_000L);
            }
            // All five went downstream, no checkpoint yet: nothing may have been answered.
            InputStream in = client.getInputStream();
            assertThat(in.available()).isZero();

            miniCluster.triggerCheckpoint(jobId).get(60, TimeUnit.SECONDS);

            client.setSoTimeout(30_000);
            ByteArrayOutputStream answers = new ByteArrayOutputStream();
            in.transferTo(answers); // until the server closes after the last acknowledgement
            assertThat(answers.toString(StandardCharsets.UTF_8)).isEqualTo("ack:0\nack:1\nack:2\nack:3\nack:4\n");
        }
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        // A TCP-only source registers no datagram metrics; an acknowledging one its acknowledgements.
        Map<String, Metric> metrics = REPORTER.findMetrics(jobId, "rawstream.");
        assertThat(metrics.keySet()).anyMatch(k -> k.endsWith(".acknowledgements"))
                .noneMatch(k -> k.contains(".datagram"));
    }

    /** Sum of a metric over subtasks; counters and numeric gauges. */
    private static long sum(Map<String, Metric> metrics, String name) {
        long total = 0;
        boolean found = false;
        for (Map.Entry<String, Metric> e : metrics.entrySet()) {
            if (!e.getKey().endsWith("." + name)) {
                continue;
            }
            found = true;
            Metric m = e.getValue();
            if (m instanceof Counter) {
                total += ((Counter) m).getCount();
            } else if (m instanceof Gauge) {
                total += ((Number) ((Gauge<?>) m).getValue()).longValue();
            }
        }
        assertThat(found).as("metric %s in %s", name, metrics.keySet()).isTrue();
        return total;
    }

    /** Set once the failing map has failed (the restart test). */
    private static final AtomicInteger FAILURES = new AtomicInteger();
    /** Records seen after the failure (the restart test). */
    private static final java.util.Queue<String> AFTER_RESTART = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reopensItsEndpointsAfterAFailover() throws Exception {
        FAILURES.set(0);
        AFTER_RESTART.clear();
        int tcpPort = Ports.freeTcpPort();
        NetworkSource<String> source = NetworkSource.<String>builder()
                .protocol(new LineProtocol(false))
                .typeInfo(Types.STRING)
                .tcp(TcpOptions.builder(tcpPort).build())
                .stopWhenIdle(Duration.ofSeconds(1), Duration.ofSeconds(60))
                .build();
        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "lines")
                .map(new FailOnceOnBoom()).returns(Types.STRING)
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("failover-it");
        Ports.awaitTcpListening(tcpPort, BIND_TIMEOUT);
        try (Socket client = new Socket("127.0.0.1", tcpPort)) {
            client.getOutputStream().write("one\nboom\n".getBytes(StandardCharsets.UTF_8));
        }
        // The endpoint comes back after the restart: probe until a line gets through.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int probe = 0;
        while (AFTER_RESTART.isEmpty()) {
            assertThat(System.nanoTime()).as("a probe through the restarted source in time").isLessThan(deadline);
            if (FAILURES.get() > 0) {
                try (Socket client = new Socket("127.0.0.1", tcpPort)) {
                    client.getOutputStream().write(("probe-" + probe++ + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (java.io.IOException notListeningYet) {
                    // the restarted source has not bound the port yet
                }
            }
            LockSupport.parkNanos(50_000_000L); // probe interval
        }
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        assertThat(FAILURES.get()).isEqualTo(1);
        assertThat(AFTER_RESTART).allMatch(line -> line.startsWith("probe-"));
    }

    private static final class FailOnceOnBoom implements MapFunction<String, String> {
        @Override
        public String map(String value) {
            if (value.equals("boom") && FAILURES.getAndIncrement() == 0) {
                throw new IllegalStateException("injected failure");
            }
            if (FAILURES.get() > 0) {
                AFTER_RESTART.add(value);
            }
            return value;
        }
    }

    private static final class CountSeen implements MapFunction<String, String> {
        @Override
        public String map(String value) {
            SEEN.incrementAndGet();
            return value;
        }
    }
}
