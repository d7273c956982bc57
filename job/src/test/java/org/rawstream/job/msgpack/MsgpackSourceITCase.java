package org.rawstream.job.msgpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.job.source.JobMetrics;
import org.rawstream.job.source.StoredMessages;
import org.rawstream.sources.echo.TestVectors;
import org.rawstream.sources.net.Ports;
import org.rawstream.job.source.Wire;
import org.rawstream.sources.msgpack.MsgpackLimits;
import org.rawstream.sources.msgpack.MsgpackSender;

/**
 * MessagePack through the real job (msgpack-tcp and msgpack-udp sources → sink, MiniCluster,
 * real sockets): stream.bin in random chunks and a real python3-msgpack {@code Packer} peer over
 * TCP, stream.bin's values in datagrams over UDP, malformed input next to them; the committed
 * files hold exactly the valid values' bytes.
 */
class MsgpackSourceITCase {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final byte[] STREAM = TestVectors.bytes("msgpack/stream.bin");
    private static final String PYTHON = "/usr/bin/python3";
    private static final String PEER = String.join("\n",
            "import datetime, socket, sys",
            "import msgpack",
            "port, n = int(sys.argv[1]), int(sys.argv[2])",
            "packer = msgpack.Packer(use_bin_type=True, datetime=True)",
            "epoch = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)",
            "values = [packer.pack({'seq': i, 'name': 'py-%d' % i, 'data': bytes(range(i % 256)),",
            "                       't': epoch + datetime.timedelta(microseconds=i * 1234567),",
            "                       'list': [i, -i, i * 0.5, None, True, 2 ** 40 + i], 'nested': {'a': [[i]]}})",
            "          for i in range(n)]",
            "s = socket.create_connection(('127.0.0.1', port))",
            "for v in values:",
            "    s.sendall(v)",
            "s.shutdown(socket.SHUT_WR)",
            "s.recv(1)",  // wait until the job closes its side
            "s.close()",
            "for v in values:",
            "    print(v.hex())",
            "");

    private static final JobMetrics METRICS = new JobMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(METRICS.cluster());

    @TempDir
    Path tmp;

    @Test
    void tcpStreamsUdpDatagramsAndAPythonPackerPeerAreStoredValueForValue() throws Exception {
        int tcpPort = Ports.freeTcpPort();
        int udpPort = Ports.freeUdpPort();
        Path out = tmp.resolve("out");
        Settings s = JobConfig.defaults()
                .set(JobConfig.OUTPUT_DIR, out.toString(), "test")
                .set(JobConfig.SOURCES, "mtcp,mudp", "test")
                .set(JobConfig.PARALLELISM, "1", "test")
                .set(JobConfig.BATCH_MAX_MESSAGES, "100", "test");
        setSource(s, "mtcp", "msgpack-tcp", tcpPort, 3);
        setSource(s, "mudp", "msgpack-udp", udpPort, 4);
        JobConfig config = JobConfig.from(s);
        JobClient job = StoredMessages.start(config, Duration.ofMillis(300), "msgpack ITCase", messages -> messages);
        Ports.awaitTcpListening(tcpPort, DEADLINE);
        Ports.awaitUdpBound(udpPort, 1, DEADLINE);

        List<byte[]> streamValues = MsgpackSender.splitValues(STREAM, MsgpackLimits.defaults());
        // TCP: stream.bin in random chunks; a malformed stream on another connection is closed alone.
        sendTcp(tcpPort, STREAM);
        sendTcp(tcpPort, TestVectors.bytes("msgpack/malformed/deep_nesting_200k.bin"));
        sendTcp(tcpPort, TestVectors.bytes("msgpack/malformed/str32_huge_len.bin"));
        List<byte[]> pythonValues = pythonPeer(tcpPort, 500);
        // UDP: the same values, several whole values per datagram, and a malformed datagram.
        try (DatagramSocket udp = new DatagramSocket()) {
            byte[] bad = TestVectors.bytes("msgpack/malformed/bad_timestamp_nanos.bin");
            udp.send(new DatagramPacket(bad, bad.length, InetAddress.getLoopbackAddress(), udpPort));
        }
        List<byte[]> datagramValues = streamValues.stream().filter(v -> v.length <= MsgpackSender.MAX_UDP_PAYLOAD)
                .collect(java.util.stream.Collectors.toList()); // stream.bin has one value bigger than a datagram
        MsgpackSender.sendUdp("127.0.0.1", udpPort, datagramValues, 1, 2000, 1400);

        job.getJobExecutionResult().get(90, TimeUnit.SECONDS); // each source ends 2 s after its last data

        List<byte[]> expectedTcp = new ArrayList<>(streamValues);
        expectedTcp.addAll(pythonValues);
        List<byte[]> storedTcp = StoredMessages.read(out.resolve("mtcp"), "msgpack", "1.0", 3);
        assertThat(StoredMessages.multiset(storedTcp)).isEqualTo(StoredMessages.multiset(expectedTcp));
        List<byte[]> storedUdp = StoredMessages.read(out.resolve("mudp"), "msgpack", "1.0", 4);
        assertThat(StoredMessages.multiset(storedUdp)).isEqualTo(StoredMessages.multiset(datagramValues));

        // What the dashboard shows for the sources.
        JobID id = job.getJobID();
        assertThat(METRICS.sum(id, "mtcp", "msgpackValues")).isEqualTo(expectedTcp.size());
        assertThat(METRICS.sum(id, "mtcp", "decodeErrors_depthAboveCap")).isEqualTo(1);
        assertThat(METRICS.sum(id, "mtcp", "decodeErrors_valueAboveCap")).isEqualTo(1);
        assertThat(METRICS.sum(id, "mudp", "msgpackValues")).isEqualTo(storedUdp.size());
        assertThat(METRICS.sum(id, "mudp", "decodeErrors_badTimestampNanos")).isEqualTo(1);
        assertThat(StoredMessages.hiddenFiles(out.resolve("mtcp"))).isEmpty();
        assertThat(StoredMessages.hiddenFiles(out.resolve("mudp"))).isEmpty();
    }

    private static void setSource(Settings s, String name, String type, int port, int ioGroup) {
        s.set("source." + name + ".type", type, "test");
        s.set("source." + name + ".port", Integer.toString(port), "test");
        s.set("source." + name + ".io-group", Integer.toString(ioGroup), "test");
        s.set("source." + name + ".stop-when-idle", "2s", "test");
        s.set("source." + name + ".first-data-timeout", "60s", "test");
    }

    /** Writes {@code bytes} in seeded random chunks, half-closes, and reads until the job closes. */
    private static void sendTcp(int port, byte[] bytes) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) DEADLINE.toMillis());
            OutputStream stream = socket.getOutputStream();
            try {
                Wire.writeInChunks(stream, bytes, 91);
                socket.shutdownOutput();
            } catch (IOException closedByTheJob) {
                // a malformed stream: the job closed the connection while we were writing
            }
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    continue;
                }
            } catch (java.net.SocketException reset) {
                // closed with unread input: also the end
            }
        }
    }

    /** Runs a python3-msgpack Packer peer streaming {@code n} values; returns the exact bytes it packed. */
    private List<byte[]> pythonPeer(int port, int n) throws Exception {
        Path script = tmp.resolve("peer.py");
        Files.writeString(script, PEER, StandardCharsets.UTF_8);
        Path stdout = tmp.resolve("peer.out");
        Path stderr = tmp.resolve("peer.err");
        Process peer = new ProcessBuilder(PYTHON, script.toString(), Integer.toString(port), Integer.toString(n))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            assertThat(peer.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("python peer finished").isTrue();
        } finally {
            peer.destroyForcibly();
        }
        assertThat(peer.exitValue()).as(Files.readString(stderr)).isZero();
        List<byte[]> values = new ArrayList<>();
        for (String line : Files.readAllLines(stdout, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                values.add(HexFormat.of().parseHex(line.trim()));
            }
        }
        assertThat(values).hasSize(n);
        return values;
    }
}
