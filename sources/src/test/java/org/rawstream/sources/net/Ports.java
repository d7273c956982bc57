package org.rawstream.sources.net;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Test helper: free loopback ports, and waiting until the job has bound one. The wait reads
 * /proc/net (no probe socket that could race with the job's own bind).
 */
public final class Ports {
    private Ports() {
    }

    /**
     * Ports handed out in this JVM: the kernel may give a port it just freed to the next
     * {@code bind(0)}, so two sources of one test configured from two calls could get the same port.
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int ATTEMPTS = 1000;

    /** A free loopback TCP port, never one this JVM handed out before. */
    public static int freeTcpPort() throws IOException {
        for (int i = 0; i < ATTEMPTS; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
        throw new IOException("no TCP port not handed out before in " + ATTEMPTS + " attempts");
    }

    /** A free loopback UDP port, never one this JVM handed out before. */
    public static int freeUdpPort() throws IOException {
        for (int i = 0; i < ATTEMPTS; i++) {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.bind(new InetSocketAddress("127.0.0.1", 0));
                int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            }
        }
        throw new IOException("no UDP port not handed out before in " + ATTEMPTS + " attempts");
    }

    /** Wait until {@code count} sockets are bound to UDP {@code port} (SO_REUSEPORT lets several). */
    public static void awaitUdpBound(int port, int count, Duration timeout) throws IOException {
        awaitBound("udp", port, count, null, timeout);
    }

    public static void awaitTcpListening(int port, Duration timeout) throws IOException {
        awaitBound("tcp", port, 1, "0A", timeout);
    }

    private static void awaitBound(String proto, int port, int count, String state, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String local = String.format(Locale.ROOT, ":%04X", port);
        while (true) {
            int found = 0;
            for (String table : new String[] {"/proc/net/" + proto, "/proc/net/" + proto + "6"}) {
                Path p = Path.of(table);
                if (!Files.exists(p)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(p);
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (f[1].endsWith(local) && (state == null || f[3].equals(state))) {
                        found++;
                    }
                }
            }
            if (found >= count) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(proto + " port " + port + " not bound " + count + "x within " + timeout);
            }
            LockSupport.parkNanos(20_000_000L); // poll interval, not a settle delay
        }
    }
}
