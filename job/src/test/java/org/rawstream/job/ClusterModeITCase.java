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
 * REST submission (here the MiniCluster's): a bounded generator run commits every message once.
 */
class ClusterModeITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path tmp;

    @Test
    void runsUnchangedInAContextEnvironment() throws Exception {
        Path out = tmp.resolve("out");
        int code = RawStreamJob.commandLine().execute("run", "-o", out.toString(), "-p", "2",
                "--checkpoint-interval", "200ms", "--set", "source.gen.count=5000", "--set", "source.gen.rate=0",
                "--set", "source.gen.io-group=9");
        assertThat(code).isZero();
        Path dir = out.resolve("gen");
        assertThat(OutputCheck.hiddenFiles(dir)).isEmpty();
        List<Path> files = OutputCheck.committedFiles(dir);
        OutputCheck.assertExactlyOnce(
                OutputCheck.messageMultiset(OutputCheck.h5pySummaries(files, tmp), 9, "generator", "1.0"),
                OutputCheck.expectedGenerated(5000, 256));
    }
}
