package org.rawstream.bench.pcap;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sources.net.DecoderContext;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.pcap.CaptureReplay;
import org.rawstream.sources.pcap.CaptureWriter;
import org.rawstream.sources.pcap.LinkTypes;
import org.rawstream.sources.pcap.ReplayPosition;
import org.rawstream.sources.pcap.ReplaySettings;
import org.rawstream.sources.spead.OutgoingHeap;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadHeapPacketizer;
import org.rawstream.sources.spead.SpeadSender;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.DecodeErrorCounter;
import org.rawstream.sources.transport.NamedCounters;

/**
 * SPEAD heaps to committed raw-HDF5 files, from a capture file and from a socket, in one run:
 *
 * <ol>
 *   <li><b>capture read</b> (the bound for a replay): the capture replayed by plain Java with a
 *       decoder that only counts — the reader, link/IP/UDP parsing, no Flink;</li>
 *   <li><b>pcap → committed</b>: the job with a {@code pcap} source (protocol spead) on that file,
 *       as fast as possible, to committed files;</li>
 *   <li><b>spead-udp → committed</b>: the same heaps sent by {@code SpeadSender} over loopback UDP
 *       to the job with a {@code spead-udp} source, unpaced, to committed files (heaps the socket
 *       lost are reported).</li>
 * </ol>
 * Throughput is heap payload (MB = 10^6 bytes) over wall time from job submission to the job's
 * end (the socket row: minus the idle time that ends its bounded source); rows alternate, median
 * of {@code -Dbench.runs} (default 3). The job's fixed cost (start, final checkpoint, commit) is
 * measured with a one-heap capture and reported beside it: captures must be large against it. {@code -Dbench.heaps} (default
 * 256) heaps of {@code -Dbench.heapSize} (default 1 MiB) in 8972-byte packets;
 * {@code -Dbench.socketGbps} paces the socket sender (default 0 = unpaced). Files go to java.io.tmpdir and
 * are deleted.
 */
public final class PcapBench {
    private static final int PACKET_SIZE = 8972;
    private static final long IDLE_MILLIS = 1000;

    private PcapBench() {
    }

    public static void main(String[] args) throws Exception {
        int heaps = Integer.getInteger("bench.heaps", 256);
        int heapSize = Integer.getInteger("bench.heapSize", 1 << 20);
        int runs = Integer.getInteger("bench.runs", 3);
        Path dir = Files.createTempDirectory("pcap-bench");
        try {
            Path capture = dir.resolve("spead.pcap");
            long packets = writeCapture(capture, heaps, heapSize);
            double payloadMb = (double) heaps * heapSize / 1e6;
            System.out.printf(Locale.ROOT, "capture: %d heaps of %d bytes, %d packets, %.1f MB file%n", heaps, heapSize,
                    packets, Files.size(capture) / 1e6);
            Path tiny = dir.resolve("one-heap.pcap");
            writeCapture(tiny, 1, 4096);
            double socketGbps = Double.parseDouble(System.getProperty("bench.socketGbps", "0"));
            List<Double> startup = new ArrayList<>();
            List<Double> read = new ArrayList<>();
            List<Double> pcap = new ArrayList<>();
            List<Double> socket = new ArrayList<>();
            long socketHeaps = Long.MAX_VALUE;
            for (int r = 0; r < runs; r++) {
                read.add(payloadMb / readOnlySeconds(capture));
                double fixed = pcapJobSeconds(tiny, dir.resolve("out-tiny-" + r), 1);
                startup.add(fixed);
                double total = pcapJobSeconds(capture, dir.resolve("out-pcap-" + r), heaps);
                pcap.add(payloadMb / total);
                long[] committed = new long[1];
                socket.add(payloadMb / socketJobSeconds(dir.resolve("out-udp-" + r), heaps, heapSize, socketGbps, committed));
                socketHeaps = Math.min(socketHeaps, committed[0]);
                System.out.printf(Locale.ROOT, "run %d: read %.0f, pcap %.0f (1-heap job %.1f s), spead-udp %.0f MB/s (%d heaps)%n",
                        r + 1, read.get(r), pcap.get(r), startup.get(r), socket.get(r), committed[0]);
            }
            System.out.println();
            System.out.println("path                               MB/s (median)   runs");
            System.out.printf(Locale.ROOT, "capture read (plain Java, bound)   %12.0f   %s%n", median(read), fmt(read));
            System.out.printf(Locale.ROOT, "pcap -> committed files            %12.0f   %s%n", median(pcap), fmt(pcap));
            System.out.printf(Locale.ROOT, "  (a 1-heap capture's job takes   %12.1f s  %s: start, final checkpoint, commit)%n",
                    median(startup), fmtSeconds(startup));
            System.out.printf(Locale.ROOT, "spead-udp -> committed files       %12.0f   %s   (sender %s; fewest heaps committed: %d of %d)%n",
                    median(socket), fmt(socket), socketGbps == 0 ? "unpaced" : socketGbps + " Gb/s", socketHeaps, heaps + 0L);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String fmt(List<Double> values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            sb.append(String.format(Locale.ROOT, "%.0f ", v));
        }
        return sb.toString().trim();
    }

    private static String fmtSeconds(List<Double> values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            sb.append(String.format(Locale.ROOT, "%.1f ", v));
        }
        return sb.toString().trim();
    }

    private static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    /** The heaps SpeadSender sends (descriptors first, stop heap last), written as UDP datagrams. */
    static long writeCapture(Path capture, int heaps, int heapSize) throws IOException {
        SpeadSender sender = SpeadSender.builder().heapSize(heapSize).packetSize(PACKET_SIZE).heaps(heaps)
                .flavour(SpeadFlavour.SPEAD_64_48).udp("127.0.0.1", 7148).build();
        SpeadHeapPacketizer packetizer = new SpeadHeapPacketizer(PACKET_SIZE);
        InetSocketAddress from = new InetSocketAddress("127.0.0.1", 40000);
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", 7148);
        long[] count = {0};
        byte[] data = new byte[heapSize];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(capture), 1 << 20);
                CaptureWriter w = CaptureWriter.pcap(out, LinkTypes.ETHERNET)) {
            SpeadHeapPacketizer.PacketSink sink = (head, payload) -> {
                byte[] p = new byte[head.remaining() + payload.remaining()];
                head.get(p, 0, head.remaining());
                payload.get(p, p.length - payload.remaining(), payload.remaining());
                w.udp(from, to, p);
                count[0]++;
            };
            for (int i = 0; i < heaps; i++) {
                SpeadSender.fillData(data, i);
                packetizer.packetize(sender.heap(i, data).layout(SpeadFlavour.SPEAD_64_48), 1 + i, sink);
            }
            packetizer.packetize(OutgoingHeap.stop().layout(SpeadFlavour.SPEAD_64_48), 1 + heaps, sink);
        }
        return count[0];
    }

    /** The reader and parsers alone: a datagram decoder that only counts bytes. */
    static double readOnlySeconds(Path capture) throws IOException {
        long[] bytes = {0};
        NetworkProtocol<Object> counting = new NetworkProtocol<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public String name() {
                return "count";
            }

            @Override
            public DatagramDecoder<Object> createDatagramDecoder(DecoderContext context) {
                return (datagram, sender, out, errors) -> bytes[0] += datagram.remaining();
            }
        };
        long start = System.nanoTime();
        CaptureReplay<Object> replay = new CaptureReplay<>("bench", 0, counting, ReplaySettings.builder().build(),
                new CaptureReplay.Counters(new NamedCounters()), new NamedCounters(), new DecodeErrorCounter("bench"));
        replay.open(capture, ReplayPosition.START, (r, t, a, c, u, n) -> { });
        while (replay.advance(4096, 8 << 20) != CaptureReplay.Progress.END) {
            // replay to the end
        }
        replay.close();
        if (bytes[0] == 0) {
            throw new IllegalStateException("nothing read");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static Settings settings(Path out, String type) {
        return JobConfig.defaults()
                .set(JobConfig.OUTPUT_DIR, out.toString(), "bench")
                .set(JobConfig.SOURCES, "sp", "bench")
                .set(JobConfig.PARALLELISM, "1", "bench")
                .set("source.sp.type", type, "bench");
    }

    private static JobClient submit(JobConfig config) throws Exception {
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.enableCheckpointing(1000);
        RawStreamPipeline.build(env, config);
        return env.executeAsync("pcap-bench");
    }

    static double pcapJobSeconds(Path capture, Path out, int heaps) throws Exception {
        Settings s = settings(out, "pcap").set("source.sp.protocol", "spead", "bench")
                .set("source.sp.path", capture.toString(), "bench");
        long start = System.nanoTime();
        submit(JobConfig.from(s)).getJobExecutionResult().get(5, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        long committed = committed(out.resolve("sp"));
        if (committed != heaps) {
            System.out.printf(Locale.ROOT, "note: pcap run committed %d heaps%n", committed);
        }
        return seconds;
    }

    static double socketJobSeconds(Path out, int heaps, int heapSize, double gbps, long[] committedHeaps) throws Exception {
        int port;
        try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        Settings s = settings(out, "spead-udp").set("source.sp.port", Integer.toString(port), "bench")
                .set("source.sp.stop-when-idle", IDLE_MILLIS + "ms", "bench");
        long start = System.nanoTime();
        JobClient job = submit(JobConfig.from(s));
        awaitBound(port);
        SpeadSender.builder().heapSize(heapSize).packetSize(PACKET_SIZE).heaps(heaps).flavour(SpeadFlavour.SPEAD_64_48)
                .rateGbps(gbps).udp("127.0.0.1", port).build().run();
        job.getJobExecutionResult().get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9 - IDLE_MILLIS / 1e3;
        committedHeaps[0] = committed(out.resolve("sp"));
        return seconds;
    }

    /** Waits until the job's socket holds the port (a bind of our own then fails). */
    private static void awaitBound(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
                probe.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (java.net.BindException e) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the job never bound UDP port " + port);
    }

    private static long committed(Path dir) throws IOException {
        long n = 0;
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".h5")
                    && !p.getFileName().toString().startsWith("."))::iterator) {
                try (RawFileReader r = RawFileReader.open(f)) {
                    n += r.count();
                }
            }
        }
        return n;
    }
}
