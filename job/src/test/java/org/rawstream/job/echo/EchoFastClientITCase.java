package org.rawstream.job.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.Deadlines;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.source.JobMetrics;
import org.rawstream.job.source.StoredMessages;
import org.rawstream.sources.net.Ports;

/**
 * Issue 13, must-show 2 through the real job: with {@code ack: durable}, a client that pipelines
 * as fast as it can and reads as fast as it can for 60 s across many checkpoints is slowed by
 * flow control (reading pauses while its answers exceed {@code max-held-response-bytes}), never
 * disconnected, and every request it got an answer for is in the committed files exactly once.
 *
 * <p>The response budget is small (1 MiB) and checkpoints frequent (2 s) so that flow control
 * engages many times within the minute; the client then half-closes and gets every remaining
 * answer, so in the end answered = sent = committed.
 */
class EchoFastClientITCase {
    private static final Duration TRAFFIC = Duration.ofSeconds(60);
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final int BODY_BYTES = 200;

    private static final JobMetrics METRICS = new JobMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(METRICS.cluster());

    @TempDir
    Path tmp;

    @Test
    void fastDurableClientIsSlowedNotDisconnectedAndEveryAnswerIsCommittedOnce() throws Exception {
        int port = Ports.freeTcpPort();
        Path out = tmp.resolve("out");
        JobConfig config = StoredMessages.config(out, "echo", Map.of("type", "echo-tcp", "port", Integer.toString(port),
                "ack", "durable", "max-held-response-bytes", Integer.toString(1 << 20), "stop-when-idle", "3s",
                "first-data-timeout", "60s"));
        JobClient job = StoredMessages.start(config, Duration.ofSeconds(2), "echo fast durable client",
                messages -> messages);
        JobID id = job.getJobID();
        Ports.awaitTcpListening(port, DEADLINE);

        long started = System.nanoTime();
        FastEchoClient client = new FastEchoClient(port, BODY_BYTES);
        try {
            // The traffic period; fails early if the client is disconnected.
            Deadlines.await(TRAFFIC.plusSeconds(30), "60 s of traffic", () -> {
                assertThat(client.failure()).isNull();
                return System.nanoTime() - started >= TRAFFIC.toNanos();
            });
            long answeredWhileSending = client.answered();
            client.stopSending();
            assertThat(client.awaitEnd(DEADLINE)).as("the server ends the stream once all is answered").isTrue();
            System.out.printf("fast durable client: %d requests sent, %d answered (%d while sending), "
                            + "%d read pauses, %d acknowledgements, %d checkpoints awaiting%n", client.sent(),
                    client.answered(), answeredWhileSending, METRICS.sum(id, "echo", "readPauses"),
                    METRICS.sum(id, "echo", "acknowledgements"), METRICS.sum(id, "echo", "checkpointsAwaitingAcknowledgement"));
            assertThat(client.failure()).as("never disconnected").isNull();
            assertThat(client.endOfStream()).isTrue();
            assertThat(client.answered()).as("every request answered").isEqualTo(client.sent()).isPositive();
            assertThat(answeredWhileSending).isPositive();
            assertThat(METRICS.sum(id, "echo", "readPauses")).as("flow control engaged").isPositive();
            assertThat(METRICS.sum(id, "echo", "acknowledgements")).as("answers released by >= 5 checkpoints")
                    .isGreaterThanOrEqualTo(5);
            assertThat(METRICS.sum(id, "echo", "connectionsOutputOverflow")).isZero();
        } finally {
            client.close();
        }

        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        Path dir = out.resolve("echo");
        assertThat(StoredMessages.hiddenFiles(dir)).isEmpty();
        List<byte[]> stored = StoredMessages.read(dir, "echo", "1.0", 0);
        assertThat(stored).as("committed = answered").hasSize((int) client.answered());
        BitSet seen = new BitSet();
        for (byte[] payload : stored) {
            long n = FastEchoClient.ordinal(payload);
            assertThat(n).isBetween(0L, client.answered() - 1);
            assertThat(seen.get((int) n)).as("request %d committed once", n).isFalse();
            seen.set((int) n);
            assertThat(payload).as("request %d stored as sent", n).isEqualTo(client.payload(n));
        }
        assertThat(METRICS.sum(id, "echo", "echoResponsesPending")).as("nothing left pending").isZero();
        assertThat(METRICS.jobMetric(id, ".numRestarts")).isZero();
    }
}
