package org.rawstream.job.msgpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.RawStreamJob;
import org.rawstream.sources.echo.TestVectors;

/** The send-echo and send-msgpack subcommands are registered and send what they say. */
class SendCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void sendCommandsAreRegistered() {
        assertThat(RawStreamJob.commandLine().getSubcommands()).containsKeys("send-echo", "send-msgpack");
        assertThat(RawStreamJob.commandLine().execute("send-echo", "--help")).isZero();
        assertThat(RawStreamJob.commandLine().execute("send-msgpack", "--help")).isZero();
    }

    @Test
    void sendMsgpackWritesAPackerFilesValuesBackToBack() throws Exception {
        byte[] stream = TestVectors.bytes("msgpack/stream.bin");
        Path file = tmp.resolve("values.msgpack");
        Files.write(file, stream);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(20_000);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(server));
            int code = RawStreamJob.commandLine().execute("send-msgpack", "--port", Integer.toString(server.getLocalPort()),
                    "--file", file.toString(), "--repeat", "2");
            assertThat(code).isZero();
            byte[] twice = new byte[stream.length * 2];
            System.arraycopy(stream, 0, twice, 0, stream.length);
            System.arraycopy(stream, 0, twice, stream.length, stream.length);
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(twice);
        }
    }

    private static byte[] readAll(ServerSocket server) {
        try (Socket socket = server.accept()) {
            socket.setSoTimeout(20_000);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
