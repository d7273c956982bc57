package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.job.spead.SpeadJobTestSupport.DEADLINE;
import static org.rawstream.job.spead.SpeadJobTestSupport.SOURCE;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Assumptions;
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
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.StoredHeapCodec;
import org.rawstream.sources.transport.Pacer;

/**
 * Issue 18: a sender several times faster than the sink (throttled in this test by a pacing map
 * in front of it). The receiving thread sheds whole new heaps while the hand-over is half full
 * and feeds the heaps already started, so every committed heap is complete, every shed heap lost
 * all its packets and none other, and shed + committed (+ counted incomplete) = sent. The same
 * with the kernel dropping instead (the receiving thread not shedding, a small receive buffer):
 * the heaps each gap cut are shed whole.
 */
class SpeadOverloadITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SpeadJobTestSupport.miniCluster(REPORTER);

    private static final int HEAP = 1 << 20;
    private static final int PAYLOAD_PER_PACKET = SpeadJobTestSupport.PAYLOAD_PER_PACKET;
    private static final int PACKETS_PER_HEAP = (HEAP + PAYLOAD_PER_PACKET - 1) / PAYLOAD_PER_PACKET;
    /**
     * Sink: 2 MiB/s; sender: 4 times that. Modest rates, so that the kernel's default 4 MiB
     * receive buffer covers half a second of a busy machine not scheduling the receiving thread
     * (this test is about what RawStream drops, not the kernel).
     */
    private static final double SINK_BYTES_PER_SECOND = 2 << 20;
    private static final double SEND_BYTES_PER_SECOND = 4 * SINK_BYTES_PER_SECOND;
    private static final long SEND_MILLIS = 10_000;

    @TempDir
    Path out;

    /** Test-only throttle: lets at most {@code bytesPerSecond} of messages through to the sink. */
    static final class Throttle implements MapFunction<RawMessage, RawMessage> {
        private static final long serialVersionUID = 1L;
        private final double bytesPerSecond;
        private transient Pacer pacer;

        Throttle(double bytesPerSecond) {
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public RawMessage map(RawMessage m) throws Exception {
            if (pacer == null) {
                pacer = new Pacer(bytesPerSecond);
            }
            pacer.acquire(m.length());
            return m;
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void overloadShedsWholeHeapsAndKeepsWhatItAdmitsComplete() throws Exception {
        // A small hand-over, so that shedding (at half of it) starts within a second or two.
        Result r = run(Map.of("handover-bytes", "16mb"));
        assertThat(r.kernelDrops).as("the kernel dropped nothing (else heaps are lost before RawStream sees them)").isZero();
        assertThat(r.shed).as("the overload was real").isPositive();
        // Shed heaps are whole: every packet of a shed heap was shed, and no packet of any other.
        assertThat(r.packetsShed).isEqualTo(r.shed * PACKETS_PER_HEAP);
        // Nothing lost silently: every heap sent is committed, shed or counted.
        assertThat(r.committedIncomplete).isEqualTo(r.incomplete); // incomplete-heaps=deliver
        assertThat(r.committedComplete + r.shed + r.incomplete + r.refused).isEqualTo(r.sent);
        // And shedding left nothing partial.
        assertThat(r.incomplete).isZero();
    }

    /**
     * The same overload with the receiving thread never shedding ({@code shed-at: 1}) and a small
     * receive buffer: when the hand-over is full the receiving thread stops reading and the kernel
     * drops datagrams. The reader locates each gap, and the heaps it cut are shed whole, so again
     * no committed heap lacks a packet, and every heap not committed is counted.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void heapsCutByKernelDropsAreShedWhole() throws Exception {
        Result r = run(Map.of("handover-bytes", "16mb", "shed-at", "1", "receive-buffer", "1mb"));
        Assumptions.assumeTrue(r.gaps > 0 || r.kernelDrops == 0,
                "the socket reader cannot locate kernel drops here (no recvmmsg with SO_RXQ_OVFL)");
        assertThat(r.kernelDrops).as("the overload was at the kernel").isPositive();
        assertThat(r.gaps).as("each gap located").isPositive();
        assertThat(r.shed).as("heaps cut by a gap, shed").isPositive();
        assertThat(r.committedIncomplete).isZero();
        assertThat(r.incomplete).isZero();
        // Nothing lost silently: below the last committed counter, each heap is committed or missing.
        assertThat(r.committedComplete + r.missing).isEqualTo(r.lastCommitted);
    }

    /** What a run committed and counted. */
    private record Result(long sent, long committedComplete, long committedIncomplete, long lastCommitted, long shed,
            long packetsShed, long incomplete, long refused, long missing, long gaps, long kernelDrops) {
    }

    /** Runs the throttled job with {@code sourceSettings}, sends, and reads back files and metrics. */
    private Result run(Map<String, String> sourceSettings) throws Exception {
        int port = Ports.freeUdpPort();
        Settings s = SpeadJobTestSupport.settings(out, SOURCE, "spead-udp", port, "1", Map.of());
        s.set("source." + SOURCE + ".stop-when-idle", "3s", "test");
        sourceSettings.forEach((k, v) -> s.set("source." + SOURCE + "." + k, v, "test"));
        // The throttle sleeps on the task thread (up to seconds per hand-over batch) while the
        // rest of an admitted heap waits in the hand-over: the default heap-timeout (2 s) counts
        // receive time, so that stall never expires it.
        JobConfig config = JobConfig.from(s);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                FlinkSetup.applyJobSettings(new Configuration(), config));
        env.enableCheckpointing(2000);
        RawStreamPipeline.sinkTo(RawStreamPipeline.sources(env, config).map(new Throttle(SINK_BYTES_PER_SECOND))
                .returns(RawMessageTypeInfo.INSTANCE).setParallelism(1).name("test throttle"), config);
        JobClient job = env.executeAsync("spead-overload-it");
        Ports.awaitUdpBound(port, 1, DEADLINE);

        long sent = send(port);
        long kernelDrops = SpeadJobTestSupport.kernelDrops(port);
        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        JobID id = job.getJobID();

        long committedComplete = 0;
        long committedIncomplete = 0;
        long lastCommitted = 0;
        Set<Long> seen = new HashSet<>();
        for (byte[] m : SpeadJobTestSupport.committedMessages(out, SOURCE)) {
            ReceivedHeap h = StoredHeapCodec.decode(m);
            assertThat(seen.add(h.heapCnt())).as("heap %d once", h.heapCnt()).isTrue();
            lastCommitted = Math.max(lastCommitted, h.heapCnt());
            if (h.isComplete()) {
                committedComplete++;
            } else {
                committedIncomplete++;
            }
        }
        Result r = new Result(sent, committedComplete, committedIncomplete, lastCommitted,
                metric(id, "<-127.0.0.1.heaps_shed"), metric(id, "rawstream." + SOURCE + ".packetsShed"),
                metric(id, "<-127.0.0.1.heaps_incomplete"), metric(id, "<-127.0.0.1.heaps_refused"),
                metric(id, "<-127.0.0.1.heaps_missing"), metric(id, "rawstream." + SOURCE + ".datagramGaps"), kernelDrops);
        System.out.printf("overload %s: sent %d heaps of 1 MiB at %.0f MiB/s into a %.0f MiB/s sink: committed complete %d, "
                + "committed incomplete %d, shed %d (%d packets shed at the source, %d per heap), counted incomplete %d, "
                + "refused %d, missing %d, hand-over max %d MiB; kernel drops %d in %d gaps%n", sourceSettings, sent,
                SEND_BYTES_PER_SECOND / (1 << 20), SINK_BYTES_PER_SECOND / (1 << 20), committedComplete,
                committedIncomplete, r.shed, r.packetsShed, PACKETS_PER_HEAP, r.incomplete, r.refused, r.missing,
                metric(id, "rawstream." + SOURCE + ".handoverBytesMax") >> 20, kernelDrops, r.gaps);
        assertThat(metric(id, "numRestarts")).isZero();
        return r;
    }

    private static long metric(JobID job, String suffix) {
        return SpeadPipelineITCase.metric(REPORTER, job, suffix);
    }

    /** 1 MiB heaps (counters from 1) for SEND_MILLIS at SEND_BYTES_PER_SECOND; returns the heaps sent. */
    private static long send(int port) throws Exception {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(new InetSocketAddress("127.0.0.1", port));
            ByteBuffer b = ByteBuffer.allocate(8972);
            Pacer pacer = new Pacer(SEND_BYTES_PER_SECOND);
            long end = System.currentTimeMillis() + SEND_MILLIS;
            long cnt = 0;
            while (System.currentTimeMillis() < end) {
                cnt++;
                SpeadJobTestSupport.sendHeap(ch, b, pacer, cnt, HEAP, (c, o) -> (byte) 0);
            }
            return cnt;
        }
    }
}
