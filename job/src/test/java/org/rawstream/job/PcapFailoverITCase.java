package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.sinks.sink.RawMessageTypeInfo;
import org.rawstream.sources.pcap.CaptureWriter;
import org.rawstream.sources.pcap.LinkTypes;
import org.rawstream.sources.pcap.PacketHeaders;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadPacketWriter;

/**
 * Must-show 3: a SPEAD capture (two UDP senders with colliding heap counters, and a series of TCP
 * connections carrying two-packet heaps, interleaved) replayed at its recorded pace; an operator
 * throws once after a completed checkpoint, mid-file; Flink restores the pcap source at its
 * checkpointed position → every heap of the file is committed exactly once (SHA-256 multiset via
 * h5py), no in-progress file is left.
 */
class PcapFailoverITCase {
    static final int HEAPS_PER_UDP_SENDER = 2000;
    static final int TCP_CONNECTIONS = 40;
    static final int HEAPS_PER_CONNECTION = 50;
    static final int IO_GROUP = 5;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path tmp;

    private static byte[] packet(long cnt, int size, int offset, int len) {
        SpeadFlavour f = SpeadFlavour.SPEAD_64_48;
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * 4 + len);
        SpeadPacketWriter.writeHeader(b, f, 4);
        SpeadPacketWriter.writePacketPointers(b, f, cnt, size, offset, len);
        for (int i = 0; i < len; i++) {
            b.put((byte) (cnt * 7 + offset + i));
        }
        return b.array();
    }

    /** What the job's keyed operators store for one stream's packets (the reference). */
    private static void expect(List<byte[]> packets, SpeadAssemblyConfig config, Map<String, Integer> into) throws Exception {
        for (byte[] m : org.rawstream.job.spead.SpeadOperatorRun.stored(packets, config)) {
            into.merge(OutputCheck.sha256(m), 1, Integer::sum);
        }
    }

    @Test
    void failureMidFileStillCommitsEveryHeapOfTheFileExactlyOnce() throws Exception {
        Path capture = tmp.resolve("run.pcap");
        InetSocketAddress endpoint = new InetSocketAddress("127.0.0.1", 7148);
        InetSocketAddress a = new InetSocketAddress("127.0.0.2", 5000);
        InetSocketAddress b = new InetSocketAddress("127.0.0.3", 5000);
        List<byte[]> fromA = new ArrayList<>();
        List<byte[]> fromB = new ArrayList<>();
        Map<String, Integer> expected = new HashMap<>();
        SpeadAssemblyConfig config = SpeadAssemblyConfig.builder().heapTimeoutMillis(30_000).build();
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(capture));
                CaptureWriter w = CaptureWriter.pcap(file, LinkTypes.LINUX_SLL2)) {
            w.step(400_000); // 0.4 ms apart: ~3 s at the recorded pace, so checkpoints happen mid-file
            int connection = 0;
            for (int cnt = 1; cnt <= HEAPS_PER_UDP_SENDER; cnt++) {
                byte[] pa = packet(cnt, 600, 0, 600);
                byte[] pb = packet(cnt, 300, 0, 300); // same heap counters, other content
                w.udp(a, endpoint, pa);
                w.udp(b, endpoint, pb);
                fromA.add(pa);
                fromB.add(pb);
                if (cnt % (HEAPS_PER_UDP_SENDER / TCP_CONNECTIONS) == 0 && connection < TCP_CONNECTIONS) {
                    // A short TCP connection between the datagrams: two-packet heaps, odd segmenting.
                    List<byte[]> packets = new ArrayList<>();
                    java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
                    for (int h = 1; h <= HEAPS_PER_CONNECTION; h++) {
                        long heap = (long) connection * 1000 + h;
                        for (byte[] p : List.of(packet(heap, 800, 0, 400), packet(heap, 800, 400, 400))) {
                            packets.add(p);
                            stream.write(p, 0, p.length);
                        }
                    }
                    w.tcpConnection(new InetSocketAddress("127.0.0.4", 30_000 + connection), endpoint,
                            connection * 1_000_003L, stream.toByteArray(), 1000);
                    expect(packets, config, expected);
                    connection++;
                }
            }
        }
        expect(fromA, config, expected);
        expect(fromB, config, expected);
        assertThat(expected).hasSize(2 * HEAPS_PER_UDP_SENDER + TCP_CONNECTIONS * HEAPS_PER_CONNECTION);

        Path out = tmp.resolve("out");
        Settings s = JobConfig.defaults()
                .set(JobConfig.SOURCES, "cap", "test")
                .set(JobConfig.OUTPUT_DIR, out.toString(), "test")
                .set(JobConfig.PARALLELISM, "2", "test")
                .set(JobConfig.ROLL_MAX_RECORDS, "1500", "test")
                .set("source.cap.type", "pcap", "test")
                .set("source.cap.protocol", "spead", "test")
                .set("source.cap.io-group", Integer.toString(IO_GROUP), "test")
                .set("source.cap.path", capture.toString(), "test")
                .set("source.cap.port", "7148", "test")
                .set("source.cap.speed", "1", "test")
                .set("source.cap.heap-timeout", "30s", "test");
        JobConfig config2 = JobConfig.from(s);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(TestJobs.jobConfiguration(config2, 300));
        ExactlyOnceFailoverITCase.FailOnceAfterCheckpoint.FAILED.set(false);
        RawStreamPipeline.sinkTo(RawStreamPipeline.sources(env, config2)
                .map(new ExactlyOnceFailoverITCase.FailOnceAfterCheckpoint(1000), RawMessageTypeInfo.INSTANCE).uid("fail-once"), config2);
        env.execute("pcap failover");

        assertThat(ExactlyOnceFailoverITCase.FailOnceAfterCheckpoint.FAILED).as("the failure was injected").isTrue();
        Path dir = out.resolve("cap");
        assertThat(OutputCheck.hiddenFiles(dir)).as("no in-progress file left").isEmpty();
        List<Path> files = OutputCheck.committedFiles(dir);
        List<JsonNode> summaries = OutputCheck.h5pySummaries(files, tmp);
        OutputCheck.assertExactlyOnce(OutputCheck.messageMultiset(summaries, IO_GROUP, "spead", "4.0"), expected);
    }
}
