package org.rawstream.job.odin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until a local port is bound, by reading the kernel's socket tables ({@code /proc/net}),
 * without a probe socket that could race with the real bind. Used by the ODIN demo feed (UDP
 * packets sent before the job binds would be lost), the benchmark and the tests. Linux only:
 * elsewhere it waits the full timeout and reports false.
 */
public final class LocalEndpoints {

    private static final String TCP_LISTEN = "0A";

    private LocalEndpoints() {
    }

    /** True once something listens on TCP {@code port} (or binds UDP {@code port}); false after {@code timeout}. */
    public static boolean awaitBound(boolean tcp, int port, Duration timeout) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", port);
        String proto = tcp ? "tcp" : "udp";
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            for (String table : new String[] {proto, proto + "6"}) {
                Path path = Path.of("/proc/net", table);
                if (Files.isReadable(path) && Files.readAllLines(path).stream().skip(1)
                        .map(line -> line.trim().split("\\s+"))
                        .anyMatch(f -> f.length > 3 && f[1].endsWith(local) && (!tcp || f[3].equals(TCP_LISTEN)))) {
                    return true;
                }
            }
            LockSupport.parkNanos(20_000_000L); // poll interval
        } while (System.nanoTime() < deadline);
        return false;
    }
}
