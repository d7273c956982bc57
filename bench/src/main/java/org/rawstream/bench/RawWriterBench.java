package org.rawstream.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.rawstream.sinks.rawhdf5.MessageBatch;
import org.rawstream.sinks.rawhdf5.RawFileOptions;
import org.rawstream.sinks.rawhdf5.RawFileWriter;

/**
 * Raw-HDF5 write throughput: this library's writer against h5py (the reference) in the same run.
 * Workloads 100 000 x 1 KiB and 1 000 x 1 MiB; each written as one batch and with the file kept
 * open in 1000-message batches. Prints medians of 3 in MB/s (10^6 bytes of message payload per
 * second, from messages in memory to a closed file) and the ratio. See bench/README.md.
 */
public final class RawWriterBench {

    private static final String PYTHON = System.getProperty("bench.python", "/usr/bin/python3");
    private static final int REPEATS = 3;
    private static final int BATCH = 1000;

    private RawWriterBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("raw-writer-bench");
        Path script = dir.resolve("h5py_raw_writer.py");
        try (InputStream in = RawWriterBench.class.getResourceAsStream("/bench/h5py_raw_writer.py")) {
            Files.copy(in, script);
        }
        int[][] workloads = {{100_000, 1024}, {1_000, 1024 * 1024}};
        List<String> rows = new ArrayList<>();
        try {
            for (int[] w : workloads) {
                for (String mode : List.of("one", "batched")) {
                    // Warm-up (JIT, native library load, page cache), then Java and h5py repeats
                    // interleaved so that a busy machine slows both alike.
                    java(mode, w[0], w[1], dir.resolve("java.h5"));
                    double[] oursWall = new double[REPEATS];
                    double[] oursCpu = new double[REPEATS];
                    double[] refWall = new double[REPEATS];
                    double[] refCpu = new double[REPEATS];
                    for (int r = 0; r < REPEATS; r++) {
                        double[] ours = java(mode, w[0], w[1], dir.resolve("java.h5"));
                        double[] ref = h5py(script, mode, w[0], w[1], dir.resolve("h5py.h5"));
                        oursWall[r] = ours[0];
                        oursCpu[r] = ours[1];
                        refWall[r] = ref[0];
                        refCpu[r] = ref[1];
                    }
                    double mb = (double) w[0] * w[1] / 1e6;
                    rows.add(String.format("%-16s %-22s %10.0f %10.0f %7.2fx %10.0f %10.0f %7.2fx", label(w),
                            mode.equals("one") ? "one batch / one call" : "open, 1000 per batch",
                            mb / median(oursWall), mb / median(refWall), median(refWall) / median(oursWall),
                            mb / median(oursCpu), mb / median(refCpu), median(refCpu) / median(oursCpu)));
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        System.out.printf("%-16s %-22s %10s %10s %8s %10s %10s %8s%n", "workload", "mode",
                "ours wall", "h5py wall", "ratio", "ours CPU", "h5py CPU", "ratio");
        rows.forEach(System.out::println);
        System.out.println("(MB/s, medians of " + REPEATS + "; MB = 10^6 bytes of message payload; page cache, no fsync;"
                + " wall = elapsed time, CPU = CPU time of the writing thread / python process)");
    }

    private static String label(int[] w) {
        return String.format("%,d x %s", w[0], w[1] >= 1024 * 1024 ? (w[1] >> 20) + " MiB" : (w[1] >> 10) + " KiB");
    }

    /** {wall, CPU} seconds for one run: fill the batch(es) from byte[] messages, append, close. */
    private static double[] java(String mode, int count, int size, Path file) throws IOException {
        byte[] pool = new byte[size + 4096];
        new SplittableRandom(1).nextBytes(pool);
        byte[][] msgs = new byte[count][];
        for (int i = 0; i < count; i++) {
            msgs[i] = Arrays.copyOfRange(pool, i % 4096, i % 4096 + size);
        }
        Files.deleteIfExists(file);
        System.gc();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        boolean one = mode.equals("one");
        MessageBatch batch = one ? new MessageBatch(count, (int) Math.min(Integer.MAX_VALUE - 16, (long) count * size))
                : new MessageBatch(BATCH, BATCH * size);
        try (RawFileWriter writer = RawFileWriter.create(file, RawFileOptions.builder().ioVersion("0.0").build())) {
            for (int i = 0; i < count; i++) {
                batch.add(msgs[i], i % 256);
                if (!one && batch.size() == BATCH) {
                    writer.append(batch);
                    batch.clear();
                }
            }
            writer.append(batch);
        }
        double[] seconds = {(System.nanoTime() - t0) / 1e9, (threads.getCurrentThreadCpuTime() - c0) / 1e9};
        Files.delete(file);
        return seconds;
    }

    /** {wall, CPU} seconds of one h5py run, timed inside python (start-up and data generation excluded). */
    private static double[] h5py(Path script, String mode, int count, int size, Path file) throws Exception {
        Process p = new ProcessBuilder(PYTHON, script.toString(), mode, Integer.toString(count),
                Integer.toString(size), file.toString(), "1")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("h5py baseline failed (" + PYTHON + " " + script + "): " + out);
            }
        } finally {
            p.destroyForcibly();
        }
        String[] parts = out.replace("[", "").replace("]", "").split(",");
        return new double[] {Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())};
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
