package org.rawstream.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive {@code mvn package} builds, unpacked into an empty directory and run with a JDK and
 * a shell only (no Maven, no checkout on PATH or as working directory): {@code --help}; a local
 * capture of one SPEAD-over-UDP source fed by the archive's own {@code send-spead}; {@code inspect}
 * of the committed files through a shell glob; a glob that matches nothing gives one line.
 */
class DistributionITCase {
    private static final long TIMEOUT_SECONDS = 180;

    @TempDir
    Path tmp;

    @Test
    void everyCommandRunsFromTheUnpackedArchiveWithOnlyAJdk() throws Exception {
        Path archive = Path.of(System.getProperty("rawstream.dist.archive"));
        assertThat(archive).isRegularFile();
        Path bin = tmp.resolve("tools");
        Files.createDirectories(bin);
        // PATH: the JDK and the few tools bin/rawstream and this test's shell lines use.
        for (String tool : List.of("bash", "dirname", "readlink", "tar", "gzip")) {
            Files.createSymbolicLink(bin.resolve(tool), which(tool));
        }
        Path work = tmp.resolve("work");
        Files.createDirectories(work);
        assertThat(shell(work, "tar xzf '" + archive + "'").exit).isZero();
        String launcher;
        try (var dirs = Files.list(work)) {
            launcher = dirs.filter(Files::isDirectory).findFirst().orElseThrow().getFileName() + "/bin/rawstream";
        }

        Result help = shell(work, launcher + " --help");
        assertThat(help.exit).as(help.output).isZero();
        assertThat(help.output).contains("run", "inspect", "send-spead", "send-odin", "send-echo", "send-msgpack")
                .doesNotContain("[ERROR]");
        assertThat(help.output.lines()).allMatch(l -> l.length() <= 80);
        assertThat(shell(work, "command -v mvn").exit).as("no Maven on this PATH").isNotZero();

        int udpPort = freeUdpPort();
        int restPort = freeTcpPort();
        Process run = start(work, launcher + " run --local --duration 20s --sources s --set source.s.type=spead-udp"
                + " --set source.s.port=" + udpPort + " -D rest.port=" + restPort, work.resolve("run.log"));
        try {
            awaitUdpBound(udpPort, run, work.resolve("run.log"));
            Result send = shell(work, launcher + " send-spead --udp 127.0.0.1:" + udpPort
                    + " --heaps 50 --heap-size 4096");
            assertThat(send.exit).as(send.output).isZero();
            assertThat(run.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("run stops after --duration").isTrue();
            String log = Files.readString(work.resolve("run.log"), StandardCharsets.UTF_8);
            assertThat(run.exitValue()).as(log).isZero();
            assertThat(log).contains("Savepoint: file:", "at stop");
        } finally {
            run.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        Result inspect = shell(work, launcher + " inspect out/s/*.h5");
        assertThat(inspect.exit).as(inspect.output).isZero();
        assertThat(inspect.output).contains("protocol: spead");
        long messages = inspect.output.lines().filter(l -> l.trim().startsWith("messages:"))
                .mapToLong(l -> Long.parseLong(l.trim().substring("messages:".length()).trim())).sum();
        assertThat(messages).as("heaps committed (the stop heap ends the stream)").isEqualTo(50);

        Result none = shell(work, launcher + " inspect nothing/*.h5");
        assertThat(none.exit).isNotZero();
        assertThat(none.output.strip()).isEqualTo("rawstream inspect: no such file: nothing/*.h5");
    }

    private record Result(int exit, String output) {}

    private Result shell(Path dir, String command) throws Exception {
        Path log = Files.createTempFile(tmp, "cmd", ".log");
        Process p = start(dir, command, log);
        assertThat(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("%s ends", command).isTrue();
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private Process start(Path dir, String command, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(tmp.resolve("tools/bash").toString(), "-c", command)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().put("HOME", tmp.toString());
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + tmp.resolve("tools"));
        return pb.start();
    }

    private static Path which(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(tool + " not on PATH");
    }

    /** Waits (deadline-bounded) until /proc/net/udp lists a socket bound to 127.0.0.1:port. */
    private static void awaitUdpBound(int port, Process run, Path log) throws IOException {
        String local = String.format("0100007F:%04X", port); // 127.0.0.1, little-endian as in /proc
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            assertThat(run.isAlive()).as("the local run is up: %s", Files.readString(log)).isTrue();
            if (Files.readAllLines(Path.of("/proc/net/udp")).stream()
                    .anyMatch(l -> l.trim().split("\\s+")[1].equals(local))) {
                return;
            }
            LockSupport.parkNanos(100_000_000L);
        }
        throw new AssertionError("UDP port " + port + " not bound in time");
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
