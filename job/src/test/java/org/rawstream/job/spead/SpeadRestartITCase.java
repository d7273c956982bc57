package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.job.spead.SpeadJobTestSupport.DEADLINE;
import static org.rawstream.job.spead.SpeadJobTestSupport.SOURCE;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.sources.net.Ports;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadVectors;
import org.rawstream.sources.spead.SpeadPacket;
import org.rawstream.sources.transport.Pacer;

/**
 * The job fails (its TaskManager is killed) with half-received heaps in keyed state; after the
 * restore from the last checkpoint those heaps complete when their remaining packets arrive.
 */
class SpeadRestartITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SpeadJobTestSupport.miniCluster(REPORTER);

    @TempDir
    Path out;

    private static void await(String what, LongSupplier value, long atLeast) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (value.getAsLong() < atLeast) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            LockSupport.parkNanos(20_000_000L); // poll interval
        }
    }

    private static void send(DatagramChannel ch, List<byte[]> packets) throws java.io.IOException {
        Pacer pacer = new Pacer(10e6);
        for (byte[] p : packets) {
            pacer.acquire(p.length);
            ch.write(ByteBuffer.wrap(p));
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void partialHeapsSurviveAFailureAndCompleteAfterRestore(@InjectMiniCluster MiniCluster cluster) throws Exception {
        int port = Ports.freeUdpPort();
        Settings s = SpeadJobTestSupport.settings(out, SOURCE, "spead-udp", port, "1", java.util.Map.of(
                "source." + SOURCE + ".stop-when-idle", "3s",
                "source." + SOURCE + ".heap-timeout", "10min",
                "source." + SOURCE + ".reorder-timeout", "10min"));
        JobConfig config = JobConfig.from(s);
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "5");
        conf.setString("restart-strategy.fixed-delay.delay", "200ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(Duration.ofHours(1).toMillis()); // only the checkpoint triggered below
        RawStreamPipeline.build(env, config);
        JobClient job = env.executeAsync("spead-restart-it");
        JobID id = job.getJobID();
        Ports.awaitUdpBound(port, 1, DEADLINE);

        // Every heap but the last packet of each; the stop heap held back too.
        List<byte[]> all = SpeadVectors.packets(SpeadVectors.bin("shuffled"));
        List<String> expected = SpeadJobTestSupport.expectedMessages(all, SpeadAssemblyConfig.defaults());
        List<byte[]> first = new ArrayList<>();
        List<byte[]> rest = new ArrayList<>();
        SpeadPacket p = new SpeadPacket();
        for (int i = 0; i < all.size(); i++) {
            byte[] b = all.get(i);
            p.decodeDatagram(ByteBuffer.wrap(b), 0, b.length);
            long cnt = p.heapCnt();
            boolean lastOfHeap = true;
            for (int k = i + 1; k < all.size(); k++) {
                byte[] n = all.get(k);
                SpeadPacket q = new SpeadPacket();
                q.decodeDatagram(ByteBuffer.wrap(n), 0, n.length);
                if (q.heapCnt() == cnt) {
                    lastOfHeap = false;
                    break;
                }
            }
            (lastOfHeap ? rest : first).add(b);
        }
        assertThat(expected).hasSize(8);
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(new InetSocketAddress("127.0.0.1", port));
            send(ch, first);
            await("first packets assembled", () -> SpeadPipelineITCase.metric(REPORTER, id, ".packets"), first.size());
            assertThat(SpeadPipelineITCase.metric(REPORTER, id, ".heaps_completed")).isZero();
            cluster.triggerCheckpoint(id).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

            // Failure: the TaskManager goes away with the job's tasks; a new one takes over.
            cluster.terminateTaskManager(0).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            cluster.startTaskManager();
            await("job restarted", () -> SpeadPipelineITCase.metric(REPORTER, id, "numRestarts"), 1);
            Ports.awaitUdpBound(port, 1, DEADLINE);
            await("source running again", () -> SpeadPipelineITCase.metric(REPORTER, id, SOURCE + ".receiveBufferGranted"), 1);
            send(ch, rest);
        }
        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        List<String> stored = new ArrayList<>();
        for (byte[] m : SpeadJobTestSupport.committedMessages(out, SOURCE)) {
            stored.add(HexFormat.of().formatHex(m));
        }
        assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
    }
}
