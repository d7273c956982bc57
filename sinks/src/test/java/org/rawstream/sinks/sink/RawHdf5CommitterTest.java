package org.rawstream.sinks.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawHdf5CommitterTest {
    @TempDir
    Path out;

    private Path dir;
    private RawHdf5Committer committer;
    private RawFileCommittable committable;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createDirectories(out.resolve("gen"));
        committer = new RawHdf5Committer(out, true, new UnregisteredMetricsGroup(), List.of("gen"));
        PartFileName name = new PartFileName("ab12cd34", 0, 3, 0);
        committable = new RawFileCommittable("gen", name.hidden(), name.visible(), 10, 100, System.currentTimeMillis());
    }

    @Test
    void renamesHiddenFileToItsVisibleName() throws Exception {
        Files.writeString(dir.resolve(committable.hiddenName()), "content");
        Request request = new Request(committable);
        committer.commit(List.of(request));
        assertThat(request.outcome).isEqualTo("committed");
        assertThat(dir.resolve(committable.hiddenName())).doesNotExist();
        assertThat(dir.resolve(committable.visibleName())).hasContent("content");
    }

    @Test
    void retryAfterCommitIsRecognisedAsAlreadyCommitted() throws Exception {
        Files.writeString(dir.resolve(committable.hiddenName()), "content");
        committer.commit(List.of(new Request(committable)));
        Request retry = new Request(committable);
        committer.commit(List.of(retry));
        assertThat(retry.outcome).isEqualTo("alreadyCommitted");
        assertThat(dir.resolve(committable.visibleName())).hasContent("content");
    }

    @Test
    void neverOverwritesAVisibleFile() throws Exception {
        Files.writeString(dir.resolve(committable.hiddenName()), "new");
        Files.writeString(dir.resolve(committable.visibleName()), "old");
        Request request = new Request(committable);
        committer.commit(List.of(request));
        assertThat(request.outcome).startsWith("failedKnown");
        assertThat(dir.resolve(committable.visibleName())).hasContent("old");
        assertThat(dir.resolve(committable.hiddenName())).hasContent("new");
    }

    @Test
    void missingFileIsReportedNotFatal() throws Exception {
        Request request = new Request(committable);
        committer.commit(List.of(request));
        assertThat(request.outcome).startsWith("failedKnown");
    }

    /** Records what the committer signalled; "committed" when it signalled nothing. */
    private static final class Request implements CommitRequest<RawFileCommittable> {
        private final RawFileCommittable committable;
        String outcome = "committed";

        Request(RawFileCommittable committable) {
            this.committable = committable;
        }

        @Override
        public RawFileCommittable getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            outcome = "failedKnown " + t;
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            outcome = "failedUnknown " + t;
        }

        @Override
        public void retryLater() {
            outcome = "retryLater";
        }

        @Override
        public void updateAndRetryLater(RawFileCommittable c) {
            outcome = "updateAndRetryLater";
        }

        @Override
        public void signalAlreadyCommitted() {
            outcome = "alreadyCommitted";
        }
    }
}
