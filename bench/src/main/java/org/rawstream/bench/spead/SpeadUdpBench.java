package org.rawstream.bench.spead;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.spead.HeapAssemblyFunction;
import org.rawstream.job.spead.HeapClock;
import org.rawstream.job.spead.SpeadSerializers;
import org.rawstream.job.spead.WriteBackKeyedOperator;
import org.rawstream.job.spead.HeapOrderingFunction;
import org.rawstream.job.spead.SpeadHeapRecord;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.spead.SpeadSourceKind;
import org.rawstream.sinks.rawhdf5.MessageBatch;
import org.rawstream.sinks.rawhdf5.RawFileOptions;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sinks.rawhdf5.RawFileWriter;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;
import org.rawstream.sources.net.NetworkSource;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadPacket;
import org.rawstream.sources.spead.SpeadSender;
import org.rawstream.sources.spead.source.SpeadPacketRecord;
import org.rawstream.sources.spead.source.SpeadProtocol;
import org.rawstream.sources.transport.UdpOptions;

/**
 * SPEAD over UDP loopback, 1 MiB heaps in 8972-byte packets from {@code send-spead}'s sender
 * core, at rising rates. Receivers, measured in the same run and alternated per rate:
 * <ul>
 *   <li>{@code plain}: a minimal plain-Java DatagramChannel receiver (one call per packet) that
 *       counts the packets of each heap — the JVM's ceiling;</li>
 *   <li>{@code keyby}: the job's source + heap assembly + ordering (keyBy shuffles), discarding;</li>
 *   <li>{@code chained}: the same with reinterpretAsKeyedStream (no shuffle; parallelism 1);</li>
 *   <li>{@code chained-rocksdb} (any mode with the suffix {@code -rocksdb}): that mode with keyed
 *       state on RocksDB ({@code state.backend.type: rocksdb}) instead of the heap;</li>
 *   <li>{@code e2e}: the full job into committed raw-HDF5 files.</li>
 * </ul>
 * The senders hand the kernel up to seven packets per call to cut into datagrams (UDP GSO), as
 * spead2's sender does; a mode with the suffix {@code -nogso} (e.g. {@code chained-nogso}) sends
 * one packet per call instead — the same datagrams, more system calls on both sides (a receiver
 * with UDP GRO takes a segmented call's datagrams in one piece).
 * Plus the raw-HDF5 writer's bare throughput with 1 MiB messages, measured right after every e2e row
 * (and compared with it) or once at the end. Prints one table.
 */
public final class SpeadUdpBench {

    static final int HEAP = 1 << 20;
    /** A mode with this suffix runs with keyed state on RocksDB. */
    static final String ROCKSDB_SUFFIX = "-rocksdb";
    /** A mode with this suffix sends one packet per system call (no UDP GSO). */
    static final String NO_GSO_SUFFIX = "-nogso";
    static final int PACKET = 8972;

    /** Heaps delivered by the counting sink (same JVM as the MiniCluster). */
    static final AtomicLong COMPLETE = new AtomicLong();
    static final AtomicLong INCOMPLETE = new AtomicLong();
    /** Extra job settings ({@code --job=batch.max-bytes=16mb,...}), as the job's --set would take them. */
    static final Map<String, String> JOB_SETTINGS = new java.util.LinkedHashMap<>();
    /** Checkpoint (= commit) interval of the job: the job's default unless --checkpoint-interval. */
    static String CHECKPOINT_INTERVAL = "10s";
    /**
     * {@code --fill-page-cache}: before every measured e2e run and writer run, fill the free memory
     * with a clean (written and fsynced) scratch file, kept while the run writes. Every page the
     * run's files need then comes from reclaiming that file's pages — the steady state of a
     * capture machine whose memory is full of page cache. Without it a 20 s run writes into free
     * memory, and on a VM whose host takes freed guest memory back within seconds the kernel's
     * copy into the page cache costs several times more for whichever run starts after a pause
     * (see bench/README.md): two runs of one writer differ by 1.6x.
     */
    static boolean FILL_PAGE_CACHE;
    /** Messages per append of the writer-alone baseline ({@code --writer-batch}, default 16). */
    static int WRITER_BATCH = 16;
    /** {@code -Dbench.verbose=true}: print the job's non-zero rawstream metrics after each run. */
    static final boolean VERBOSE = Boolean.getBoolean("bench.verbose");

    private SpeadUdpBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            opts.put(a.substring(2, eq < 0 ? a.length() : eq), eq < 0 ? "true" : a.substring(eq + 1));
        }
        double[] rates = Stream.of(opts.getOrDefault("rates", "2,4,6,8,10").split(",")).mapToDouble(Double::parseDouble).toArray();
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
        int threads = Integer.parseInt(opts.getOrDefault("threads", "2"));
        List<String> modes = List.of(opts.getOrDefault("modes", "plain,keyby,chained,e2e").split(","));
        double e2eMax = Double.parseDouble(opts.getOrDefault("e2e-max-rate", "4"));
        CHECKPOINT_INTERVAL = opts.getOrDefault("checkpoint-interval", CHECKPOINT_INTERVAL);
        FILL_PAGE_CACHE = opts.containsKey("fill-page-cache");
        WRITER_BATCH = Integer.parseInt(opts.getOrDefault("writer-batch", "16"));
        for (String kv : opts.getOrDefault("job", "").split(",")) {
            if (!kv.isBlank()) {
                JOB_SETTINGS.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        Path work = Files.createTempDirectory("spead-bench");
        System.out.printf(Locale.ROOT, "SPEAD UDP loopback: %d-byte heaps, %d-byte packets, %d s per run, %d sender threads, checkpoint every %s%s%n",
                HEAP, PACKET, seconds, threads, CHECKPOINT_INTERVAL, JOB_SETTINGS.isEmpty() ? "" : ", job settings " + JOB_SETTINGS);
        System.out.printf(Locale.ROOT, "%-15s %6s %8s %8s %8s %9s %7s %9s %8s %8s %9s%n", "receiver", "target", "sent", "complete",
                "lost", "k-drops", "Gb/s", "heaps/s", "cpu(s)", "send-cpu", "rcv-cpu/s");
        int warmup = Integer.parseInt(opts.getOrDefault("warmup-seconds", "5"));
        if (warmup > 0) {
            // JIT-compile every receiver (and load the native HDF5 library) before measuring.
            for (String mode : modes) {
                run(mode, Math.min(1.0, rates[0]), warmup, threads, work);
            }
        }
        for (double rate : rates) {
            for (String mode : modes) {
                if (mode.startsWith("e2e") && rate > e2eMax) {
                    continue; // bounded by the disk: see the writer baseline below
                }
                Row r = run(mode, rate, seconds, threads, work);
                double gbps = r.bytes * 8.0 / r.nanos;
                System.out.printf(Locale.ROOT, "%-15s %6.1f %8d %8d %8d %9d %7.2f %9.1f %8.1f %8.1f %9.2f%n", mode, rate, r.sent,
                        r.complete, r.sent - r.complete, r.kernelDrops, gbps, r.complete / (r.nanos / 1e9),
                        r.cpuNanos / 1e9, r.senderCpuNanos / 1e9, (r.cpuNanos - r.senderCpuNanos) / (double) r.nanos);
                if (mode.startsWith("e2e") && !opts.containsKey("no-writer")) {
                    // The writer's throughput on this VM moves with the page cache and the disk's
                    // state by tens of percent within minutes: the e2e row is compared with the
                    // writer measured right after it, for as long.
                    double writer = writerBaseline(work, seconds);
                    double delivered = gbps * r.complete / r.sent;
                    System.out.printf(Locale.ROOT, "  e2e delivered %.2f Gb/s in complete heaps (%s) = %.2f x the writer alone right after it%n",
                            delivered, r.sent == r.complete ? "lossless" : (r.sent - r.complete) + " heaps lost", delivered / writer);
                }
            }
        }
        if (!opts.containsKey("no-writer") && !modes.contains("e2e")) {
            for (int i = Integer.parseInt(opts.getOrDefault("writer-runs", "1")); i > 0; i--) {
                writerBaseline(work, seconds);
            }
        }
        deleteTree(work);
    }

    /** One measurement. */
    static final class Row {
        long sent;
        long complete;
        long bytes;
        long nanos;
        long cpuNanos;
        long senderCpuNanos;
        /** Datagrams the kernel dropped because the socket's receive buffer was full. */
        long kernelDrops;
    }

    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static Row run(String label, double rate, int seconds, int threads, Path work) throws Exception {
        boolean segmented = !label.endsWith(NO_GSO_SUFFIX);
        String mode = segmented ? label : label.substring(0, label.length() - NO_GSO_SUFFIX.length());
        int port;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        long heapsPerThread = Math.max(1, (long) (rate * 1e9 / 8 * seconds / HEAP / threads));
        COMPLETE.set(0);
        INCOMPLETE.set(0);
        if (FILL_PAGE_CACHE && mode.equals("e2e")) {
            fillPageCache(work);
        }
        Receiver receiver = mode.equals("plain") ? new PlainReceiver(port) : new JobReceiver(mode, port, work);
        receiver.start();
        Thread.sleep(3000); // bench harness: let every task of the job start before traffic
        long cpu0 = processCpu();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong senderCpu = new AtomicLong();
        List<Future<SpeadSender.Result>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            SpeadSender s = SpeadSender.builder().udp("127.0.0.1", port).heapSize(HEAP).packetSize(PACKET)
                    .heaps(heapsPerThread).rateGbps(rate / threads).refillData(false).segmentationOffload(segmented).build();
            results.add(pool.submit(() -> {
                ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                long c = mx.getCurrentThreadCpuTime();
                try {
                    return s.run();
                } finally {
                    senderCpu.addAndGet(mx.getCurrentThreadCpuTime() - c);
                }
            }));
        }
        Row row = new Row();
        for (Future<SpeadSender.Result> f : results) {
            SpeadSender.Result r = f.get();
            row.sent += r.heaps;
            row.bytes += r.bytes;
        }
        row.nanos = System.nanoTime() - t0;
        row.cpuNanos = processCpu() - cpu0;
        row.kernelDrops = kernelDrops(port);
        pool.shutdown();
        row.complete = receiver.finish();
        row.senderCpuNanos = senderCpu.get();
        return row;
    }

    interface Receiver {
        void start() throws Exception;

        /** Waits for the end and returns the complete heaps received. */
        long finish() throws Exception;
    }

    /** The JVM's ceiling: one receive call per packet, counting each heap's payload bytes. */
    static final class PlainReceiver implements Receiver {
        private final int port;
        private final AtomicBoolean stop = new AtomicBoolean();
        private Thread thread;
        private volatile long complete;

        PlainReceiver(int port) {
            this.port = port;
        }

        @Override
        public void start() throws Exception {
            DatagramChannel ch = DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_RCVBUF, UdpOptions.DEFAULT_RECEIVE_BUFFER_BYTES);
            ch.bind(new InetSocketAddress("127.0.0.1", port));
            thread = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(65536);
                SpeadPacket p = new SpeadPacket();
                // Per sender (a stream each), per heap counter: payload bytes received.
                Map<java.net.SocketAddress, Map<Long, long[]>> received = new HashMap<>();
                long done = 0;
                try (ch) {
                    ch.configureBlocking(true);
                    while (!stop.get()) {
                        buf.clear();
                        java.net.SocketAddress from = ch.receive(buf);
                        buf.flip();
                        if (p.decodeDatagram(buf, 0, buf.limit()) && p.heapSize() > 0) {
                            Map<Long, long[]> heaps = received.computeIfAbsent(from, k -> new HashMap<>());
                            long[] got = heaps.computeIfAbsent(p.heapCnt(), k -> new long[1]);
                            got[0] += p.payloadLength();
                            if (got[0] == p.heapSize()) {
                                heaps.remove(p.heapCnt());
                                if (p.heapSize() > 1) {
                                    done++;
                                    complete = done;
                                }
                            }
                        }
                    }
                } catch (java.nio.channels.ClosedByInterruptException e) {
                    // finished
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "plain-receiver");
            thread.start();
        }

        @Override
        public long finish() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            long last = -1;
            while (System.nanoTime() < deadline && complete != last) {
                last = complete;
                Thread.sleep(200); // bench harness: let the last packets drain
            }
            stop.set(true);
            thread.interrupt();
            thread.join(5000);
            return complete;
        }
    }

    /** The job on an embedded MiniCluster (source + assembly [+ sink]). */
    static final class JobReceiver implements Receiver {
        private final String mode;
        private final boolean rocksdb;
        private final int port;
        private final Path out;
        private JobClient job;

        JobReceiver(String mode, int port, Path work) {
            this.rocksdb = mode.endsWith(ROCKSDB_SUFFIX);
            this.mode = rocksdb ? mode.substring(0, mode.length() - ROCKSDB_SUFFIX.length()) : mode;
            this.port = port;
            this.out = work.resolve(mode + "-" + port);
        }

        @Override
        public void start() throws Exception {
            Settings s = JobConfig.defaults();
            s.set(JobConfig.OUTPUT_DIR, out.toString(), "bench");
            s.set(JobConfig.SOURCES, "sp", "bench");
            // keyby: two subtasks, so packets and heaps really cross the shuffles; chained and e2e:
            // one endpoint is one split read by one subtask, the job's default chaining.
            s.set(JobConfig.PARALLELISM, mode.equals("keyby") ? "2" : "1", "bench");
            if (mode.equals("keyby")) {
                s.set("source.sp.chain-assembly", "false", "bench");
            }
            s.set(JobConfig.CHECKPOINT_INTERVAL, CHECKPOINT_INTERVAL, "bench");
            s.set("source.sp.type", "spead-udp", "bench");
            s.set("source.sp.port", String.valueOf(port), "bench");
            s.set("source.sp.stop-when-idle", "3s", "bench");
            s.set("source.sp.heap-timeout", "5s", "bench");
            JOB_SETTINGS.forEach((k, v) -> s.set(k, v, "bench --job"));
            JobConfig config = JobConfig.from(s);
            Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
            conf.set(PipelineOptions.OBJECT_REUSE, true);
            if (rocksdb) {
                conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            }
            // As the job's own runs do: live heaps (MBs) exceed the JobManager's 5 MiB in-memory
            // checkpoint limit, so checkpoints go to files.
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, out.resolveSibling(out.getFileName() + "-checkpoints").toUri().toString());
            conf.setString("metrics.reporter.capture.factory.class", CapturingMetricReporter.class.getName());
            CapturingMetricReporter.clear();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
            env.enableCheckpointing(config.checkpointInterval().orElseThrow().toMillis());
            if (mode.equals("e2e")) {
                RawStreamPipeline.build(env, config);
            } else if (mode.equals("source")) {
                packets(env, config.sources().get(0)).sinkTo(new PacketCountingSink()).name("count");
            } else {
                SourceConfig source = config.sources().get(0);
                messages(env, source, mode.equals("chained")).sinkTo(new CountingSink()).name("count");
            }
            job = env.executeAsync("spead-bench-" + mode);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (udpSockets(port).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("job did not bind port " + port);
                }
                Thread.sleep(50);
            }
        }

        @Override
        public long finish() throws Exception {
            job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
            if (CapturingMetricReporter.restarts() > 0) {
                System.out.println("  WARNING: the job restarted " + CapturingMetricReporter.restarts()
                        + " times during this run (see the log): its figures measure a failover");
            }
            if (VERBOSE) {
                CapturingMetricReporter.nonZero().forEach((k, v) -> System.out.println("    " + k + " = " + v));
            }
            if (!mode.equals("e2e")) {
                if (VERBOSE) {
                    System.out.println("  (" + mode + ": complete " + COMPLETE.get() + ", other " + INCOMPLETE.get() + ")");
                }
                return COMPLETE.get();
            }
            long n = 0;
            long fileCount = 0;
            SpeadPacket p = new SpeadPacket();
            try (Stream<Path> files = Files.walk(out)) {
                for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".h5")
                        && !x.getFileName().toString().startsWith("."))::iterator) {
                    fileCount++;
                    try (RawFileReader r = RawFileReader.open(f)) {
                        for (long i = 0; i < r.count(); i += 64) {
                            for (byte[] b : r.messages(i, Math.min(r.count(), i + 64))) {
                                if (p.decodeFramed(ByteBuffer.wrap(b), 0, b.length) && p.heapOffset() == 0
                                        && p.payloadLength() == p.heapSize() && p.packetLength() == b.length) {
                                    n++;
                                }
                            }
                        }
                    }
                }
            }
            if (fileCount == 0) {
                try (Stream<Path> all = Files.walk(out)) {
                    System.out.println("no committed files; output holds " + all.map(Path::toString).toList());
                }
            }
            deleteTree(out);
            return n;
        }
    }

    /** See {@link #FILL_PAGE_CACHE}: MemAvailable less this JVM's heap limit and 2 GiB, written and fsynced. */
    static void fillPageCache(Path work) throws java.io.IOException {
        Path fill = work.resolve("page-cache-fill");
        Files.deleteIfExists(fill);
        long available = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) {
                available = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        long size = available - Runtime.getRuntime().maxMemory() - (2L << 30);
        if (size <= 0) {
            return;
        }
        java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocateDirect(8 << 20);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(fill,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; written += chunk.capacity()) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
            }
            ch.force(true);
        }
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The rows of /proc/net/udp (split into fields) of the sockets bound to {@code port}. */
    static List<String[]> udpSockets(int port) throws java.io.IOException {
        String local = String.format(Locale.ROOT, ":%04X", port);
        List<String[]> sockets = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 12 && f[1].endsWith(local)) {
                sockets.add(f);
            }
        }
        return sockets;
    }

    /** The "drops" column (the last) of the sockets bound to {@code port}. */
    static long kernelDrops(int port) throws java.io.IOException {
        return udpSockets(port).stream().mapToLong(f -> Long.parseLong(f[f.length - 1])).sum();
    }

    static DataStream<SpeadPacketRecord> packets(StreamExecutionEnvironment env, SourceConfig source) {
        SpeadAssemblyConfig config = SpeadSourceKind.assemblyConfig(source);
        NetworkSource<SpeadPacketRecord> src = NetworkSource.<SpeadPacketRecord>builder().name(source.name())
                .protocol(new SpeadProtocol(1, config.maxPacketSize())).typeInfo(SpeadProtocol.PACKET_TYPE)
                .handoverBytes(source.get(NetworkKindOptions.HANDOVER))
                .udp(UdpOptions.builder(Integer.parseInt(source.string("port")))
                        .receiveBufferBytes(source.get(NetworkKindOptions.RECEIVE_BUFFER).intValue())
                        .receiveMode(NetworkKindOptions.receiveMode(source)).build())
                .stopWhenIdle(Duration.ofSeconds(3), Duration.ofSeconds(60)).build();
        return env.fromSource(src, WatermarkStrategy.noWatermarks(), "spead", SpeadProtocol.PACKET_TYPE);
    }

    /** Source → assembly → ordering, with keyBy shuffles or chained (reinterpretAsKeyedStream). */
    static DataStream<RawMessage> messages(StreamExecutionEnvironment env, SourceConfig source, boolean chained) {
        SpeadAssemblyConfig config = SpeadSourceKind.assemblyConfig(source);
        DataStream<SpeadPacketRecord> packets = packets(env, source);
        DataStream<SpeadHeapRecord> heaps = WriteBackKeyedOperator.apply(chained
                ? DataStreamUtils.reinterpretAsKeyedStream(packets, SpeadPacketRecord::assemblyKey, Types.STRING)
                : packets.keyBy(SpeadPacketRecord::assemblyKey, Types.STRING),
                new HeapAssemblyFunction(source.name(), config, HeapClock.RECEIVE_TIME), SpeadSerializers.HEAP_RECORD);
        return WriteBackKeyedOperator.apply(chained
                ? DataStreamUtils.reinterpretAsKeyedStream(heaps, SpeadHeapRecord::stream, Types.STRING)
                : heaps.keyBy(SpeadHeapRecord::stream, Types.STRING),
                new HeapOrderingFunction(source.name(), 0, 1, config, HeapClock.RECEIVE_TIME), RawMessageTypeInfo.INSTANCE);
    }

    /** Counts complete and incomplete stored heaps (a complete one is a single packet holding the heap). */
    static final class CountingSink implements Sink<RawMessage> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<RawMessage> createWriter(WriterInitContext context) {
            SpeadPacket p = new SpeadPacket();
            return new SinkWriter<>() {
                /** Reused: the message is written into it as a sink writes it into its batch. */
                private ByteBuffer buf = ByteBuffer.allocate(0);

                @Override
                public void write(RawMessage m, Context ctx) {
                    int n = m.length();
                    if (buf.capacity() < n) {
                        buf = ByteBuffer.allocate(n);
                    }
                    buf.clear();
                    m.writeTo(buf);
                    boolean complete = p.decodeFramed(buf, 0, n) && p.heapOffset() == 0
                            && p.payloadLength() == p.heapSize() && p.packetLength() == n;
                    (complete ? COMPLETE : INCOMPLETE).incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** Counts packets (source only); a heap counts as complete per 117 packets of a 1 MiB heap. */
    static final class PacketCountingSink implements Sink<SpeadPacketRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<SpeadPacketRecord> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(SpeadPacketRecord r, Context ctx) {
                    INCOMPLETE.incrementAndGet();
                    if (INCOMPLETE.get() % 117 == 0) {
                        COMPLETE.incrementAndGet();
                    }
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /**
     * The raw-HDF5 writer alone: 1 MiB messages appended in batches of 16 for {@code seconds}, then
     * closed. Two figures: until close (the data in the page cache), and until the file is on disk
     * (fsync included) — the job commits files durably, so the second is its bound, and returned.
     */
    static double writerBaseline(Path work, int seconds) throws Exception {
        if (FILL_PAGE_CACHE) {
            fillPageCache(work);
        }
        byte[] msg = new byte[HEAP + 64];
        MessageBatch batch = new MessageBatch();
        long n = 0;
        Path file = work.resolve("writer-baseline.h5");
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        try (RawFileWriter w = RawFileWriter.create(file,
                RawFileOptions.builder().ioVersion("4.0").attribute("protocol", "spead").build())) {
            while (System.nanoTime() < end) {
                batch.clear();
                for (int i = 0; i < WRITER_BATCH; i++) {
                    batch.add(msg, 0);
                }
                w.append(batch);
                n += WRITER_BATCH;
            }
        }
        long closed = System.nanoTime() - t0;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        long durable = System.nanoTime() - t0;
        Files.deleteIfExists(file);
        double bits = n * (double) msg.length * 8;
        System.out.printf(Locale.ROOT, "raw-HDF5 writer alone: %d messages of %d B: %.2f Gb/s until closed (%.1f s), %.2f Gb/s until on disk (%.1f s, fsync included)%n",
                n, msg.length, bits / closed, closed / 1e9, bits / durable, durable / 1e9);
        return bits / durable;
    }
}
