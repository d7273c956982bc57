package org.rawstream.sinks.rawhdf5;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The {@code inspect FILE...} command: for each raw-HDF5 file prints its metadata, message count,
 * messages per {@code io_groups} value, message-size min/median/max and the first bytes of the
 * first messages.
 */
public final class RawFileInspector {

    /** How many leading messages are shown, and how many of their bytes. */
    static final int SHOWN_MESSAGES = 5;
    static final int SHOWN_BYTES = 32;
    private static final int BLOCK_ROWS = 64 * 1024;

    private RawFileInspector() {}

    public static void inspect(List<Path> files, PrintStream out) throws IOException {
        for (Path file : files) {
            inspect(file, out);
        }
    }

    /** Usage: {@code inspect FILE...}; exit status 1 if a file could not be inspected. */
    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: inspect FILE...");
            System.exit(2);
        }
        int status = 0;
        for (String arg : args) {
            try {
                inspect(Path.of(arg), System.out);
            } catch (IOException | RuntimeException e) {
                System.out.flush();
                System.err.println(arg + ": cannot inspect: " + e.getMessage());
                status = 1;
            }
        }
        System.exit(status);
    }

    private static void inspect(Path file, PrintStream out) throws IOException {
        try (RawFileReader reader = RawFileReader.open(file)) {
            RawFileMetadata meta = reader.metadata();
            long count = reader.count();
            StringBuilder s = new StringBuilder();
            s.append(file).append('\n');
            s.append("  version:    ").append(meta.version()).append('\n');
            s.append("  io_version: ").append(meta.ioVersion() == null ? "(none)" : meta.ioVersion()).append('\n');
            s.append("  created:    ").append(time(meta.created())).append('\n');
            s.append("  modified:   ").append(time(meta.modified())).append('\n');
            for (Map.Entry<String, Object> a : new java.util.TreeMap<>(meta.attributes()).entrySet()) {
                s.append("  ").append(a.getKey()).append(": ").append(value(a.getValue())).append('\n');
            }
            s.append("  messages:   ").append(count).append('\n');
            if (count > 0) {
                long[] perGroup = new long[256];
                for (int g : reader.ioGroups(0, count)) {
                    perGroup[g]++;
                }
                s.append("  per io_groups:");
                for (int g = 0; g < 256; g++) {
                    if (perGroup[g] > 0) {
                        s.append(' ').append(g).append('=').append(perGroup[g]);
                    }
                }
                s.append('\n');
                int[] sizes = sizes(reader, count);
                s.append("  size bytes: min ").append(sizes[0]).append(", median ").append(median(sizes))
                        .append(", max ").append(sizes[sizes.length - 1]).append('\n');
                List<byte[]> first = reader.messages(0, SHOWN_MESSAGES);
                int[] groups = reader.ioGroups(0, SHOWN_MESSAGES);
                for (int i = 0; i < first.size(); i++) {
                    byte[] m = first.get(i);
                    s.append(String.format("  [%d] io_groups=%d %d B: %s%s%n", i, groups[i], m.length,
                            HexFormat.ofDelimiter(" ").formatHex(m, 0, Math.min(m.length, SHOWN_BYTES)),
                            m.length > SHOWN_BYTES ? " ..." : ""));
                }
            }
            out.print(s);
        }
    }

    /** Sorted message lengths, read block by block. */
    private static int[] sizes(RawFileReader reader, long count) throws IOException {
        int[] sizes = new int[Math.toIntExact(count)];
        for (long start = 0; start < count; start += BLOCK_ROWS) {
            List<byte[]> block = reader.messages(start, Math.min(count, start + BLOCK_ROWS));
            for (int i = 0; i < block.size(); i++) {
                sizes[(int) start + i] = block.get(i).length;
            }
        }
        Arrays.sort(sizes);
        return sizes;
    }

    private static String median(int[] sorted) {
        int n = sorted.length;
        if (n % 2 == 1) {
            return Integer.toString(sorted[n / 2]);
        }
        long twice = (long) sorted[n / 2 - 1] + sorted[n / 2];
        return twice % 2 == 0 ? Long.toString(twice / 2) : (twice / 2) + ".5";
    }

    private static String time(double seconds) {
        if (Double.isNaN(seconds)) {
            return "(none)";
        }
        return Instant.ofEpochMilli(Math.round(seconds * 1000)) + " (" + seconds + ")";
    }

    private static String value(Object v) {
        if (v instanceof Object[] objects) {
            return Arrays.deepToString(objects);
        }
        if (v instanceof double[] d) {
            return Arrays.toString(d);
        }
        if (v instanceof long[] l) {
            return Arrays.toString(l);
        }
        if (v instanceof int[] i) {
            return Arrays.toString(i);
        }
        return String.valueOf(v);
    }
}
