package org.rawstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.sinks.rawhdf5.MessageBatch;
import org.rawstream.sinks.rawhdf5.RawFileOptions;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sinks.rawhdf5.RawFileWriter;
import org.rawstream.sinks.sink.RawHdf5Sink;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;

/**
 * RawHdf5Sink throughput in a local Flink MiniCluster at parallelism 1 and 2 (and p=1 without
 * fsync on commit), next to the bare {@link RawFileWriter} writing the same messages in the same
 * run (one file, 1000 per batch), and the ratio sink/bare.
 *
 * <p>Two measures, wall time and this JVM's CPU time for each: steady state = records 20 %..80 %
 * (checkpoints, closes, fsyncs and commits inside that window included; start-up and the end-of-job
 * wait for the final checkpoint excluded), and end to end = first record to the end of the job
 * (everything committed). Medians of 3 after a warm-up, the cases interleaved; each sink run checks
 * that every message was committed. See bench/README.md.
 */
public final class SinkBench {
    private static final int REPEATS = 3;
    private static final int POOL = Integer.getInteger("bench.pool", 4096);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private static final String[] CASES = {"bare RawFileWriter", "RawHdf5Sink p=1", "RawHdf5Sink p=2",
        "RawHdf5Sink p=1 no fsync"};

    private SinkBench() {}

    public static void main(String[] args) throws Exception {
        int count = Integer.getInteger("bench.count", 2_000_000);
        int size = Integer.getInteger("bench.size", 1024);
        Path dir = Files.createTempDirectory("sink-bench");
        Timing[][] runs = new Timing[CASES.length][REPEATS];
        try {
            runCase(0, count, size, dir); // warm-up: JIT, native library, page cache
            runCase(1, count, size, dir);
            for (int r = 0; r < REPEATS; r++) {
                for (int c = 0; c < CASES.length; c++) {
                    runs[c][r] = runCase(c, count, size, dir);
                }
            }
        } finally {
            deleteTree(dir);
        }
        System.out.printf("%,d messages x %,d B; medians of %d; checkpoint (= commit) every %ds%n",
                count, size, REPEATS, CHECKPOINT_INTERVAL.toSeconds());
        table("steady state (records 20%..80%)", runs, 0.6 * count, size, 0);
        table("end to end (first record .. job finished, all committed)", runs, count, size, 2);
        System.out.println("(MB = 10^6 bytes of message payload; page cache)");
    }

    private static void table(String title, Timing[][] runs, double records, int size, int offset) {
        double mb = records * size / 1e6;
        double bareWall = median(runs[0], offset);
        double bareCpu = median(runs[0], offset + 1);
        System.out.println();
        System.out.println(title);
        System.out.printf("%-26s %11s %7s %8s %10s %8s%n", "case", "records/s", "MB/s", "vs bare", "MB/CPU-s", "vs bare");
        for (int c = 0; c < runs.length; c++) {
            double wall = median(runs[c], offset);
            double cpu = median(runs[c], offset + 1);
            System.out.printf("%-26s %,11.0f %7.0f %7.2fx %10.0f %7.2fx%n", CASES[c], records / wall, mb / wall,
                    bareWall / wall, mb / cpu, bareCpu / cpu);
        }
    }

    private static Timing runCase(int c, int count, int size, Path dir) throws Exception {
        Path out = dir.resolve("case" + c);
        deleteTree(out);
        Files.createDirectories(out);
        System.gc();
        Progress.reset(count);
        Timing t = c == 0 ? bareWriter(count, size, out.resolve("bare.h5"))
                : sink(c == 2 ? 2 : 1, c != 3, count, size, out);
        deleteTree(out);
        return t;
    }

    private static byte[][] pool(int size) {
        SplittableRandom random = new SplittableRandom(1);
        byte[][] pool = new byte[POOL][size];
        for (byte[] m : pool) {
            random.nextBytes(m);
        }
        return pool;
    }

    /** The same messages through one writer, 1000 per batch, create to close. */
    private static Timing bareWriter(int count, int size, Path file) throws IOException {
        byte[][] pool = pool(size);
        Progress.record();
        MessageBatch batch = new MessageBatch(1000, 1000 * size);
        try (RawFileWriter writer = RawFileWriter.create(file, RawFileOptions.builder().ioVersion("1.0")
                .attribute("protocol", "bench").build())) {
            for (int i = 0; i < count; i++) {
                batch.add(pool[i % POOL], 0);
                if (batch.size() == 1000) {
                    writer.append(batch);
                    batch.clear();
                }
                Progress.record();
            }
            writer.append(batch);
        }
        return Progress.timing();
    }

    /** The sink job on pooled messages; time from its first record. */
    private static Timing sink(int parallelism, boolean fsync, int count, int size, Path out) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        // fromSequence + map rather than DataGeneratorSource: its rate-limiting wrapper (even with
        // noOp()) makes every record a round through the mailbox with new availability futures,
        // a per-record cost of the bench's source that real sources do not have (profiled).
        env.fromSequence(0, count - 1)
                .map(new PooledMessages(size), RawMessageTypeInfo.INSTANCE).name("pooled messages")
                .sinkTo(RawHdf5Sink.builder().outputDirectory(out).source("bench", "bench", "1.0")
                        .syncOnCommit(fsync).build());
        env.execute("sink bench p=" + parallelism);
        Timing t = Progress.timing();
        long written = 0;
        try (Stream<Path> files = Files.list(out.resolve("bench"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".h5")).toList()) {
                try (RawFileReader reader = RawFileReader.open(f)) {
                    written += reader.count();
                }
            }
        }
        if (written != count) {
            throw new IllegalStateException("sink committed " + written + " of " + count + " messages");
        }
        return t;
    }

    /** Wall and CPU seconds: steady window, then end to end. */
    private record Timing(double steadyWall, double steadyCpu, double allWall, double allCpu) {
        double get(int i) {
            return switch (i) {
                case 0 -> steadyWall;
                case 1 -> steadyCpu;
                case 2 -> allWall;
                default -> allCpu;
            };
        }
    }

    /**
     * Progress of the running case, shared with the sink job (the MiniCluster runs in this JVM):
     * wall and CPU time at the first record and when 20 % and 80 % of the records were produced.
     */
    static final class Progress {
        private static final AtomicLong PRODUCED = new AtomicLong();
        private static volatile long total;
        private static final long[] WALL = new long[3];
        private static final long[] CPU = new long[3];

        static void reset(long count) {
            PRODUCED.set(0);
            total = count;
        }

        static void record() {
            long n = PRODUCED.getAndIncrement();
            int mark = n == 0 ? 0 : n == total / 5 ? 1 : n == total * 4 / 5 ? 2 : -1;
            if (mark >= 0) {
                WALL[mark] = System.nanoTime();
                CPU[mark] = OS.getProcessCpuTime();
            }
        }

        static Timing timing() {
            long wallEnd = System.nanoTime();
            long cpuEnd = OS.getProcessCpuTime();
            return new Timing((WALL[2] - WALL[1]) / 1e9, (CPU[2] - CPU[1]) / 1e9,
                    (wallEnd - WALL[0]) / 1e9, (cpuEnd - CPU[0]) / 1e9);
        }
    }

    /** Index → a message from a fixed pool (no per-record generation cost, bytes shared by contract). */
    static final class PooledMessages extends RichMapFunction<Long, RawMessage> {
        private static final long serialVersionUID = 1L;
        private final int size;
        private transient byte[][] pool;

        PooledMessages(int size) {
            this.size = size;
        }

        @Override
        public void open(OpenContext context) {
            pool = pool(size);
        }

        @Override
        public RawMessage map(Long index) {
            Progress.record();
            return new RawMessage("bench", 0, pool[(int) (index % POOL)]);
        }
    }

    private static double median(Timing[] runs, int field) {
        double[] v = new double[runs.length];
        for (int i = 0; i < runs.length; i++) {
            v[i] = runs[i].get(field);
        }
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
