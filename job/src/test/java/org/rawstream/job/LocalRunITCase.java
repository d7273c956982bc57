package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default local run without {@code --demo} (the generator and the four protocol sources, Flink
 * config from flink-conf/, default 10 s checkpoints), in a child JVM: the dashboard answers,
 * committed files appear within 30 s, {@code --duration} stops it cleanly (exit 0, final commit,
 * nothing hidden left, the savepoint path and the status table printed), and the protocol
 * sources, which nothing sends to, commit nothing: no demo traffic without {@code --demo}.
 */
class LocalRunITCase {
    @TempDir
    Path tmp;

    @Test
    void defaultLocalRunCommitsWithin30sAndStopsCleanlyAfterDuration() throws Exception {
        Path out = tmp.resolve("out");
        Path dir = out.resolve("gen");
        int port = ChildJob.freePort();
        List<String> args = List.of("--local", "--duration", "20s", "--output", out.toString(),
                "--state-dir", tmp.resolve("state").toString(), "-D", "rest.port=" + port,
                // the default protocol sources on free ports, so a developer's own run cannot collide
                "--set", "source.spead.port=" + ChildJob.freePort(), "--set", "source.odin.port=" + ChildJob.freePort(),
                "--set", "source.echo.port=" + ChildJob.freePort(), "--set", "source.msgpack.port=" + ChildJob.freePort());
        try (ChildJob job = ChildJob.start(tmp, tmp.resolve("run.log"), args)) {
            long started = System.nanoTime();
            job.await(Duration.ofSeconds(30), "the dashboard on 127.0.0.1:" + port,
                    () -> LocalHttp.get("http://127.0.0.1:" + port + "/").contains("Apache Flink Web Dashboard"));
            assertThat(LocalHttp.get("http://127.0.0.1:" + port + "/overview")).contains("\"jobs-running\":1");
            job.await(Duration.ofSeconds(30).minusNanos(System.nanoTime() - started),
                    "a committed file within 30 s of start", () -> !OutputCheck.committedFiles(dir).isEmpty());

            assertThat(job.process.waitFor(60, TimeUnit.SECONDS)).as("stopped after --duration").isTrue();
            String log = job.logText();
            assertThat(job.process.exitValue()).as(log).isZero();
            assertThat(log).contains("RawStream settings:", "Dashboard: http://127.0.0.1:" + port, "stopped cleanly",
                    "Savepoint: file:", "at stop").doesNotContain("demo feed");
            StatusTable.assertShape(log, List.of("gen", "spead", "odin", "echo", "msgpack"));
        }
        for (String idle : List.of("spead", "odin", "echo", "msgpack")) {
            assertThat(OutputCheck.committedFiles(out.resolve(idle))).as("idle source %s without --demo", idle).isEmpty();
        }
        assertThat(OutputCheck.hiddenFiles(dir)).as("final commit left nothing hidden").isEmpty();
        List<Path> files = OutputCheck.committedFiles(dir);
        // ~20 s at 1000 messages/s, each index once, whatever the split into files.
        long total = OutputCheck.h5pySummaries(files, tmp).stream().mapToLong(s -> s.get("count").asLong()).sum();
        assertThat(total).isBetween(5_000L, 40_000L);
        assertThat(OutputCheck.messageMultiset(OutputCheck.h5pySummaries(files, tmp), 0, "generator", "1.0"))
                .isEqualTo(OutputCheck.expectedGenerated(total, 256));
    }
}
