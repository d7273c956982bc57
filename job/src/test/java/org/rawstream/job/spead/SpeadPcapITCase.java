package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.job.spead.SpeadJobTestSupport.SOURCE;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
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
import org.rawstream.sources.pcap.CaptureWriter;
import org.rawstream.sources.pcap.LinkTypes;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadVectors;
import org.rawstream.sources.spead.StoredHeapCodec;

/**
 * Must-show 2: every SPEAD vector written into one capture — over UDP from two senders with the
 * same heap counters (interleaved packet by packet) and over TCP — replayed by a {@code pcap}
 * source gives exactly the heaps of each flow: the bytes the plain-Java assembler stores, and the
 * complete heaps of the vector's .json manifest (spead2's receiver) for each flow.
 */
class SpeadPcapITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SpeadJobTestSupport.miniCluster(REPORTER);

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyVectorOverUdpAndTcpInOneCaptureGivesItsHeapsPerFlow() throws Exception {
        Path capture = tmp.resolve("vectors.pcap");
        InetSocketAddress endpoint = new InetSocketAddress("127.0.0.1", 7148);
        SpeadAssemblyConfig config = SpeadAssemblyConfig.builder().maxLiveHeaps(64).heapTimeoutMillis(30_000).build();
        List<String> expected = new ArrayList<>();
        List<String> expectedComplete = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        List<String> names = SpeadVectors.names();
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(capture));
                CaptureWriter w = CaptureWriter.pcap(file, LinkTypes.ETHERNET)) {
            for (int i = 0; i < names.size(); i++) {
                byte[] stream = SpeadVectors.bin(names.get(i));
                List<byte[]> packets = SpeadVectors.packets(stream);
                List<String> heaps = SpeadJobTestSupport.expectedMessages(packets, config);
                JsonNode manifest = json.readTree(SpeadVectors.dir().resolve(names.get(i) + ".json").toFile());
                List<String> complete = new ArrayList<>();
                for (JsonNode heap : manifest.get("expected_heaps")) {
                    if (heap.get("complete").asBoolean()) {
                        complete.add(names.get(i) + " " + heap.get("cnt").asLong());
                    }
                }
                // Two UDP senders with colliding heap counters, packet by packet, then a TCP connection.
                InetSocketAddress a = new InetSocketAddress("127.0.0.2", 10_000 + i);
                InetSocketAddress b = new InetSocketAddress("127.0.0.3", 10_000 + i);
                for (byte[] p : packets) {
                    w.udp(a, endpoint, p);
                    w.udp(b, endpoint, p);
                }
                w.tcpConnection(new InetSocketAddress("127.0.0.2", 20_000 + i), endpoint, 0xFFFF0000L + i * 7919L, stream,
                        1448);
                for (int flow = 0; flow < 3; flow++) {
                    expected.addAll(heaps);
                    expectedComplete.addAll(complete);
                }
            }
        }
        Settings s = SpeadJobTestSupport.settings(tmp.resolve("out"), SOURCE, "pcap", 7148, "2", Map.of(
                "source." + SOURCE + ".protocol", "spead",
                "source." + SOURCE + ".path", capture.toString(),
                "source." + SOURCE + ".heap-timeout", "30s",
                "source." + SOURCE + ".substreams", "3"));
        JobConfig job = JobConfig.from(s);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                FlinkSetup.applyJobSettings(new Configuration(), job));
        env.enableCheckpointing(500);
        RawStreamPipeline.build(env, job);
        env.execute("spead-pcap-vectors");

        List<byte[]> stored = SpeadJobTestSupport.committedMessages(tmp.resolve("out"), SOURCE);
        List<String> storedHex = new ArrayList<>();
        for (byte[] m : stored) {
            storedHex.add(HexFormat.of().formatHex(m));
        }
        assertThat(storedHex).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
        // What each flow stored is what the plain-Java assembler stores for the vector (above); its
        // complete heaps are the manifest's (spead2's receiver), decoded from the stored form.
        // (Vectors share heaps byte for byte, so this is checked per vector, not per stored file.)
        List<String> assembledComplete = new ArrayList<>();
        for (String name : names) {
            for (String hex : SpeadJobTestSupport.expectedMessages(SpeadVectors.packets(SpeadVectors.bin(name)),
                    config)) {
                ReceivedHeap heap = StoredHeapCodec.decode(HexFormat.of().parseHex(hex));
                if (heap.isComplete()) {
                    for (int flow = 0; flow < 3; flow++) {
                        assembledComplete.add(name + " " + heap.heapCnt());
                    }
                }
            }
        }
        assertThat(assembledComplete).containsExactlyInAnyOrderElementsOf(expectedComplete);
    }
}
