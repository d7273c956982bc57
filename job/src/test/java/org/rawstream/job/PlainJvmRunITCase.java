package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the main class run in a plain JVM without {@code --local} (an IDE, {@code java -cp})
 * takes the same Flink configuration as a local run: {@code flink-conf/config.yaml}, the
 * {@code -D} overrides and file checkpoint storage under the state directory (it used to ignore
 * {@code -D} and fall back to Flink's 5 MB in-memory checkpoint storage).
 */
class PlainJvmRunITCase {
    static final long COUNT = 5_000;

    @TempDir
    Path tmp;

    @Test
    void takesFlinkConfAndDynamicPropertiesWithoutLocal() throws Exception {
        Path out = tmp.resolve("out");
        Path state = tmp.resolve("state");
        int restPort = ChildJob.freePort();
        List<String> args = List.of("--output", out.toString(), "--state-dir", state.toString(), "--sources", "gen",
                "--checkpoint-interval", "300ms", "--set", "source.gen.count=" + COUNT, "--set", "source.gen.rate=2000",
                "-D", "rest.port=" + restPort);
        Path log = tmp.resolve("plain.log");
        try (ChildJob job = ChildJob.start(tmp, log, args)) {
            assertThat(job.process.waitFor(120, TimeUnit.SECONDS)).as("bounded job finished").isTrue();
            String text = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(job.process.exitValue()).as(text).isZero();
            assertThat(text).contains("Flink (embedded)")
                    .contains("checkpoints " + state.toAbsolutePath().resolve("checkpoints").toUri().toString()
                            .replaceAll("/$", ""))
                    .contains("Dashboard: http://127.0.0.1:" + restPort + "/");
        }
        assertThat(Files.isDirectory(state.resolve("checkpoints"))).as("file checkpoint storage used").isTrue();
        OutputCheck.assertExactlyOnce(
                OutputCheck.messageMultiset(OutputCheck.h5pySummaries(OutputCheck.committedFiles(out.resolve("gen")), tmp),
                        0, "generator", "1.0"),
                OutputCheck.expectedGenerated(COUNT, 256));
    }
}
