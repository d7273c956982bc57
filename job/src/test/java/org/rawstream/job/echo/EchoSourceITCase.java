package org.rawstream.job.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.source.JobMetrics;
import org.rawstream.job.source.StoredMessages;
import org.rawstream.sources.echo.TestVectors;
import org.rawstream.sources.net.Ports;
import org.rawstream.job.source.Wire;
import org.rawstream.sources.echo.EchoParser;
import org.rawstream.sources.echo.EchoResponse;

/**
 * Must-show 1 through the real job (SourceKinds → echo-tcp → sink, MiniCluster, real sockets):
 * requests.bin written in random chunks is answered with exactly responses.bin while malformed
 * connections next to it are handled as the vectors' README says, and the committed files hold
 * each accepted request's payload.
 */
class EchoSourceITCase {
    private static final byte[] REQUESTS = TestVectors.bytes("echo/requests.bin");
    private static final byte[] RESPONSES = TestVectors.bytes("echo/responses.bin");
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static final JobMetrics METRICS = new JobMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(METRICS.cluster());

    @TempDir
    Path tmp;

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndStoredWhileBadConnectionsAreHandledAlone() throws Exception {
        int port = Ports.freeTcpPort();
        Path out = tmp.resolve("out");
        JobConfig config = StoredMessages.config(out, "echo", Map.of("type", "echo-tcp", "port", Integer.toString(port),
                "io-group", "6", "stop-when-idle", "2s", "first-data-timeout", "30s"));
        JobClient job = StoredMessages.start(config, Duration.ofMillis(300), "echo ITCase", messages -> messages);
        Ports.awaitTcpListening(port, DEADLINE);

        // The good connection, and bad ones next to it.
        CompletableFuture<byte[]> answers = CompletableFuture.supplyAsync(() -> exchange(port, REQUESTS,
                RESPONSES.length, false));
        byte[] hugeSize = exchange(port, malformed("huge_size"), 0, true); // server closes: read ends
        byte[] trailingThenValid = exchange(port, concat(malformed("trailing_bytes"), Arrays.copyOf(REQUESTS, 57)),
                responseLength(57), false);
        byte[] unknownThenValid = exchange(port, malformed("unknown_api_key_then_valid"), -1, false);
        byte[] truncated = exchange(port, malformed("truncated_at_eof"), 0, false);

        assertThat(answers.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(RESPONSES);
        assertThat(hugeSize).isEmpty();
        assertThat(truncated).isEmpty();
        List<EchoResponse> trailing = EchoParser.forResponses(1 << 20).feed(ByteBuffer.wrap(trailingThenValid));
        assertThat(trailing).extracting(EchoResponse::id).containsExactly(0); // the rejected frame takes no id
        List<EchoResponse> unknown = EchoParser.forResponses(1 << 20).feed(ByteBuffer.wrap(unknownThenValid));
        assertThat(unknown).extracting(EchoResponse::bodyText).containsExactly("fine");

        job.getJobExecutionResult().get(60, TimeUnit.SECONDS); // ends 2 s after the last connection closed
        Path dir = out.resolve("echo");
        assertThat(StoredMessages.hiddenFiles(dir)).isEmpty();
        List<byte[]> stored = StoredMessages.read(dir, "echo", "1.0", 6);
        List<byte[]> expected = payloads(REQUESTS);
        expected.add(payloads(REQUESTS).get(0)); // the valid request after trailing_bytes
        expected.addAll(payloads(malformed("unknown_api_key_then_valid")).subList(1, 2));
        assertThat(StoredMessages.multiset(stored)).isEqualTo(StoredMessages.multiset(expected));

        // What the dashboard shows for the source.
        JobID id = job.getJobID();
        assertThat(METRICS.sum(id, "echo", "echoRequests")).isEqualTo(303);
        assertThat(METRICS.sum(id, "echo", "echoResponsesSent")).isEqualTo(303);
        assertThat(METRICS.sum(id, "echo", "recordsDecoded")).isEqualTo(303);
        assertThat(METRICS.sum(id, "echo", "decodeErrors")).isEqualTo(4);
        for (String kind : List.of("frameSizeAboveMax", "trailingBytes", "unknownApiKey", "truncatedAtEof")) {
            assertThat(METRICS.sum(id, "echo", "decodeErrors_" + kind)).as(kind).isEqualTo(1);
        }
        assertThat(METRICS.sum(id, "echo", "connectionsOpened")).isEqualTo(5);
        assertThat(METRICS.sum(id, "echo", "connectionsOpen")).isZero();
    }

    /**
     * Writes {@code request} in seeded random chunks on a new connection and reads until
     * {@code expectBytes} came back (-1: until one response frame is complete; 0: until the server
     * closes or, after a half-close, ends the stream).
     */
    private static byte[] exchange(int port, byte[] request, int expectBytes, boolean expectServerClose) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) DEADLINE.toMillis());
            OutputStream outStream = socket.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    Wire.writeInChunks(outStream, request, 81);
                } catch (IOException e) {
                    if (!expectServerClose) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            writer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            if (expectBytes == 0 && !expectServerClose) {
                socket.shutdownOutput();
            }
            while (expectBytes < 0 ? !oneFrame(got) : expectBytes == 0 || got.size() < expectBytes) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                got.write(buffer, 0, n);
            }
            return got.toByteArray();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean oneFrame(ByteArrayOutputStream got) {
        byte[] b = got.toByteArray();
        return b.length >= 4 && b.length >= 4 + ByteBuffer.wrap(b, 0, 4).getInt();
    }

    private static int responseLength(int requestBytes) {
        int pos = 0;
        int requestPos = 0;
        while (requestPos < requestBytes) {
            requestPos += 4 + ByteBuffer.wrap(REQUESTS, requestPos, 4).getInt();
            pos += 4 + ByteBuffer.wrap(RESPONSES, pos, 4).getInt();
        }
        return pos;
    }

    /** The payloads (frames without their size field) of a valid frame stream. */
    static List<byte[]> payloads(byte[] frames) {
        List<byte[]> payloads = new ArrayList<>();
        for (int pos = 0; pos < frames.length; ) {
            int size = ByteBuffer.wrap(frames, pos, 4).getInt();
            payloads.add(Arrays.copyOfRange(frames, pos + 4, pos + 4 + size));
            pos += 4 + size;
        }
        return payloads;
    }

    static byte[] malformed(String name) {
        return TestVectors.bytes("echo/malformed/" + name + ".bin");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
