package org.rawstream.job.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rawstream.job.Deadlines;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.source.JobMetrics;
import org.rawstream.job.source.StoredMessages;
import org.rawstream.sources.net.Ports;

/**
 * Issue 13, build item 6: a clean stop (stop-with-savepoint, what {@code --duration} and Ctrl-C
 * do) while a client is pipelining at full speed commits exactly the requests that were answered,
 * in both ack modes: nothing answered is lost (received mode answered requests still in the
 * hand-over queue before), nothing committed goes unanswered (durable mode closed the connections
 * before the final savepoint's answers were written). The connection ends with every answer and
 * then the end of the stream.
 */
class EchoCleanStopITCase {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final JobMetrics METRICS = new JobMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(METRICS.cluster());

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "ack: {0}")
    @ValueSource(strings = {"received", "durable"})
    void cleanStopCommitsExactlyWhatWasAnswered(String ack) throws Exception {
        int port = Ports.freeTcpPort();
        Path out = tmp.resolve("out");
        JobConfig config = StoredMessages.config(out, "echo", Map.of("type", "echo-tcp", "port", Integer.toString(port),
                "ack", ack, "max-held-response-bytes", Integer.toString(1 << 20)));
        JobClient job = StoredMessages.start(config, Duration.ofSeconds(1), "echo clean stop " + ack, messages -> messages);
        JobID id = job.getJobID();
        Ports.awaitTcpListening(port, DEADLINE);

        FastEchoClient client = new FastEchoClient(port, 100);
        try {
            Deadlines.await(DEADLINE, "answers across a few checkpoints", () -> {
                assertThat(client.failure()).isNull();
                return client.answered() >= 20_000 && METRICS.jobMetric(id, ".numberOfCompletedCheckpoints") >= 2;
            });
            // Stop while the client is still writing at full speed; it stops writing right after
            // (what it sends while the source is stopping is dropped unread, and not answered).
            CompletableFuture<String> savepoint = job.stopWithSavepoint(false,
                    tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL);
            client.stopSending();
            savepoint.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(client.awaitEnd(DEADLINE)).as("the server ended the stream").isTrue();
            assertThat(client.endOfStream()).as("a graceful end, not a reset: %s", client.failure()).isTrue();
        } finally {
            client.close();
        }

        Path dir = out.resolve("echo");
        assertThat(StoredMessages.hiddenFiles(dir)).as("the stop committed everything").isEmpty();
        List<byte[]> stored = StoredMessages.read(dir, "echo", "1.0", 0);
        System.out.printf("clean stop, ack %s: %d sent, %d answered, %d committed%n", ack, client.sent(),
                client.answered(), stored.size());
        BitSet committed = new BitSet();
        for (byte[] payload : stored) {
            long n = FastEchoClient.ordinal(payload);
            assertThat(committed.get((int) n)).as("request %d committed once", n).isFalse();
            committed.set((int) n);
            assertThat(payload).isEqualTo(client.payload(n));
        }
        assertThat(stored).as("answered == committed").hasSize((int) client.answered());
        assertThat(committed.nextClearBit(0)).as("the first answered requests, in order").isEqualTo(stored.size());
        assertThat(METRICS.sum(id, "echo", "echoResponsesPending")).as("gauge settles when connections close").isZero();
    }
}
