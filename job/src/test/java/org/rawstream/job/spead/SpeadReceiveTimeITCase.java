package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.job.spead.SpeadJobTestSupport.DEADLINE;
import static org.rawstream.job.spead.SpeadJobTestSupport.PAYLOAD_PER_PACKET;
import static org.rawstream.job.spead.SpeadJobTestSupport.SOURCE;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;
import org.rawstream.sources.net.Ports;
import org.rawstream.sources.pcap.CaptureWriter;
import org.rawstream.sources.pcap.LinkTypes;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadPacketWriter;
import org.rawstream.sources.spead.StoredHeapCodec;

/**
 * heap-timeout counts receive time (the default 2 s throughout): a stall downstream longer than
 * the timeout, while the rest of a heap waits inside the job, does not expire it; a quiet stream
 * still expires its incomplete heap about heap-timeout after its last packet arrived; a capture
 * replay expires a heap with a gap longer than the timeout in its packets whatever the speed.
 */
class SpeadReceiveTimeITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SpeadJobTestSupport.miniCluster(REPORTER);

    private static final long HEAP_TIMEOUT_MILLIS = 2_000; // the default
    private static final int HEAP = 8 * PAYLOAD_PER_PACKET;
    private static final long STALL_MILLIS = 3 * HEAP_TIMEOUT_MILLIS;
    /** Quiet-stream expiry: how late after heap-timeout still counts as "about" on a busy 2-core machine. */
    private static final long EXPIRY_SLACK_MILLIS = 3_000;

    @TempDir
    Path out;

    /** Stalls the task thread once, when armed, for {@link #STALL_MILLIS}: a sink that stops for a while. */
    static final class Stall implements MapFunction<RawMessage, RawMessage> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final CountDownLatch STALLING = new CountDownLatch(1);

        @Override
        public RawMessage map(RawMessage m) {
            if (ARMED.compareAndSet(true, false)) {
                STALLING.countDown();
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS);
                for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
            }
            return m;
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void stallLongerThanTheTimeoutKeepsAQueuedHeapCompleteAndAQuietStreamStillExpires() throws Exception {
        int port = Ports.freeUdpPort();
        Settings s = SpeadJobTestSupport.settings(out, SOURCE, "spead-udp", port, "1",
                Map.of("source." + SOURCE + ".incomplete-heaps", "deliver"));
        // Longer than the quiet phase (heap-timeout and the time to see its expiry), shorter than the stall.
        s.set("source." + SOURCE + ".stop-when-idle", "5s", "test");
        JobConfig config = JobConfig.from(s);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                FlinkSetup.applyJobSettings(new Configuration(), config));
        env.enableCheckpointing(1000);
        RawStreamPipeline.sinkTo(RawStreamPipeline.sources(env, config).map(new Stall())
                .returns(RawMessageTypeInfo.INSTANCE).setParallelism(1).name("test stall"), config);
        JobClient job = env.executeAsync("spead-receive-time-it");
        Ports.awaitUdpBound(port, 1, DEADLINE);
        JobID id = job.getJobID();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(new InetSocketAddress("127.0.0.1", port));
            // 1. A quiet stream: half of heap 10, then nothing. It expires about heap-timeout later.
            send(ch, 10, 0, 4);
            long lastSent = System.nanoTime();
            await(sampler, () -> metric(id, "heaps_incomplete_expired") >= 1);
            long expiredAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastSent);
            System.out.printf("receive time: a quiet stream's incomplete heap expired %d ms after its last packet "
                    + "(heap-timeout %d ms)%n", expiredAfter, HEAP_TIMEOUT_MILLIS);
            assertThat(expiredAfter).isBetween(HEAP_TIMEOUT_MILLIS - 200, HEAP_TIMEOUT_MILLIS + EXPIRY_SLACK_MILLIS);

            // 2. Half of heap 12 is admitted; heap 11 completes and reaches the stalling sink; the
            // rest of heap 12 arrives during the stall and waits in the job three heap-timeouts.
            send(ch, 12, 0, 4);
            await(sampler, () -> metric(id, "packets") >= 8); // heap 12's first half is assembled
            Stall.ARMED.set(true);
            send(ch, 11, 0, 8);
            assertThat(Stall.STALLING.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            send(ch, 12, 4, 8);
        } finally {
            sampler.shutdownNow();
        }
        job.getJobExecutionResult().get(DEADLINE.toSeconds() + STALL_MILLIS / 1000, TimeUnit.SECONDS);

        Map<Long, Boolean> committed = new TreeMap<>();
        for (byte[] m : SpeadJobTestSupport.committedMessages(out, SOURCE)) {
            ReceivedHeap h = StoredHeapCodec.decode(m);
            assertThat(committed.put(h.heapCnt(), h.isComplete())).as("heap %d once", h.heapCnt()).isNull();
        }
        assertThat(committed).isEqualTo(Map.of(10L, false, 11L, true, 12L, true));
        assertThat(metric(id, "heaps_incomplete_expired")).isEqualTo(1);
        assertThat(metric(id, "heaps_completed")).isEqualTo(2);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aReplayExpiresAHeapWithAGapLongerThanTheTimeoutAtAnySpeed() throws Exception {
        Path capture = out.resolve("gap.pcap");
        InetSocketAddress from = new InetSocketAddress("127.0.0.2", 10_000);
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", 7148);
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(capture));
                CaptureWriter w = CaptureWriter.pcap(file, LinkTypes.ETHERNET)) {
            w.step(1_000_000); // 1 ms between packets
            for (byte[] p : packets(1, 0, 8)) {
                w.udp(from, to, p); // heap 1: complete
            }
            for (byte[] p : packets(2, 0, 4)) {
                w.udp(from, to, p);
            }
            // Heap 2's other half comes 2.5 s later in capture time: the live receiver expired it.
            w.step(2_500_000_000L);
            byte[][] rest = packets(2, 4, 8);
            w.udp(from, to, rest[0]);
            w.step(1_000_000);
            for (int i = 1; i < rest.length; i++) {
                w.udp(from, to, rest[i]);
            }
            for (byte[] p : packets(3, 0, 8)) {
                w.udp(from, to, p); // heap 3: complete
            }
        }
        // As fast as it can, and at ten times the capture's speed (the gap then lasts 0.25 s).
        for (String speed : new String[] {"0", "10"}) {
            Path dir = out.resolve("out-" + speed);
            Settings s = SpeadJobTestSupport.settings(dir, SOURCE, "pcap", 7148, "1", Map.of(
                    "source." + SOURCE + ".protocol", "spead",
                    "source." + SOURCE + ".path", capture.toString(),
                    "source." + SOURCE + ".speed", speed,
                    "source." + SOURCE + ".incomplete-heaps", "deliver"));
            JobConfig config = JobConfig.from(s);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                    FlinkSetup.applyJobSettings(new Configuration(), config));
            env.enableCheckpointing(500);
            RawStreamPipeline.build(env, config);
            env.execute("spead-pcap-gap-" + speed);
            Map<Long, Boolean> committed = new TreeMap<>();
            for (byte[] m : SpeadJobTestSupport.committedMessages(dir, SOURCE)) {
                ReceivedHeap h = StoredHeapCodec.decode(m);
                committed.put(h.heapCnt(), h.isComplete());
            }
            assertThat(committed).as("speed %s", speed).isEqualTo(Map.of(1L, true, 2L, false, 3L, true));
        }
    }

    private static long metric(JobID job, String name) {
        return SpeadPipelineITCase.metric(REPORTER, job, "." + name);
    }

    /** Waits (deadline {@link SpeadJobTestSupport#DEADLINE}) until {@code condition} holds, sampled every 10 ms. */
    private static void await(ScheduledExecutorService sampler, BooleanSupplier condition) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        var task = sampler.scheduleAtFixedRate(() -> {
            if (condition.getAsBoolean()) {
                done.complete(null);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        try {
            done.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            task.cancel(false);
        }
    }

    private static void send(DatagramChannel ch, long cnt, int fromPacket, int toPacket) throws IOException {
        for (byte[] p : packets(cnt, fromPacket, toPacket)) {
            ch.write(ByteBuffer.wrap(p));
        }
    }

    /** Packets {@code [fromPacket, toPacket)} of test heap {@code cnt} ({@link #HEAP} bytes, SPEAD-64-48). */
    private static byte[][] packets(long cnt, int fromPacket, int toPacket) {
        byte[][] out = new byte[toPacket - fromPacket][];
        ByteBuffer b = ByteBuffer.allocate(8972);
        for (int i = fromPacket; i < toPacket; i++) {
            int off = i * PAYLOAD_PER_PACKET;
            b.clear();
            SpeadPacketWriter.writeHeader(b, SpeadFlavour.SPEAD_64_48, 4);
            SpeadPacketWriter.writePacketPointers(b, SpeadFlavour.SPEAD_64_48, cnt, HEAP, off, PAYLOAD_PER_PACKET);
            for (int j = 0; j < PAYLOAD_PER_PACKET; j++) {
                b.put((byte) (cnt + off + j));
            }
            b.flip();
            byte[] p = new byte[b.remaining()];
            b.get(p);
            out[i - fromPacket] = p;
        }
        return out;
    }
}
