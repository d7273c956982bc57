package org.rawstream.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sources.odin.OdinEvent;
import org.rawstream.sources.odin.OdinOutput;
import org.rawstream.sources.odin.OdinPackets;
import org.rawstream.sources.odin.OdinPacketType;
import org.rawstream.sources.odin.OdinReceiver;
import org.rawstream.sources.odin.OdinReceiverConfig;
import org.rawstream.sources.odin.OdinSchema;
import org.rawstream.sources.odin.OdinSender;
import org.rawstream.sources.odin.OdinTypeDescriptor;
import org.rawstream.sources.transport.UdpOptions;

/**
 * ODIN-Stream over UDP, 64-byte data packets, {@link OdinSender} at a ladder of rates for
 * {@code bench.seconds} (default 20) each: into the job (odin-udp source, keyed schema join,
 * raw-HDF5 sink on a local MiniCluster, packets counted in the committed files) and, alternating
 * at each rate, into the plain-Java baseline (one thread: DatagramChannel + {@link OdinReceiver},
 * no Flink, no files). A rate is lossless when every packet sent is stored (job) or accepted
 * (baseline), a 3 s warm-up at 1000 packets/s included. Prints a table and the highest lossless
 * rate of each. See bench/README.md.
 */
public final class OdinUdpBench {

    private static final int PACKET_BYTES = 64;

    private OdinUdpBench() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.getLong("bench.seconds", 20);
        int parallelism = Integer.getInteger("bench.parallelism", 1);
        List<Double> rates = new ArrayList<>();
        for (String r : System.getProperty("bench.rates", "20000,50000,100000,150000,200000").split(",")) {
            rates.add(Double.parseDouble(r.trim()));
        }
        System.out.printf(Locale.ROOT, "ODIN over UDP, %d-byte data packets, %d s per run, job parallelism %d%n",
                PACKET_BYTES, seconds, parallelism);
        System.out.printf(Locale.ROOT, "%12s | %-40s | %-40s%n", "target/s", "plain-Java receiver (sent/got, achieved/s)",
                "job (sent/stored, achieved/s)");
        double bestBaseline = 0;
        double bestJob = 0;
        boolean baselineLossy = false;
        boolean jobLossy = false;
        for (double rate : rates) {
            String baselineCell = "-";
            if (!baselineLossy) {
                long[] r = baseline(rate, seconds);
                baselineLossy = r[1] != r[0];
                if (!baselineLossy) {
                    bestBaseline = rate;
                }
                baselineCell = cell(r);
            }
            String jobCell = "-";
            if (!jobLossy) {
                long[] r = job(rate, seconds, parallelism);
                jobLossy = r[1] != r[0];
                if (!jobLossy) {
                    bestJob = rate;
                }
                jobCell = cell(r);
            }
            System.out.printf(Locale.ROOT, "%12.0f | %-40s | %-40s%n", rate, baselineCell, jobCell);
            if (baselineLossy && jobLossy) {
                break;
            }
        }
        System.out.printf(Locale.ROOT, "highest lossless rate tried: plain-Java receiver %.0f packets/s, job %.0f packets/s%n",
                bestBaseline, bestJob);
    }

    private static String cell(long[] r) {
        return String.format(Locale.ROOT, "%d/%d %s, %d/s", r[0], r[1], r[0] == r[1] ? "lossless" : "LOSS", r[2]);
    }

    private static OdinSender sender(int port, double rate, long seconds) {
        return OdinSender.builder().port(port).rate(rate).count(Long.MAX_VALUE).duration(Duration.ofSeconds(seconds))
                .dataPacketLength(PACKET_BYTES).schemaEvery(10_000).eventEvery(10_000).build();
    }

    /**
     * 3 s at 1000 packets/s before the measured run: the job loads the native HDF5 library and
     * opens its first file, both receivers get JIT-compiled. These packets count too.
     */
    private static OdinSender.Result warmUp(int port) throws IOException {
        return sender(port, 1000, 3).run();
    }

    /** {sent packets, accepted packets, achieved data rate}. */
    private static long[] baseline(double rate, long seconds) throws Exception {
        AtomicLong accepted = new AtomicLong();
        try (DatagramChannel socket = DatagramChannel.open(); Selector selector = Selector.open()) {
            socket.setOption(StandardSocketOptions.SO_RCVBUF, UdpOptions.DEFAULT_RECEIVE_BUFFER_BYTES);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            socket.configureBlocking(false);
            socket.register(selector, SelectionKey.OP_READ);
            int port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
            OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), new CountingOutput(accepted));
            Thread thread = new Thread(() -> receive(socket, selector, receiver), "odin-baseline-receiver");
            thread.start();
            OdinSender.Result warm = warmUp(port);
            OdinSender.Result sent = sender(port, rate, seconds).run();
            thread.join();
            return new long[] {warm.packets() + sent.packets(), accepted.get(), (long) sent.dataRate()};
        }
    }

    /** Receives until 1 s passes without a datagram (after the first). */
    private static void receive(DatagramChannel socket, Selector selector, OdinReceiver receiver) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
        long lastData = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            while (System.nanoTime() - lastData < TimeUnit.SECONDS.toNanos(1)) {
                selector.select(100);
                selector.selectedKeys().clear();
                while (socket.receive(buffer.clear()) != null) {
                    receiver.accept(buffer.flip(), System.currentTimeMillis());
                    lastData = System.nanoTime();
                }
            }
            receiver.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {sent packets, stored packets, achieved data rate}. */
    private static long[] job(double rate, long seconds, int parallelism) throws Exception {
        Path out = Files.createTempDirectory("odin-bench");
        int port;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        Settings settings = JobConfig.defaults()
                .set(JobConfig.OUTPUT_DIR, out.toString(), "bench")
                .set(JobConfig.SOURCES, "odin", "bench")
                .set(JobConfig.PARALLELISM, String.valueOf(parallelism), "bench")
                .set(JobConfig.CHECKPOINT_INTERVAL, "5s", "bench")
                .set(JobConfig.BATCH_MAX_MESSAGES, System.getProperty("bench.batch", "1000"), "bench")
                .set("source.odin.type", "odin-udp", "bench")
                .set("source.odin.port", String.valueOf(port), "bench")
                .set("source.odin.stop-when-idle", "2s", "bench")
                .set("source.odin.values-log-interval", "0s", "bench");
        JobConfig config = JobConfig.from(settings);
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        RawStreamPipeline.build(env, config);
        try {
            JobClient job = env.executeAsync("odin-udp-bench");
            awaitUdpBound(port);
            OdinSender.Result warm = warmUp(port);
            OdinSender.Result sent = sender(port, rate, seconds).run();
            job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
            return new long[] {warm.packets() + sent.packets(), storedMessages(out.resolve("odin")), (long) sent.dataRate()};
        } finally {
            deleteTree(out);
        }
    }

    private static long storedMessages(Path dir) throws IOException {
        long count = 0;
        List<Integer> sequences = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                try (RawFileReader reader = RawFileReader.open(file)) {
                    count += reader.count();
                    for (byte[] m : reader.messages(0, reader.count())) {
                        if (m[0] == 2) {
                            sequences.add(OdinPackets.sequence(ByteBuffer.wrap(m)));
                        }
                    }
                }
            }
        }
        if (Boolean.getBoolean("bench.gaps")) {
            // (the warm-up sender's sequence restarts at 0 when the measured run starts: one jump)
            StringBuilder gaps = new StringBuilder();
            for (int i = 1; i < sequences.size(); i++) {
                int step = (sequences.get(i) - sequences.get(i - 1)) & 0xFFFF;
                if (step != 1) {
                    gaps.append(" at#").append(i).append(":+").append(step - 1);
                }
            }
            System.out.println("  job gaps (stored data index: missing):" + gaps);
        }
        return count;
    }

    /** Polls /proc/net/udp until something is bound to {@code port} (the job's source). */
    private static void awaitUdpBound(int port) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X ", port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.readAllLines(Path.of("/proc/net/udp")).stream().noneMatch(l -> l.contains(local))) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the job did not bind UDP port " + port);
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Counts accepted packets (the raw output), nothing else: the baseline keeps no records. */
    private static final class CountingOutput implements OdinOutput {
        private final AtomicLong packets;

        CountingOutput(AtomicLong packets) {
            this.packets = packets;
        }

        @Override
        public void packet(OdinPacketType type, int identifier, ByteBuffer packet) {
            packets.incrementAndGet();
        }

        @Override
        public void data(OdinSchema schema, Map<Integer, OdinTypeDescriptor> types, ByteBuffer packet) {
        }

        @Override
        public void event(OdinEvent event) {
        }
    }
}
