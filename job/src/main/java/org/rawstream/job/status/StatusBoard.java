package org.rawstream.job.status;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;

/**
 * The live status of a local run: holds the metrics of the configured sources and of the sink
 * (handed over by {@link StatusReporterFactory}'s reporter, which Flink calls in the same JVM)
 * and renders one small table, a row per source: records and megabytes per second in, what was
 * invalid, dropped, shed or incomplete, what never arrived (gaps in the sender's counters), files
 * and messages committed, and the sink's append queue. Totals of ended tasks are retained (their last value), so the table at the stop, and
 * after a restart, shows the whole run.
 */
public final class StatusBoard implements AutoCloseable {
    private static final Map<String, StatusBoard> OPEN = new ConcurrentHashMap<>();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** Metric names summed into each column (several protocols, one meaning). */
    static final Set<String> RECORDS_IN = Set.of("recordsDecoded", "recordsGenerated");
    static final Set<String> BYTES_IN = Set.of("bytesReceived", "bytesGenerated");
    static final Set<String> INVALID = Set.of("decodeErrors", "invalid", "invalid_packets", "descriptors_invalid");
    static final Set<String> DROPPED = Set.of("datagramsOversize", "datagramsDroppedByKernel", "connectionsRejected",
            "acknowledgementsDropped", "incomplete_heaps_dropped", "heapsRefused");
    // SPEAD's per-stream heaps_shed, not the source subtask's heapsShed (one of the two, or each
    // heap counts twice): it also holds the heaps a kernel gap cut, which assembly shed.
    static final Set<String> SHED = Set.of("heaps_shed", "unitsShed", "heaps_incomplete_evicted");
    static final Set<String> INCOMPLETE = Set.of("heaps_incomplete");
    /** Sent but never received, from the sender's counters: SPEAD heap counters, ODIN sequence numbers. */
    static final Set<String> MISSING = Set.of("heaps_missing", "lost");
    static final String FILES = "filesCommitted";
    static final String MESSAGES = "messagesCommitted";
    static final String APPEND_QUEUE = "appendQueueBytes";
    private static final String SINK = "";

    private final String id = UUID.randomUUID().toString();
    private final List<String> sources;
    /** Live metrics: (source or SINK, metric name) -> metric objects (one per subtask/stream). */
    private final Map<Key, Set<Metric>> live = new ConcurrentHashMap<>();
    /** Final values of removed counters, so totals survive the end (or restart) of their tasks. */
    private final Map<Key, Long> retired = new ConcurrentHashMap<>();
    /** The totals of the last print (all zero before the first), and when it was. */
    private Map<String, Row> previous = new HashMap<>();
    private long previousNanos = System.nanoTime();

    private StatusBoard(List<String> sources) {
        this.sources = List.copyOf(sources);
    }

    /** A board for these sources, found by its {@link #id()} from the reporter Flink creates. */
    public static StatusBoard open(List<String> sources) {
        StatusBoard board = new StatusBoard(sources);
        OPEN.put(board.id, board);
        return board;
    }

    static StatusBoard byId(String id) {
        StatusBoard board = OPEN.get(id);
        if (board == null) {
            throw new IllegalStateException("no status board " + id + " in this JVM");
        }
        return board;
    }

    public String id() {
        return id;
    }

    @Override
    public void close() {
        OPEN.remove(id);
    }

    void added(Metric metric, String name, MetricGroup group) {
        Key key = keyOf(name, group);
        if (key != null) {
            live.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(metric);
        }
    }

    void removed(Metric metric, String name, MetricGroup group) {
        Key key = keyOf(name, group);
        if (key == null) {
            return;
        }
        Set<Metric> metrics = live.get(key);
        // Every column but the append queue is a running total (counters, and gauges over counts).
        if (metrics != null && metrics.remove(metric) && !key.name().equals(APPEND_QUEUE)) {
            retired.merge(key, valueOf(metric), Long::sum);
        }
    }

    /**
     * Which source a metric belongs to, from its scope: {@code ...rawstream.<source>...} (sources,
     * assembly) or {@code ...rawhdf5.source.<source>} (the sink's per-source group); the sink's own
     * append queue. Anything else is not shown.
     */
    private Key keyOf(String name, MetricGroup group) {
        String[] scope = group.getScopeComponents();
        for (int i = 0; i + 1 < scope.length; i++) {
            if (scope[i].equals("rawstream") && sources.contains(scope[i + 1])) {
                return new Key(scope[i + 1], name);
            }
            if (scope[i].equals("rawhdf5")) {
                if (i + 2 < scope.length && scope[i + 1].equals("source") && sources.contains(scope[i + 2])) {
                    return new Key(scope[i + 2], name);
                }
            }
        }
        if (name.equals(APPEND_QUEUE) && scope.length > 0 && scope[scope.length - 1].equals("rawhdf5")) {
            return new Key(SINK, name);
        }
        return null;
    }

    /** Current value of one metric of a source, summed over its subtasks (and retained values). */
    public long value(String source, String name) {
        return value(new Key(source, name));
    }

    private long sum(String source, Set<String> names) {
        long total = 0;
        for (String name : names) {
            total += value(new Key(source, name));
        }
        return total;
    }

    private long value(Key key) {
        long total = retired.getOrDefault(key, 0L);
        for (Metric m : live.getOrDefault(key, Set.of())) {
            total += valueOf(m);
        }
        return total;
    }

    private static long valueOf(Metric m) {
        if (m instanceof Counter c) {
            return c.getCount();
        }
        return m instanceof Gauge<?> g && g.getValue() instanceof Number n ? n.longValue() : 0;
    }

    private Map<String, Row> rows() {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String source : sources) {
            rows.put(source, new Row(sum(source, RECORDS_IN), sum(source, BYTES_IN), sum(source, INVALID),
                    sum(source, DROPPED), sum(source, SHED), sum(source, INCOMPLETE), sum(source, MISSING),
                    value(new Key(source, FILES)), value(new Key(source, MESSAGES))));
        }
        return rows;
    }

    /**
     * Prints the table: rates since the previous print (since the start for the first), totals
     * since the start. {@code title} says what the print is, e.g. "at stop".
     */
    public synchronized void print(PrintStream out, String title) {
        long now = System.nanoTime();
        Map<String, Row> rows = rows();
        double seconds = (now - previousNanos) / 1e9;
        StringBuilder b = new StringBuilder();
        b.append(String.format("RawStream %s %s  append queue %s%n", LocalTime.now().format(TIME), title,
                bytes(value(new Key(SINK, APPEND_QUEUE)))));
        b.append(String.format(HEADER, "source", "rec/s", "MB/s", "invalid", "dropped", "shed", "incompl", "missing",
                "files", "messages"));
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            Row before = previous.getOrDefault(e.getKey(), Row.ZERO);
            double recordsPerSecond = seconds <= 0 ? 0 : (r.recordsIn - before.recordsIn) / seconds;
            double megabytesPerSecond = seconds <= 0 ? 0 : (r.bytesIn - before.bytesIn) / seconds / 1e6;
            b.append(String.format(ROW, abbreviate(e.getKey()), Math.max(0, recordsPerSecond),
                    Math.max(0, megabytesPerSecond), r.invalid, r.dropped, r.shed, r.incomplete, r.missing, r.files,
                    r.messages));
        }
        out.print(b);
        out.flush();
        previous = rows;
        previousNanos = now;
    }

    /** 80 columns: a source name of up to 9 characters (longer ones abbreviated), then the counts. */
    private static final String HEADER = "%-9s %8s %6s %7s %7s %6s %7s %7s %5s %9s%n";
    private static final String ROW = "%-9s %8.1f %6.2f %7d %7d %6d %7d %7d %5d %9d%n";

    private static String abbreviate(String name) {
        return name.length() <= 9 ? name : name.substring(0, 8) + "~";
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        return String.format("%.1f MiB", n / (1024.0 * 1024));
    }

    private record Key(String source, String name) {}

    private record Row(long recordsIn, long bytesIn, long invalid, long dropped, long shed, long incomplete,
            long missing, long files, long messages) {
        static final Row ZERO = new Row(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
