package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.job.spead.SpeadJobTestSupport.DEADLINE;
import static org.rawstream.job.spead.SpeadJobTestSupport.SOURCE;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
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
import org.rawstream.job.source.JobMetrics;
import org.rawstream.sources.net.Ports;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadVectors;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadItemIds;
import org.rawstream.sources.spead.SpeadPacketWriter;
import org.rawstream.sources.transport.Pacer;

/**
 * The real job pipeline (SourceKind → heap assembly → ordering → raw-HDF5 sink) on a MiniCluster,
 * fed over loopback sockets: every vector file over UDP and over TCP, and bad input.
 */
class SpeadPipelineITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SpeadJobTestSupport.miniCluster(REPORTER);

    @TempDir
    Path out;

    private JobClient start(String type, int port, Map<String, String> extra) throws Exception {
        Settings s = SpeadJobTestSupport.settings(out, SOURCE, type, port, "2", extra);
        s.set("source." + SOURCE + ".stop-when-idle", "2s", "test");
        s.set("source." + SOURCE + ".heap-timeout", "30s", "test");
        JobConfig config = JobConfig.from(s);
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(500);
        RawStreamPipeline.build(env, config);
        JobClient job = env.executeAsync("spead-it");
        if (type.endsWith("udp")) {
            Ports.awaitUdpBound(port, 1, DEADLINE);
        } else {
            Ports.awaitTcpListening(port, DEADLINE);
        }
        return job;
    }

    private static SpeadAssemblyConfig jobAssemblyConfig() {
        return SpeadAssemblyConfig.builder().maxLiveHeaps(64).heapTimeoutMillis(30_000).build();
    }

    private static List<String> hex(List<byte[]> messages) {
        List<String> h = new ArrayList<>();
        for (byte[] m : messages) {
            h.add(HexFormat.of().formatHex(m));
        }
        return h;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyVectorOverUdpIsStoredAsAssembled() throws Exception {
        int port = Ports.freeUdpPort();
        JobClient job = start("spead-udp", port, Map.of());
        List<String> expected = new ArrayList<>();
        for (String name : SpeadVectors.names()) {
            List<byte[]> packets = SpeadVectors.packets(SpeadVectors.bin(name));
            expected.addAll(SpeadJobTestSupport.expectedMessages(packets, jobAssemblyConfig()));
            // One socket per file: each file is its own stream (sender address and port).
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.connect(new InetSocketAddress("127.0.0.1", port));
                Pacer pacer = new Pacer(20e6); // 160 Mb/s: below what a 4 MiB socket buffer absorbs
                for (byte[] p : packets) {
                    pacer.acquire(p.length);
                    ch.write(ByteBuffer.wrap(p));
                }
            }
        }
        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        List<String> stored = hex(SpeadJobTestSupport.committedMessages(out, SOURCE));
        assertThat(stored).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyVectorOverTcpIsStoredAsAssembled() throws Exception {
        int port = Ports.freeTcpPort();
        // The keyBy variant of heap assembly (UDP above runs it chained to the source), with each
        // stream's heaps spread over three substreams.
        JobClient job = start("spead-tcp", port, Map.of("source." + SOURCE + ".chain-assembly", "false",
                "source." + SOURCE + ".substreams", "3"));
        List<String> expected = new ArrayList<>();
        for (String name : SpeadVectors.names()) {
            byte[] stream = SpeadVectors.bin(name);
            expected.addAll(SpeadJobTestSupport.expectedMessages(SpeadVectors.packets(stream), jobAssemblyConfig()));
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                ByteBuffer b = ByteBuffer.wrap(stream);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        List<String> stored = hex(SpeadJobTestSupport.committedMessages(out, SOURCE));
        assertThat(stored).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static byte[] packet(long cnt, long size, long offset, int len, long... extra) {
        SpeadFlavour f = SpeadFlavour.SPEAD_64_48;
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * (4 + extra.length) + len);
        SpeadPacketWriter.writeHeader(b, f, 4 + extra.length);
        SpeadPacketWriter.writePacketPointers(b, f, cnt, size, offset, len);
        for (long e : extra) {
            SpeadPacketWriter.writePointer(b, e);
        }
        return b.array();
    }

    /** Sum of the job's metrics whose identifier ends with {@code suffix} (over subtasks and streams). */
    static long metric(InMemoryReporter reporter, JobID job, String suffix) {
        return JobMetrics.jobMetric(reporter, job, suffix);
    }

    private static long metric(JobID job, String suffix) {
        return metric(REPORTER, job, suffix);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void badInputIsCountedAndDroppedAndMemoryStaysBounded() throws Exception {
        int port = Ports.freeUdpPort();
        JobClient job = start("spead-udp", port, Map.of("source." + SOURCE + ".max-heap-size", "1mb",
                "source." + SOURCE + ".max-live-heaps", "8"));
        List<byte[]> bad = new ArrayList<>();
        byte[] good = packet(1, 100, 0, 50);
        byte[] b = good.clone();
        b[0] = 0x54;
        bad.add(b); // bad magic
        b = good.clone();
        b[1] = 3;
        bad.add(b); // bad version
        b = good.clone();
        b[2] = 4;
        bad.add(b); // bad widths
        bad.add(java.util.Arrays.copyOf(good, 5)); // truncated header
        bad.add(java.util.Arrays.copyOf(good, 20)); // truncated pointers
        bad.add(java.util.Arrays.copyOf(good, good.length - 1)); // payload length mismatch
        bad.add(packet(1, 100, 90, 20)); // offset past the heap size
        bad.add(packet(2, 1L << 40, 0, 10)); // heap size above the maximum
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(new InetSocketAddress("127.0.0.1", port));
            ch.write(ByteBuffer.wrap(good));
            ch.write(ByteBuffer.wrap(packet(1, 100, 50, 50))); // completes heap 1
            ch.write(ByteBuffer.wrap(packet(1, 100, 50, 50))); // duplicate after completion
            ch.write(ByteBuffer.wrap(packet(3, 100, 0, 10)));
            ch.write(ByteBuffer.wrap(packet(3, 200, 50, 10))); // conflicting heap size
            for (byte[] p : bad) {
                ch.write(ByteBuffer.wrap(p));
            }
            // A flood of distinct heap counters: the live-heap window (8) holds.
            Pacer pacer = new Pacer(20_000);
            for (int i = 0; i < 2000; i++) {
                pacer.acquire(1);
                ch.write(ByteBuffer.wrap(packet(1000 + i, 64, 0, 8)));
            }
            ch.write(ByteBuffer.wrap(packet(5000, 1, 0, 1, ItemPointerOf.stop())));
        }
        JobID id = job.getJobID();
        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(metric(id, SOURCE + ".decodeErrors_badMagic")).isEqualTo(1);
        assertThat(metric(id, SOURCE + ".decodeErrors_badVersion")).isEqualTo(1);
        assertThat(metric(id, SOURCE + ".decodeErrors_badWidths")).isEqualTo(1);
        assertThat(metric(id, SOURCE + ".decodeErrors_truncatedHeader")).isEqualTo(1);
        assertThat(metric(id, SOURCE + ".decodeErrors_truncatedPointers")).isEqualTo(1);
        assertThat(metric(id, SOURCE + ".decodeErrors_payloadLengthMismatch")).isEqualTo(1);
        assertThat(metric(id, SOURCE + ".decodeErrors_payloadPastHeapSize")).isEqualTo(1);
        // The same packets per stream (the source forwards a notice of each one it dropped).
        for (String reason : List.of("bad_magic", "bad_version", "bad_widths", "truncated_header", "truncated_pointers",
                "payload_length_mismatch", "payload_past_heap_size")) {
            assertThat(metric(id, ".invalid_" + reason)).as("per-stream invalid_%s", reason).isEqualTo(1);
        }
        assertThat(metric(id, ".invalid_packets")).isEqualTo(9);
        assertThat(metric(id, ".invalid_heap_too_large")).isEqualTo(1);
        assertThat(metric(id, ".invalid_heap_size_conflict")).isEqualTo(1);
        assertThat(metric(id, ".duplicate_packets")).isEqualTo(1);
        // Heap 3 and the 2000 flood heaps stay incomplete: all but the window's 8 are evicted.
        assertThat(metric(id, ".heaps_incomplete_evicted")).isEqualTo(2001 - 8);
        assertThat(metric(id, ".heaps_incomplete_flushed")).isEqualTo(8);
        assertThat(metric(id, ".heaps_completed")).isEqualTo(1);
        assertThat(metric(id, ".stops")).isEqualTo(1);
        assertThat(metric(id, ".heaps_delivered")).isEqualTo(2002);
        assertThat(metric(id, ".incomplete_heaps_delivered")).isEqualTo(2001);
        assertThat(SpeadJobTestSupport.committedMessages(out, SOURCE)).hasSize(2002);
    }

    /** The stop item pointer. */
    private static final class ItemPointerOf {
        static long stop() {
            return org.rawstream.sources.spead.ItemPointers.immediate(SpeadItemIds.STREAM_CTRL, SpeadItemIds.CTRL_STOP,
                    SpeadFlavour.SPEAD_64_48);
        }
    }
}
