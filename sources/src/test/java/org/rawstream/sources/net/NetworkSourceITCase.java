package org.rawstream.sources.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
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

class NetworkSourceITCase {
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

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
            assertThat(udp.datagrams).isEqualTo(2000);
            assertThat(tcp.messages).isEqualTo(2000);

            results.forEachRemaining(received::add);
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
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
    }

    private static final class CountSeen implements MapFunction<String, String> {
        @Override
        public String map(String value) {
            SEEN.incrementAndGet();
            return value;
        }
    }
}
