package org.rawstream.job.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rawstream.job.Deadlines;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.source.JobMetrics;
import org.rawstream.job.source.StoredMessages;
import org.rawstream.sources.echo.EchoClient;
import org.rawstream.sources.echo.EchoClientResult;
import org.rawstream.sources.msgpack.MsgpackSender;
import org.rawstream.sources.net.Ports;
import org.rawstream.sources.transport.Pacer;

/**
 * Issue 12 (echo/MessagePack part) and issue 13 build item 3 through the real job: in rounds,
 * {@code max-connections} hostile clients each start the largest allowed frame (echo) or value
 * (MessagePack) and send it slowly. While they hold every slot a new client is turned away
 * (counted); the frame timeout closes them (counted, their partial frames counted as truncated),
 * and then a legitimate client is served and its records committed. Memory stays within the
 * written bound (the {@code connectionBufferBytesMax} gauge), the job never restarts.
 */
class SlowFrameClientsITCase {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int MAX_CONNECTIONS = 4;
    private static final int MAX_FRAME = 1 << 20;
    private static final int ROUNDS = 2;
    /** The hostile trickle: 8 KiB every 250 ms, so a whole frame would need 32 s (frame timeout: 8 s). */
    private static final int TRICKLE_BYTES = 8 << 10;
    private static final long TRICKLE_PAUSE_MILLIS = 250;

    private static final JobMetrics METRICS = new JobMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(METRICS.cluster());

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"echo-tcp", "msgpack-tcp"})
    void slowLargestFramesAreTimedOutAndNewClientsServedWithBoundedMemory(String type) throws Exception {
        boolean echo = type.equals("echo-tcp");
        int port = Ports.freeTcpPort();
        Path out = tmp.resolve("out");
        // The frame timeout must outlast opening every hostile connection and seeing them all held
        // on a loaded machine (a CI run once took longer than 3 s): 8 s.
        JobConfig config = StoredMessages.config(out, "src", Map.of("type", type, "port", Integer.toString(port),
                "max-connections", Integer.toString(MAX_CONNECTIONS), "frame-timeout", "8s",
                echo ? "max-frame-bytes" : "max-value-bytes", Integer.toString(MAX_FRAME),
                "stop-when-idle", "8s", "first-data-timeout", "60s"));
        JobClient job = StoredMessages.start(config, Duration.ofSeconds(1), "slow frames " + type, messages -> messages);
        JobID id = job.getJobID();
        Ports.awaitTcpListening(port, DEADLINE);

        List<byte[]> expected = new ArrayList<>();
        List<Trickler> hostile = new ArrayList<>();
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                for (int i = 0; i < MAX_CONNECTIONS; i++) {
                    hostile.add(new Trickler(port, largestFrameHeader(echo)));
                }
                // Every round so far: its hostile connections and one legitimate client (but this round's).
                long opened = round * (MAX_CONNECTIONS + 1L) - 1;
                try {
                    Deadlines.await(DEADLINE, "every slot held", () -> METRICS.sum(id, "src", "connectionsOpen") == MAX_CONNECTIONS);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + ": connectionsOpen " + METRICS.sum(id, "src", "connectionsOpen")
                            + ", connectionsOpened " + METRICS.sum(id, "src", "connectionsOpened") + " (expected " + opened
                            + "), connectionsRejected " + METRICS.sum(id, "src", "connectionsRejected")
                            + ", connectionsFrameTimeout " + METRICS.sum(id, "src", "connectionsFrameTimeout"), e);
                }
                assertThat(METRICS.sum(id, "src", "connectionsOpened")).as("connections opened so far").isEqualTo(opened);
                assertThat(turnedAway(port)).as("a new client while every slot is held").isTrue();
                int finalRound = round;
                Deadlines.await(DEADLINE, "the frame timeout to free the slots", () ->
                        METRICS.sum(id, "src", "connectionsFrameTimeout") == (long) finalRound * MAX_CONNECTIONS
                                && METRICS.sum(id, "src", "connectionsOpen") == 0);
                expected.addAll(serveLegitimateClient(echo, port, round));
                // The client has its answers, but the server may not have seen it close yet: the
                // next round's hostile connections must find every slot free.
                Deadlines.await(DEADLINE, "the legitimate client's slot freed",
                        () -> METRICS.sum(id, "src", "connectionsOpen") == 0);
            }
        } finally {
            for (Trickler t : hostile) {
                t.close();
            }
        }
        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        long hostileConnections = (long) ROUNDS * MAX_CONNECTIONS;
        long bound = MAX_CONNECTIONS * (MAX_FRAME + (256L << 10));
        long bufferMax = METRICS.sum(id, "src", "connectionBufferBytesMax");
        System.out.printf("%s slow frames: %d hostile connections timed out, %d turned away, connection buffers "
                        + "at most %d bytes (bound %d)%n", type, METRICS.sum(id, "src", "connectionsFrameTimeout"),
                METRICS.sum(id, "src", "connectionsRejected"), bufferMax, bound);
        assertThat(METRICS.sum(id, "src", "connectionsFrameTimeout")).isEqualTo(hostileConnections);
        assertThat(METRICS.sum(id, "src", echo ? "decodeErrors_truncatedAtEof" : "decodeErrors_truncated"))
                .as("each abandoned partial frame counted").isEqualTo(hostileConnections);
        assertThat(METRICS.sum(id, "src", "connectionsRejected")).isEqualTo(ROUNDS);
        assertThat(METRICS.sum(id, "src", "connectionsIdleClosed")).isZero();
        assertThat(bufferMax).as("memory held by connections").isPositive().isLessThanOrEqualTo(bound);
        assertThat(METRICS.sum(id, "src", "connectionBufferBytes")).isZero();
        assertThat(METRICS.jobMetric(id, ".numRestarts")).isZero();
        Path dir = out.resolve("src");
        assertThat(StoredMessages.hiddenFiles(dir)).isEmpty();
        assertThat(StoredMessages.multiset(StoredMessages.read(dir, echo ? "echo" : "msgpack", "1.0", 0)))
                .as("exactly the legitimate clients' records").isEqualTo(StoredMessages.multiset(expected));
    }

    /** The start of the largest frame (echo: size field) or value (MessagePack: bin 32 header) allowed. */
    private static byte[] largestFrameHeader(boolean echo) {
        if (echo) {
            return ByteBuffer.allocate(4).putInt(MAX_FRAME).array();
        }
        return ByteBuffer.allocate(5).put((byte) 0xC6).putInt(MAX_FRAME - 5).array();
    }

    /** Connects, sends a little, and reports whether the server ended the connection without an answer. */
    private static boolean turnedAway(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) DEADLINE.toMillis());
            try {
                socket.getOutputStream().write(FastEchoClient.payload(0, 0)); // any bytes
                return socket.getInputStream().read() < 0;
            } catch (IOException reset) {
                return true;
            }
        }
    }

    /** 100 requests or values on a new connection; returns what must be stored for them. */
    private static List<byte[]> serveLegitimateClient(boolean echo, int port, int round) throws Exception {
        List<byte[]> stored = new ArrayList<>();
        if (echo) {
            long first = round * 1_000L;
            EchoClientResult result = EchoClient.builder().port(port).count(100).window(100)
                    .requests((connection, n) -> FastEchoClient.request(first + n, 40)).build().run();
            assertThat(result.complete()).as(result.toString()).isTrue();
            for (long n = 0; n < 100; n++) {
                stored.add(FastEchoClient.payload(first + n, 40));
            }
            return stored;
        }
        stored.addAll(MsgpackSender.sampleValues(100, round, round * 1_000L));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) DEADLINE.toMillis());
            OutputStream out = socket.getOutputStream();
            for (byte[] value : stored) {
                out.write(value);
            }
            socket.shutdownOutput();
            assertThat(socket.getInputStream().read()).as("the server closes after the last value").isEqualTo(-1);
        }
        return stored;
    }

    /** A hostile client: the header of the largest frame, then a few bytes at a time, never finishing. */
    private static final class Trickler implements AutoCloseable {
        private final Socket socket;
        private final Thread thread;
        private volatile boolean stopped;

        Trickler(int port, byte[] header) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            thread = new Thread(() -> run(header), "trickler");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(byte[] header) {
            byte[] chunk = new byte[TRICKLE_BYTES];
            try {
                OutputStream out = socket.getOutputStream();
                out.write(header);
                // The traffic shape of a slow sender, paced by the senders' own Pacer.
                Pacer pacer = new Pacer(TRICKLE_BYTES * 1000.0 / TRICKLE_PAUSE_MILLIS);
                while (!stopped) {
                    pacer.acquire(TRICKLE_BYTES);
                    out.write(chunk);
                    out.flush();
                }
            } catch (IOException e) {
                // closed by the server (the frame timeout) or by close()
            }
        }

        @Override
        public void close() throws IOException {
            stopped = true;
            socket.close();
            thread.interrupt();
            try {
                thread.join(DEADLINE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
