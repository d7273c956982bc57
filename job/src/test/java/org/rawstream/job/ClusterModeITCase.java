package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI without {@code --local} takes the context environment, as under {@code flink run} or
 * REST submission (here the MiniCluster's): two bounded generator sources, each committed exactly
 * once into its own directory with its own io_groups, protocol and io_version.
 */
class ClusterModeITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path tmp;

    @Test
    void runsUnchangedInAContextEnvironmentWithTwoSources() throws Exception {
        Path out = tmp.resolve("out");
        int code = RawStreamJob.commandLine().execute("run", "-o", out.toString(), "-p", "2",
                "--checkpoint-interval", "200ms", "--sources", "gen,g2",
                "--set", "source.gen.count=5000", "--set", "source.gen.rate=0", "--set", "source.gen.io-group=9",
                "--set", "source.g2.type=generator", "--set", "source.g2.count=3000", "--set", "source.g2.rate=0",
                "--set", "source.g2.io-group=3", "--set", "source.g2.message-bytes=64",
                "--set", "source.g2.protocol=test", "--set", "source.g2.io-version=2.5");
        assertThat(code).isZero();
        assertSource(out.resolve("gen"), 9, "generator", "1.0", 5000, 256);
        assertSource(out.resolve("g2"), 3, "test", "2.5", 3000, 64);
    }

    private void assertSource(Path dir, int ioGroup, String protocol, String ioVersion, long count, int size)
            throws Exception {
        assertThat(OutputCheck.hiddenFiles(dir)).isEmpty();
        List<Path> files = OutputCheck.committedFiles(dir);
        OutputCheck.assertExactlyOnce(
                OutputCheck.messageMultiset(OutputCheck.h5pySummaries(files, tmp), ioGroup, protocol, ioVersion),
                OutputCheck.expectedGenerated(count, size));
    }
}
