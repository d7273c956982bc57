package org.rawstream.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.rawstream.sources.net.Ports;

/**
 * RawStreamJob in a child JVM on the test class path, as README's run command starts it. The
 * test owns the process: it records the PID and stops it (by that PID) in {@link #close()}.
 */
final class ChildJob implements AutoCloseable {
    private static final int LOG_TAIL_LINES = 80;

    final Process process;
    final Path log;

    private ChildJob(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ChildJob start(Path workDir, Path log, List<String> args) throws IOException {
        Path root = OutputCheck.repoRoot();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "-Dlog4j.configurationFile=" + root.resolve("flink-conf/log4j-console.properties"),
                "-cp", classPath, RawStreamJob.class.getName()));
        command.addAll(args);
        command.addAll(List.of("--flink-conf-dir", root.resolve("flink-conf").toString()));
        Process p = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildJob(p, log);
    }

    /**
     * {@link Deadlines#await} for something this child should do; a timeout carries the end of the
     * child's log, since a CI run keeps nothing else of it.
     */
    void await(Duration timeout, String what, Deadlines.Condition condition) throws Exception {
        try {
            Deadlines.await(timeout, what, condition);
        } catch (AssertionError timedOut) {
            List<String> lines = logText().lines().toList();
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
            throw new AssertionError(timedOut.getMessage() + "; the child's log ends:\n" + tail, timedOut);
        }
    }

    /**
     * What the child has printed so far ("" before its log exists), decoded leniently (a malformed
     * byte becomes U+FFFD) so that reading it never hides the failure it is read for.
     */
    String logText() throws IOException {
        return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL (Process.destroyForcibly is SIGKILL on Linux), then wait for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** A free loopback TCP port, never one handed out before in this JVM ({@link Ports}). */
    static int freePort() throws IOException {
        return Ports.freeTcpPort();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
