package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Must-show 3: the job runs in a child JVM (README's local run), is SIGKILLed while writing, and is
 * restarted (at parallelism 1, i.e. rescaled) from its latest retained checkpoint → every message
 * exactly once, no hidden file left, and every file under a committed name is a complete, valid
 * file (checked right after the kill, before any recovery).
 */
class ProcessKillITCase {
    static final long COUNT = 40_000;
    static final int SIZE = 100;

    @TempDir
    Path tmp;

    @Test
    void sigkillThenRestartFromRetainedCheckpointIsExactlyOnce() throws Exception {
        Path out = tmp.resolve("out");
        Path dir = out.resolve("gen");
        Path state = tmp.resolve("state");
        List<String> args = List.of("--local", "--output", out.toString(), "--state-dir", state.toString(),
                "--sources", "gen", "--checkpoint-interval", "500ms", "--roll-max-records", "3000",
                "--set", "source.gen.count=" + COUNT, "--set", "source.gen.rate=5000",
                "--set", "source.gen.message-bytes=" + SIZE);

        List<String> firstArgs = new ArrayList<>(withPort(args));
        firstArgs.addAll(List.of("-p", "2"));
        try (ChildJob first = ChildJob.start(tmp, tmp.resolve("first.log"), firstArgs)) {
            // Kill while a file is in progress (a checkpoint closes and commits the open files; the
            // next one opens with the next record), so wait for that too, not just for commits.
            first.await(Duration.ofSeconds(90), "committed files, a retained checkpoint and a file in progress",
                    () -> OutputCheck.committedFiles(dir).size() >= 2 && latestCheckpoint(state).isPresent()
                            && !OutputCheck.hiddenFiles(dir).isEmpty());
            assertThat(first.process.isAlive()).as("still writing when killed: %s", first.logText()).isTrue();
            first.kill();
            assertThat(first.process.exitValue()).isEqualTo(137); // 128 + SIGKILL
        }
        assertThat(OutputCheck.hiddenFiles(dir)).as("killed with files in progress").isNotEmpty();
        // Nothing half-written under a committed name: every visible file opens and reads in h5py.
        List<Path> afterKill = OutputCheck.committedFiles(dir);
        long committedBeforeRestart = OutputCheck.h5pySummaries(afterKill, tmp).stream()
                .mapToLong(s -> s.get("count").asLong()).sum();
        assertThat(committedBeforeRestart).as("killed mid-stream").isLessThan(COUNT);

        Path checkpoint = latestCheckpoint(state).orElseThrow();
        // Resume at parallelism 1: the one writer gets both old subtasks' state and must clean up
        // the leftovers of both.
        List<String> resume = new ArrayList<>(withPort(args));
        resume.addAll(List.of("-p", "1", "-D", "execution.state-recovery.path=" + checkpoint.toUri()));
        try (ChildJob second = ChildJob.start(tmp, tmp.resolve("second.log"), resume)) {
            assertThat(second.process.waitFor(120, TimeUnit.SECONDS)).as("resumed job finished").isTrue();
            assertThat(second.process.exitValue()).as(second.logText()).isZero();
            assertThat(second.logText()).contains("Deleted leftover of a failed attempt");
        }

        assertThat(OutputCheck.hiddenFiles(dir)).as("no in-progress file left").isEmpty();
        List<Path> all = OutputCheck.committedFiles(dir);
        assertThat(all).containsAll(afterKill);
        OutputCheck.assertExactlyOnce(
                OutputCheck.messageMultiset(OutputCheck.h5pySummaries(all, tmp), 0, "generator", "1.0"),
                OutputCheck.expectedGenerated(COUNT, SIZE));
    }

    private static List<String> withPort(List<String> args) throws IOException {
        List<String> result = new ArrayList<>(args);
        result.addAll(List.of("-D", "rest.port=" + ChildJob.freePort()));
        return result;
    }

    /** The newest chk-N directory whose metadata is written (a completed checkpoint). */
    static Optional<Path> latestCheckpoint(Path state) throws IOException {
        Path checkpoints = state.resolve("checkpoints");
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        try (Stream<Path> all = Files.walk(checkpoints, 2)) {
            return all.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))));
        }
    }
}
