package org.rawstream.job.source;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Socket-level helpers for protocol-source ITCases: free loopback ports, waiting until a job's
 * TCP endpoint accepts, writing in random chunks, and the shared test vectors.
 */
public final class Wire {
    private Wire() {}

    public static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public static int freeUdpPort() throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }

    /** Waits until a TCP connection to {@code port} succeeds (the probe connection sends nothing). */
    public static void awaitTcpAccepting(int port, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return;
            } catch (ConnectException refused) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("nothing accepts on 127.0.0.1:" + port + " within " + timeout);
                }
                LockSupport.parkNanos(50_000_000L); // poll interval, not a settle delay
            }
        }
    }

    /** Writes {@code bytes} in seeded random chunks of 1..4096 bytes, one write each. */
    public static void writeInChunks(OutputStream out, byte[] bytes, long seed) throws IOException {
        Random random = new Random(seed);
        for (int pos = 0; pos < bytes.length; ) {
            int n = Math.min(bytes.length - pos, 1 + random.nextInt(4096));
            out.write(bytes, pos, n);
            pos += n;
        }
        out.flush();
    }

    /** A file of the shared vectors: {@code <repo root>/../shared/vectors/<relative>}. */
    public static byte[] vector(String relative) {
        String root = System.getProperty("rawstream.root", "");
        for (Path dir = root.isEmpty() ? Path.of("").toAbsolutePath() : Path.of(root).toAbsolutePath(); dir != null;
                dir = dir.getParent()) {
            Path file = dir.resolve("../shared/vectors").resolve(relative).normalize();
            if (Files.isRegularFile(file)) {
                try {
                    return Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("shared vector " + relative + " not found (set -Drawstream.root)");
    }
}
