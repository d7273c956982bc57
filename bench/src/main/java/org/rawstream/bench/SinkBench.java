package org.rawstream.bench;

import java.io.IOException;
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
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.sinks.rawhdf5.MessageBatch;
import org.rawstream.sinks.rawhdf5.RawFileOptions;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sinks.rawhdf5.RawFileWriter;
import org.rawstream.sinks.sink.RawHdf5Sink;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;

/**
 * RawHdf5Sink throughput in a local Flink MiniCluster at parallelism 1 and 2, next to the bare
 * {@link RawFileWriter} writing the same messages in the same run (one file, 1000 per batch), and
 * the ratio sink/bare. The sink runs with its defaults (batches of 1000, files closed and committed
 * with fsync at every checkpoint, here every 2 s). Its time runs from the first generated record to
 * the end of the job (final checkpoint and commit included; cluster start-up excluded). Medians of
 * 3 after a warm-up, the cases interleaved. See bench/README.md.
 */
public final class SinkBench {
    private static final int REPEATS = 3;
    private static final int POOL = 4096;
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);

    /** Earliest first-record time of the running sink job (the MiniCluster shares this JVM). */
    static final AtomicLong FIRST_RECORD_NANOS = new AtomicLong(Long.MAX_VALUE);

    private SinkBench() {}

    public static void main(String[] args) throws Exception {
        int count = Integer.getInteger("bench.count", 1_000_000);
        int size = Integer.getInteger("bench.size", 1024);
        Path dir = Files.createTempDirectory("sink-bench");
        String[] cases = {"bare RawFileWriter", "RawHdf5Sink p=1", "RawHdf5Sink p=2"};
        double[][] seconds = new double[cases.length][REPEATS];
        try {
            runCase(0, count, size, dir); // warm-up: JIT, native library, page cache
            runCase(1, count, size, dir);
            for (int r = 0; r < REPEATS; r++) {
                for (int c = 0; c < cases.length; c++) {
                    seconds[c][r] = runCase(c, count, size, dir);
                }
            }
        } finally {
            deleteTree(dir);
        }
        double mb = (double) count * size / 1e6;
        double bare = median(seconds[0]);
        System.out.printf("%,d messages x %,d B (%.0f MB); medians of %d%n", count, size, mb, REPEATS);
        System.out.printf("%-22s %12s %9s %14s%n", "case", "records/s", "MB/s", "vs bare writer");
        for (int c = 0; c < cases.length; c++) {
            double s = median(seconds[c]);
            System.out.printf("%-22s %,12.0f %9.0f %13.2fx%n", cases[c], count / s, mb / s, bare / s);
        }
        System.out.println("(MB = 10^6 bytes of message payload; page cache; the sink fsyncs each committed file)");
    }

    private static double runCase(int c, int count, int size, Path dir) throws Exception {
        Path out = dir.resolve("case" + c);
        deleteTree(out);
        Files.createDirectories(out);
        System.gc();
        double s = c == 0 ? bareWriter(count, size, out.resolve("bare.h5")) : sink(c, count, size, out);
        deleteTree(out);
        return s;
    }

    private static byte[][] pool(int size) {
        SplittableRandom random = new SplittableRandom(1);
        byte[][] pool = new byte[POOL][size];
        for (byte[] m : pool) {
            random.nextBytes(m);
        }
        return pool;
    }

    /** Seconds: the same messages through one writer, 1000 per batch, create to close. */
    private static double bareWriter(int count, int size, Path file) throws IOException {
        byte[][] pool = pool(size);
        long t0 = System.nanoTime();
        MessageBatch batch = new MessageBatch(1000, 1000 * size);
        try (RawFileWriter writer = RawFileWriter.create(file, RawFileOptions.builder().ioVersion("1.0")
                .attribute("protocol", "bench").build())) {
            for (int i = 0; i < count; i++) {
                batch.add(pool[i % POOL], 0);
                if (batch.size() == 1000) {
                    writer.append(batch);
                    batch.clear();
                }
            }
            writer.append(batch);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds from the first record to the end of the job (everything committed). */
    private static double sink(int parallelism, int count, int size, Path out) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.fromSource(new DataGeneratorSource<>(new PooledMessages(size), count, RateLimiterStrategy.noOp(),
                                RawMessageTypeInfo.INSTANCE),
                        WatermarkStrategy.noWatermarks(), "pooled messages", RawMessageTypeInfo.INSTANCE)
                .sinkTo(RawHdf5Sink.builder().outputDirectory(out).source("bench", "bench", "1.0").build());
        FIRST_RECORD_NANOS.set(Long.MAX_VALUE);
        env.execute("sink bench p=" + parallelism);
        double s = (System.nanoTime() - FIRST_RECORD_NANOS.get()) / 1e9;
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
        return s;
    }

    /** Index → a message from a fixed pool (no per-record generation cost, bytes shared by contract). */
    static final class PooledMessages implements GeneratorFunction<Long, RawMessage> {
        private static final long serialVersionUID = 1L;
        private final int size;
        private transient byte[][] pool;
        private transient boolean started;

        PooledMessages(int size) {
            this.size = size;
        }

        @Override
        public void open(SourceReaderContext context) {
            pool = pool(size);
        }

        @Override
        public RawMessage map(Long index) {
            if (!started) {
                started = true;
                FIRST_RECORD_NANOS.accumulateAndGet(System.nanoTime(), Math::min);
            }
            return new RawMessage("bench", 0, pool[(int) (index % POOL)]);
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
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
