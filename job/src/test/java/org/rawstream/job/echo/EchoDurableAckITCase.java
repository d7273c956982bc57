package org.rawstream.job.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.source.StoredMessages;
import org.rawstream.sources.net.Ports;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;
import org.rawstream.sources.echo.EchoBuilder;
import org.rawstream.sources.echo.EchoClient;
import org.rawstream.sources.echo.EchoClientResult;
import org.rawstream.sources.echo.EchoFramer;
import org.rawstream.sources.echo.EchoRequest;

/**
 * Must-show 2 (ack: durable) through the real job: no response before the checkpoint holding its
 * request completed, and after an injected failure and restart every acknowledged request is in
 * the committed files exactly once (the client's unanswered requests are retried as new ones).
 *
 * <p>A pass-through operator chained after the source records, per request, the checkpoint whose
 * barrier followed it and when each checkpoint's completion was notified (chained operators are
 * notified before the source, which only then writes the responses), and throws once after a
 * completed checkpoint.
 */
class EchoDurableAckITCase {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    /** Payload hex → checkpoint id whose barrier came after it. */
    static final Map<String, Long> EPOCH = new ConcurrentHashMap<>();
    /** Checkpoint id → System.nanoTime() of its completion notice. */
    static final NavigableMap<Long, Long> COMPLETED = new ConcurrentSkipListMap<>();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path tmp;

    @Test
    void acknowledgedRequestsSurviveAFailureExactlyOnceAndNoneIsAnsweredEarly() throws Exception {
        EPOCH.clear();
        COMPLETED.clear();
        FAILED.set(false);
        int port = Ports.freeTcpPort();
        Path out = tmp.resolve("out");
        JobConfig config = StoredMessages.config(out, "echo", Map.of("type", "echo-tcp", "port", Integer.toString(port),
                "ack", "durable", "stop-when-idle", "3s", "first-data-timeout", "60s"));
        JobClient job = StoredMessages.start(config, Duration.ofMillis(400), "echo durable ITCase",
                messages -> messages.map(new RecordAndFailOnce(150), RawMessageTypeInfo.INSTANCE).uid("record-and-fail"));
        Ports.awaitTcpListening(port, DEADLINE);

        Map<String, Long> answeredAt = new ConcurrentHashMap<>();
        // Round 1 runs into the injected failure: the restart drops its connection.
        EchoClientResult first = client(port, "round-1", 1200, answeredAt).run();
        assertThat(FAILED).as("the failure was injected during round 1").isTrue();
        assertThat(first.failure()).as(first.toString()).isNotNull();
        assertThat(first.responsesReceived()).as("some requests were acknowledged before the failure").isPositive();
        long unanswered = first.requestsSent() - first.responsesReceived();
        // Round 2: the client retries what got no answer (as new requests) once the restarted job listens.
        EchoClientResult second = null;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (second == null || !second.complete()) {
            assertThat(System.nanoTime()).as("round 2 completes: %s", second).isLessThan(deadline);
            Ports.awaitTcpListening(port, DEADLINE);
            second = client(port, "round-2-" + System.nanoTime(), (int) Math.max(unanswered, 100), answeredAt).run();
        }

        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        System.out.printf("durable acks: round 1 %s; round 2 %s; %d checkpoints completed%n", first, second,
                COMPLETED.size());
        Path dir = out.resolve("echo");
        assertThat(StoredMessages.hiddenFiles(dir)).isEmpty();
        Map<String, Integer> stored = StoredMessages.multiset(StoredMessages.read(dir, "echo", "1.0", 0));
        assertThat(stored.values()).as("nothing stored twice").allMatch(count -> count == 1);
        assertThat(answeredAt).hasSize((int) (first.responsesReceived() + second.responsesReceived()));
        for (Map.Entry<String, Long> answer : answeredAt.entrySet()) {
            String payload = answer.getKey();
            assertThat(stored).as("acknowledged request %s is committed", payload).containsKey(payload);
            Long epoch = EPOCH.get(payload);
            assertThat(epoch).as("request %s went through a checkpoint", payload).isNotNull();
            Map.Entry<Long, Long> completion = COMPLETED.ceilingEntry(epoch);
            assertThat(completion).as("its checkpoint %d (or a later one) completed", epoch).isNotNull();
            assertThat(COMPLETED.tailMap(epoch, true).values().stream().mapToLong(Long::longValue).min().getAsLong())
                    .as("response to %s only after checkpoint %d completed", payload, epoch)
                    .isLessThanOrEqualTo(answer.getValue());
        }
    }

    private static EchoClient client(int port, String subject, int count, Map<String, Long> answeredAt) {
        EchoClient.RequestFactory requests = (connection, n) -> new EchoRequest((byte) n, n,
                subject.getBytes(StandardCharsets.US_ASCII), new short[] {(short) n},
                (subject + "/" + n).getBytes(StandardCharsets.US_ASCII));
        return EchoClient.builder().port(port).count(count).rate(400).window(2000).responseTimeoutMillis(20_000)
                .requests(requests)
                .onResponse((connection, n, response, matches) -> {
                    if (matches) {
                        answeredAt.put(payloadHex(requests.request(connection, n)), System.nanoTime());
                    }
                })
                .build();
    }

    static String payloadHex(EchoRequest request) {
        ByteBuffer frame = EchoBuilder.appendRequest(null, request).flip();
        frame.position(EchoFramer.SIZE_FIELD_BYTES);
        byte[] payload = new byte[frame.remaining()];
        frame.get(payload);
        return HexFormat.of().formatHex(payload);
    }

    /**
     * Records each message's checkpoint epoch and completion times; throws once, some records after
     * the first completed checkpoint that held records.
     */
    static final class RecordAndFailOnce extends RichMapFunction<RawMessage, RawMessage>
            implements CheckpointedFunction, CheckpointListener {
        private final long recordsAfterCheckpoint;
        private transient List<String> sinceLastBarrier;
        /** Checkpoint ids that had records before their barrier, not yet completed. */
        private transient java.util.TreeSet<Long> withRecords;
        private transient boolean checkpointCompleted;
        private transient long seenAfterCompletion;

        RecordAndFailOnce(long recordsAfterCheckpoint) {
            this.recordsAfterCheckpoint = recordsAfterCheckpoint;
        }

        @Override
        public void open(OpenContext context) {
            sinceLastBarrier = new ArrayList<>();
            withRecords = new java.util.TreeSet<>();
            checkpointCompleted = false;
            seenAfterCompletion = 0;
        }

        @Override
        public RawMessage map(RawMessage value) {
            sinceLastBarrier.add(HexFormat.of().formatHex(value.bytes()));
            if (checkpointCompleted && ++seenAfterCompletion >= recordsAfterCheckpoint && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after a completed checkpoint");
            }
            return value;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            for (String payload : sinceLastBarrier) {
                EPOCH.put(payload, context.getCheckpointId());
            }
            if (!sinceLastBarrier.isEmpty()) {
                withRecords.add(context.getCheckpointId());
            }
            sinceLastBarrier.clear();
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
            // nothing to restore: the records themselves are the sink's business
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            COMPLETED.putIfAbsent(checkpointId, System.nanoTime());
            // Fail only once some requests are durable (and so acknowledged).
            if (!withRecords.headSet(checkpointId, true).isEmpty()) {
                checkpointCompleted = true;
            }
        }
    }
}
