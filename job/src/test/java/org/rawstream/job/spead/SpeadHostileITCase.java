package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.job.spead.SpeadJobTestSupport.DEADLINE;
import static org.rawstream.job.spead.SpeadJobTestSupport.SOURCE;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
import org.rawstream.sources.net.Ports;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadPacketWriter;
import org.rawstream.sources.spead.StoredHeapCodec;
import org.rawstream.sources.transport.Pacer;

/**
 * Issue 12 on the real job, default memory settings: 256 sender ports send single-packet heaps
 * claiming 16 MiB and the maximum heap size (64 MiB), one byte each, at the start or the end of
 * the claimed heap, interleaved with a legitimate stream of 1 MiB heaps from another address,
 * for 30 s. The old code allocated every claim (and copied it for every checkpoint) and ran out
 * of heap in seconds. Now: no restart, every legitimate heap committed complete and intact,
 * every hostile heap accounted for, and the JVM's heap bounded (printed).
 */
class SpeadHostileITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SpeadJobTestSupport.miniCluster(REPORTER);

    private static final int HOSTILE_PORTS = 256;
    private static final double HOSTILE_HEAPS_PER_SECOND = 8192; // 32 per port per second
    private static final int LEGIT_HEAP = 1 << 20;
    private static final double LEGIT_HEAPS_PER_SECOND = 8;
    private static final long SEND_MILLIS = Long.getLong("rawstream.hostile.seconds", 30) * 1000;
    /** Hostile heap counters start here (legitimate ones at 1), so the file tells them apart. */
    private static final long HOSTILE_CNT = 1L << 40;

    @TempDir
    Path out;

    static byte legitByte(long cnt, long offset) {
        return (byte) (cnt * 131 + offset * 7 + (offset >>> 9));
    }

    private static ByteBuffer packet(long cnt, long size, long offset, int len, ByteBuffer b) {
        SpeadFlavour f = SpeadFlavour.SPEAD_64_48;
        b.clear();
        SpeadPacketWriter.writeHeader(b, f, 4);
        SpeadPacketWriter.writePacketPointers(b, f, cnt, size, offset, len);
        return b;
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void hostileClaimsCostNothingAndTheLegitimateStreamIsKeptWhole() throws Exception {
        int port = Ports.freeUdpPort();
        // Default memory settings: nothing about live-heap memory, streams, hand-over or heap size.
        Settings s = SpeadJobTestSupport.settings(out, SOURCE, "spead-udp", port, "1", Map.of());
        // Not a memory setting: a 5 s heap timeout (default 2 s) so that a stall of this busy
        // machine's task thread does not expire a legitimate heap whose packets wait in the
        // hand-over (hostile heaps leave by the live-heap window long before either timeout).
        s.set("source." + SOURCE + ".heap-timeout", "5s", "test");
        s.set("source." + SOURCE + ".stop-when-idle", "9s", "test"); // heap (5 s) and reorder (2 s) timeouts first
        JobConfig config = JobConfig.from(s);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                FlinkSetup.applyJobSettings(new Configuration(), config));
        env.enableCheckpointing(2000); // snapshots of live heaps while the hostile heaps are there
        RawStreamPipeline.build(env, config);
        JobClient job = env.executeAsync("spead-hostile-it");
        Ports.awaitUdpBound(port, 1, DEADLINE);

        HeapWatch heapWatch = new HeapWatch(port);
        heapWatch.start();
        AtomicLong hostileSent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread hostile = new Thread(() -> sendHostile(port, hostileSent, stop), "hostile senders");
        hostile.start();
        long legitSent;
        try {
            legitSent = sendLegit(port);
        } finally {
            stop.set(true);
            hostile.join(DEADLINE.toMillis());
        }
        job.getJobExecutionResult().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        heapWatch.stop();
        JobID id = job.getJobID();

        // Every legitimate heap committed once, complete, with its bytes.
        List<Long> legit = new ArrayList<>();
        List<String> legitIncomplete = new ArrayList<>();
        long hostileStored = 0;
        for (byte[] m : SpeadJobTestSupport.committedMessages(out, SOURCE)) {
            ReceivedHeap h = StoredHeapCodec.decode(m);
            if (h.heapCnt() >= HOSTILE_CNT) {
                hostileStored++;
                assertThat(h.receivedBytes()).isLessThanOrEqualTo(1);
                continue;
            }
            if (!h.isComplete()) {
                legitIncomplete.add(h.heapCnt() + ": " + h.receivedBytes() + " of " + h.heapSize() + " B");
                continue;
            }
            ByteBuffer p = h.payload();
            for (int o = 0; o < LEGIT_HEAP; o += 4099) {
                assertThat(p.get(o)).isEqualTo(legitByte(h.heapCnt(), o));
            }
            legit.add(h.heapCnt());
        }
        legit.sort(null);
        List<Long> expected = new ArrayList<>();
        for (long c = 1; c <= legitSent; c++) {
            expected.add(c);
        }

        // Counters: the legitimate sender's group (its own address) and the hostile one.
        String legitGroup = "<-127.0.0.2.";
        String hostileGroup = "<-127.0.0.1.";
        long sent = hostileSent.get();
        long incomplete = metric(id, hostileGroup + "heaps_incomplete");
        long refused = metric(id, hostileGroup + "heaps_refused");
        long shed = metric(id, hostileGroup + "heaps_shed");
        long evictedStreams = metric(id, "rawstream." + SOURCE + ".streamsEvicted");
        System.out.printf("hostile: sent %d single-packet heaps from %d ports; incomplete %d (delivered %d), refused %d, "
                + "shed %d; streams evicted %d; legitimate: %d heaps of 1 MiB complete; live-heap bytes max %d; "
                + "JVM heap used max %d MiB, old generation max %d MiB, after GC max %d MiB (-Xmx %d MiB); "
                + "kernel drops %d; legitimate: in files %d, incomplete %s, metrics completed %d, refused %d, shed %d, "
                + "evicted %d, expired %d, flushed %d%n", sent,
                HOSTILE_PORTS, incomplete, hostileStored, refused, shed, evictedStreams, legitSent,
                metric(id, "rawstream." + SOURCE + ".liveHeapBytesMax"), heapWatch.maxUsed >> 20, heapWatch.maxOld >> 20,
                heapWatch.maxAfterGc >> 20, Runtime.getRuntime().maxMemory() >> 20, heapWatch.kernelDrops, legit.size(),
                legitIncomplete, metric(id, legitGroup + "heaps_completed"), metric(id, legitGroup + "heaps_refused"),
                metric(id, legitGroup + "heaps_shed"),
                metric(id, legitGroup + "heaps_incomplete_evicted"), metric(id, legitGroup + "heaps_incomplete_expired"),
                metric(id, legitGroup + "heaps_incomplete_flushed"));
        // The hostile heaps cost the legitimate stream nothing: none refused, none incomplete. (If
        // the machine is so busy that the pipeline falls behind, the receiving thread sheds whole
        // heaps of every stream: counted, never partial; 0 on a machine that keeps up.)
        long legitShed = metric(id, legitGroup + "heaps_shed");
        assertThat(metric(id, legitGroup + "heaps_refused")).isZero();
        assertThat(metric(id, legitGroup + "heaps_incomplete")).isZero();
        assertThat(legitIncomplete).isEmpty();
        assertThat(metric(id, legitGroup + "heaps_completed")).isEqualTo(legit.size());
        assertThat(legit.size() + legitShed).isEqualTo(legitSent);
        if (legitShed == 0) {
            assertThat(legit).isEqualTo(expected);
        }
        assertThat(incomplete + refused + shed).as("every hostile heap accounted for").isEqualTo(sent);
        assertThat(metric(id, hostileGroup + "heaps_completed")).isZero();
        assertThat(metric(id, "numRestarts")).isZero();
        // Bounded: the live heaps' budget (256 MiB) is far from spent, and the JVM's heap after a
        // collection stays well below the test JVM's maximum (the old code needed 1.4 GB per port).
        assertThat(metric(id, "rawstream." + SOURCE + ".liveHeapBytesMax")).isLessThan(256L << 20);
        assertThat(heapWatch.maxAfterGc).isLessThan(1L << 30);
        assertThat(heapWatch.maxOld).isLessThan(1L << 30);
    }

    private static long metric(JobID job, String suffix) {
        return SpeadPipelineITCase.metric(REPORTER, job, suffix);
    }

    /** 1 MiB heaps from 127.0.0.2 for SEND_MILLIS; returns how many were sent. */
    private static long sendLegit(int port) throws Exception {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress("127.0.0.2", 0));
            ch.connect(new InetSocketAddress("127.0.0.1", port));
            ByteBuffer b = ByteBuffer.allocate(8972);
            Pacer pacer = new Pacer(LEGIT_HEAPS_PER_SECOND * LEGIT_HEAP);
            long end = System.currentTimeMillis() + SEND_MILLIS;
            long cnt = 0;
            while (System.currentTimeMillis() < end) {
                cnt++;
                SpeadJobTestSupport.sendHeap(ch, b, pacer, cnt, LEGIT_HEAP, SpeadHostileITCase::legitByte);
            }
            return cnt;
        }
    }

    /** Single-packet heaps, one byte each, claiming 16 MiB or 64 MiB, round robin over the ports. */
    private static void sendHostile(int port, AtomicLong sent, AtomicBoolean stop) {
        List<DatagramChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < HOSTILE_PORTS; i++) {
                DatagramChannel ch = DatagramChannel.open();
                ch.bind(new InetSocketAddress("127.0.0.1", 0));
                ch.connect(new InetSocketAddress("127.0.0.1", port));
                channels.add(ch);
            }
            ByteBuffer b = ByteBuffer.allocate(64);
            Pacer pacer = new Pacer(HOSTILE_HEAPS_PER_SECOND);
            long k = 0;
            while (!stop.get()) {
                long claim = (k & 1) == 0 ? 16L << 20 : 64L << 20;
                long offset = (k & 2) == 0 ? 0 : claim - 1;
                packet(HOSTILE_CNT + k, claim, offset, 1, b).put((byte) 0x41).flip();
                pacer.acquire(1);
                channels.get((int) (k % HOSTILE_PORTS)).write(b);
                k++;
                sent.set(k);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            for (DatagramChannel ch : channels) {
                try {
                    ch.close();
                } catch (Exception ignored) {
                    // closing
                }
            }
        }
    }

    /** Samples the JVM's heap (the MiniCluster runs in this JVM): used, old generation, and what collections left. */
    private static final class HeapWatch {
        volatile long maxUsed;
        volatile long maxOld;
        volatile long maxAfterGc;
        /** Datagrams the kernel dropped on the job's socket (its receive buffer was full), from /proc/net/udp. */
        volatile long kernelDrops;
        private final int port;
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heap watch");
            t.setDaemon(true);
            return t;
        });

        HeapWatch(int port) {
            this.port = port;
        }

        void start() {
            sampler.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            sampler.shutdown();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        }

        private void sample() {
            maxUsed = Math.max(maxUsed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            long afterGc = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                    afterGc += pool.getCollectionUsage().getUsed();
                }
                if (pool.getType() == MemoryType.HEAP && pool.getName().contains("Old Gen")) {
                    maxOld = Math.max(maxOld, pool.getUsage().getUsed());
                }
            }
            maxAfterGc = Math.max(maxAfterGc, afterGc);
            kernelDrops = Math.max(kernelDrops, SpeadJobTestSupport.kernelDrops(port));
        }
    }
}
