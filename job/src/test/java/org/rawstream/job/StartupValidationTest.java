package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.sources.net.Ports;

/**
 * Issue 13, must-show 3 (validation): each mistake is refused before anything runs, through the
 * entry point {@link RawStreamJob#main} uses ({@link RawStreamJob#run}): one line on stderr naming
 * the key (and the allowed range), no stack trace, a distinct exit code (3 = setting, 4 = the
 * machine refuses), nothing on stdout. One case runs the real main class in a child JVM.
 */
class StartupValidationTest {
    @TempDir
    Path tmp;

    /** What a run printed and returned. */
    record Outcome(int code, String out, String err) {
        String line() {
            assertThat(err.lines().count()).as("exactly one line on stderr: %s", err).isEqualTo(1);
            assertThat(err).startsWith("rawstream: ").doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(out).as("nothing started or printed").isEmpty();
            return err.strip();
        }
    }

    private Outcome run(String... args) {
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(List.of(args));
        // Never the module's own ./out and ./state.
        if (!all.contains("--output")) {
            all.addAll(List.of("--output", tmp.resolve("out").toString()));
        }
        if (!all.contains("--state-dir")) {
            all.addAll(List.of("--state-dir", tmp.resolve("state").toString()));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = RawStreamJob.run(RawStreamJob.commandLine(), all.toArray(String[]::new),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void negativeSizesNameTheKeyAndTheRange() {
        Outcome roll = run("--sources", "gen", "--roll-max-bytes", "-5");
        assertThat(roll.code()).isEqualTo(StartupChecks.EXIT_INVALID_SETTING);
        assertThat(roll.line()).isEqualTo("rawstream: roll.max-bytes = -5: not a size in 1 b .. unlimited (e.g. 64mb)");

        Outcome batch = run("--sources", "gen", "--set", "batch.max-bytes=-1mb");
        assertThat(batch.code()).isEqualTo(StartupChecks.EXIT_INVALID_SETTING);
        assertThat(batch.line()).contains("batch.max-bytes = -1mb").contains("1 b .. 1 gb");
    }

    @Test
    void sourceOptionsOutOfRangeNameTheFullKey() {
        Outcome heap = run("--sources", "spead", "--set", "source.spead.port=" + freeUdpPort(),
                "--set", "source.spead.max-heap-size=100tb");
        assertThat(heap.code()).isEqualTo(StartupChecks.EXIT_INVALID_SETTING);
        assertThat(heap.line()).contains("source.spead.max-heap-size = 100tb: not a size in 1 b .. 1 gb");

        Outcome negative = run("--sources", "spead", "--set", "source.spead.max-heap-size=-1mb");
        assertThat(negative.line()).contains("source.spead.max-heap-size = -1mb");

        // Was silently clamped to 2 GiB.
        Outcome buffer = run("--sources", "spead", "--set", "source.spead.receive-buffer=100tb");
        assertThat(buffer.code()).isEqualTo(StartupChecks.EXIT_INVALID_SETTING);
        assertThat(buffer.line()).contains("source.spead.receive-buffer = 100tb").contains("4 kb ..");

        Outcome rate = run("--sources", "gen", "--set", "source.gen.rate=fast");
        assertThat(rate.line()).contains("source.gen.rate = fast: not a number");

        Outcome interval = run("--sources", "gen", "--checkpoint-interval", "-1s");
        assertThat(interval.code()).isEqualTo(StartupChecks.EXIT_INVALID_SETTING);
        assertThat(interval.line()).contains("checkpoint.interval = -1s: not a duration in 10 ms .. 7 d");

        Outcome unknown = run("--sources", "gen", "--set", "sink.min-free=1mb");
        assertThat(unknown.code()).isEqualTo(StartupChecks.EXIT_INVALID_SETTING);
        assertThat(unknown.line()).contains("unknown setting 'sink.min-free'");
    }

    @Test
    void aPortGivenTwiceIsASettingError() {
        Outcome twice = run("--sources", "echo,msgpack", "--set", "source.echo.port=9500",
                "--set", "source.msgpack.port=9500");
        assertThat(twice.code()).isEqualTo(StartupChecks.EXIT_INVALID_SETTING);
        assertThat(twice.line()).isEqualTo(
                "rawstream: source.msgpack.port = 9500 (TCP on 127.0.0.1): already used by source.echo.port");
    }

    @Test
    void aPortInUseIsRefusedBeforeTheJobStarts() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Outcome tcp = run("--sources", "echo", "--set", "source.echo.port=" + busy.getLocalPort());
            assertThat(tcp.code()).isEqualTo(StartupChecks.EXIT_UNAVAILABLE);
            assertThat(tcp.line()).startsWith("rawstream: source.echo.port = " + busy.getLocalPort()
                    + " (TCP on 127.0.0.1): cannot listen");
        }
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Outcome rest = run("--sources", "gen", "-D", "rest.port=" + busy.getLocalPort());
            assertThat(rest.code()).isEqualTo(StartupChecks.EXIT_UNAVAILABLE);
            assertThat(rest.line()).startsWith("rawstream: rest.port = " + busy.getLocalPort()
                    + " (TCP on 127.0.0.1): cannot listen");
        }
        try (DatagramSocket busy = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Outcome udp = run("--sources", "spead", "--set", "source.spead.port=" + busy.getLocalPort());
            assertThat(udp.code()).isEqualTo(StartupChecks.EXIT_UNAVAILABLE);
            assertThat(udp.line()).startsWith("rawstream: source.spead.port = " + busy.getLocalPort()
                    + " (UDP on 127.0.0.1): cannot listen");
        }
    }

    @Test
    void outputAndStateDirectoriesMustBeWritable() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Outcome notDir = run("--sources", "gen", "--output", file.toString());
        assertThat(notDir.code()).isEqualTo(StartupChecks.EXIT_UNAVAILABLE);
        assertThat(notDir.line()).isEqualTo("rawstream: output.dir = " + file + ": not a directory");

        Outcome under = run("--sources", "gen", "--output", file.resolve("out").toString());
        assertThat(under.code()).isEqualTo(StartupChecks.EXIT_UNAVAILABLE);
        assertThat(under.line()).startsWith("rawstream: output.dir = " + file.resolve("out") + ": cannot create or write it");

        Outcome proc = run("--sources", "gen", "--output", "/proc/nonexistent");
        assertThat(proc.code()).isEqualTo(StartupChecks.EXIT_UNAVAILABLE);
        assertThat(proc.line()).startsWith("rawstream: output.dir = /proc/nonexistent: cannot create or write it");

        Outcome state = run("--sources", "gen", "--state-dir", file.resolve("state").toString());
        assertThat(state.code()).isEqualTo(StartupChecks.EXIT_UNAVAILABLE);
        assertThat(state.line()).startsWith("rawstream: execution.checkpointing.dir = ").contains("cannot create or write it");
    }

    @Test
    void theRealMainExitsWithTheCodeAndOneLine() throws Exception {
        Path log = tmp.resolve("main.log");
        try (ChildJob job = ChildJob.start(tmp, log, List.of("--sources", "gen", "--roll-max-bytes", "-5"))) {
            assertThat(job.process.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)).isTrue();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(job.process.exitValue()).as(output).isEqualTo(StartupChecks.EXIT_INVALID_SETTING);
            assertThat(output.strip()).isEqualTo("rawstream: roll.max-bytes = -5: not a size in 1 b .. unlimited (e.g. 64mb)");
        }
    }

    private static int freeUdpPort() {
        try {
            return Ports.freeUdpPort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
