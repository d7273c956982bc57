package org.rawstream.core.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the OS scheduling priority (Linux "nice") of the calling thread, so that under CPU
 * shortage the kernel runs the job's receiving threads first and the job sheds whole heaps at its
 * admission point instead of the socket dropping packets of every heap.
 *
 * <p>On Linux nice is per thread, and any process may raise (never lower) its own threads' nice
 * without privileges. Java has no call for it, and RawStream loads no JNI library of its own, so
 * this runs {@code renice <nice> -p <tid>} (util-linux or BusyBox; both read a bare priority as
 * absolute) on the thread id from {@code /proc/thread-self}, then reads the thread's nice back.
 * Anywhere else, or when that fails, it does nothing but log: the outcome is logged once per
 * JVM. A thread created by a reniced thread inherits its nice, so call it only on a thread that
 * starts no others.
 */
public final class ThreadNice {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadNice.class);
    private static final long RENICE_TIMEOUT_SECONDS = 10;
    private static final AtomicBoolean LOGGED = new AtomicBoolean();
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

    private ThreadNice() {}

    /**
     * Sets the calling thread's nice to {@code nice} (0 .. 19; 0 does nothing). Returns whether the
     * thread now runs at that nice. Never throws.
     */
    public static boolean applyToCurrentThread(int nice, String what) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("nice must be in 0 .. 19: " + nice);
        }
        if (nice == 0) {
            return true;
        }
        if (!LINUX) {
            logOnce(false, "{}: thread nice {} ignored: only Linux supports a per-thread nice", what, nice);
            return false;
        }
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // <pid>/task/<tid>
            String tid = self.getFileName().toString();
            Process p = new ProcessBuilder("renice", Integer.toString(nice), "-p", tid)
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes(); // small; drained so the child never blocks
            if (!p.waitFor(RENICE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                logOnce(false, "{}: thread nice {} not set: renice did not finish", what, nice);
                return false;
            }
            OptionalInt now = currentNice();
            if (now.isPresent() && now.getAsInt() == nice) {
                logOnce(true, "{}: threads run at nice {} (renice of thread {})", what, nice, tid);
                return true;
            }
            logOnce(false, "{}: thread nice {} not set (renice exit {}: {}); the thread keeps nice {}", what, nice,
                    p.exitValue(), new String(out, StandardCharsets.UTF_8).strip(),
                    now.isPresent() ? now.getAsInt() : "unknown");
            return false;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            logOnce(false, "{}: thread nice {} not set: {}", what, nice, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The calling thread's nice, from field 19 of {@code /proc/thread-self/stat}. */
    static OptionalInt currentNice() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"), StandardCharsets.US_ASCII);
            // Fields after the command name (which may hold spaces and parentheses): state is field 3.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return OptionalInt.of(Integer.parseInt(f[19 - 3]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    private static void logOnce(boolean ok, String format, Object... args) {
        if (LOGGED.compareAndSet(false, true)) {
            if (ok) {
                LOG.info(format, args);
            } else {
                LOG.warn(format, args);
            }
        }
    }
}
