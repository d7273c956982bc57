package org.rawstream.job;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.DemoFeed;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.spead.SpeadSourceKind;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sources.odin.OdinPacketType;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SpeadItem;
import org.rawstream.sources.spead.SpeadSender;
import org.rawstream.sources.spead.StoredHeapCodec;

/**
 * One protocol source of the standalone-cluster run: its kind and config, its demo feed and what
 * the feed reported sending ({@link RecordingLedger}), the REST counter readings taken right before
 * every stop and kill, and the check of its committed output against both.
 *
 * <p>Lower bound: Flink metrics restart from zero with every attempt, so the committed output must
 * hold at least the SUM of the readings of the counter that counts, on the task thread, exactly the
 * records the sink stores ({@link #bound}): every reading is followed by a stop-with-savepoint or by
 * a completed checkpoint triggered after it, so everything it counted was emitted before that
 * barrier and must be committed. Upper bound / identity: each committed record is one the feed
 * sent, committed at most as often as it was sent (echo, MessagePack, ODIN: SHA-256 against the
 * ledger; SPEAD: heap counter unique, in a round the feed started, content equal to what the sender
 * puts in that heap); for echo with durable acknowledgements every acknowledged request is
 * committed exactly once.
 */
final class ClusterProtocolSource {
    /** A metric of the source as the REST API lists it per subtask, summed over subtasks. */
    static final class Counter {
        final String name;
        final Predicate<String> matches;

        Counter(String name, Predicate<String> matches) {
            this.name = name;
            this.matches = matches;
        }
    }

    final SourceKind kind;
    final SourceConfig config;
    final Map<String, String> settings;
    final RecordingLedger ledger = new RecordingLedger();
    /** The unit the sink stores one message per. */
    final String unit;
    /** Counts, on the task thread, exactly the messages the sink stores (the lower bound). */
    final Counter bound;
    /** Shown next to it in the table (the protocol's own counters, which count elsewhere). */
    final Counter other;
    private final List<String> readingLabels = new ArrayList<>();
    private final List<long[]> readings = new ArrayList<>();
    DemoFeed feed;

    ClusterProtocolSource(SourceKind kind, SourceConfig config, Map<String, String> settings) {
        this.kind = kind;
        this.config = config;
        this.settings = settings;
        String name = config.name();
        String type = kind.type();
        if (type.startsWith("spead-")) {
            // The ordering operator emits one message per heap; its per-stream heaps_delivered gauges
            // are registered per stream name (which holds the sender's port), and the REST metric
            // store keeps a stream of an earlier attempt at its last value after a failover, so
            // their sum over-counts once a TCP sender reconnected: shown, not used as the bound.
            unit = "heaps";
            bound = new Counter("numRecordsOut(heap ordering)", operatorMetric(name + " heap ordering", "numRecordsOut"));
            other = new Counter("heaps_delivered", id -> id.contains(".rawstream." + name + ".stream.")
                    && id.endsWith(".heaps_delivered"));
        } else if (type.startsWith("odin-")) {
            // packetsValid counts every packet the schema join passes on raw (data, schema, event):
            // one stored message each. The network source's recordsDecoded counts packets before the join.
            unit = "packets";
            bound = new Counter("packetsValid", groupMetric(name, "packetsValid"));
            other = new Counter("recordsDecoded", groupMetric(name, "recordsDecoded"));
        } else if (type.startsWith("echo-") || type.startsWith("msgpack-")) {
            // recordsDecoded is counted on the source's fetcher thread, before the record is handed
            // to the task thread (a record still in that queue at a barrier is not in the checkpoint);
            // the "messages" map after the source counts on the task thread, one per stored message.
            unit = "messages";
            bound = new Counter("numRecordsOut(messages)", operatorMetric(name + " messages", "numRecordsOut"));
            other = new Counter("recordsDecoded", groupMetric(name, "recordsDecoded"));
        } else {
            throw new AssertionError("source kind " + type + " has no exactly-once check in the cluster test: add "
                    + "which counter counts its stored messages and what its feed reports");
        }
    }

    /** {@code rawstream.<source>.<metric>}, as registered by the transport or the protocol's operators. */
    private static Predicate<String> groupMetric(String source, String metric) {
        String suffix = ".rawstream." + source + "." + metric;
        return id -> id.endsWith(suffix);
    }

    /**
     * Flink's own operator metric {@code <subtask>.<operator name>.<metric>}; the REST API may
     * replace characters of the operator name, so both are compared with non-alphanumerics as '_'.
     */
    private static Predicate<String> operatorMetric(String operatorName, String metric) {
        Pattern p = Pattern.compile("\\d+_" + Pattern.quote(plain(operatorName)) + "_" + Pattern.quote(metric));
        return id -> p.matcher(plain(id)).matches();
    }

    private static String plain(String s) {
        return s.replaceAll("[^A-Za-z0-9]", "_");
    }

    void addReading(String label, long bound, long other) {
        readingLabels.add(label);
        readings.add(new long[] {bound, other});
    }

    List<String> readingLabels() {
        return readingLabels;
    }

    long boundSum() {
        return readings.stream().mapToLong(r -> r[0]).sum();
    }

    /** The run's figures for this source, and what is wrong with its output (empty: nothing). */
    static final class Outcome {
        final List<String> problems = new ArrayList<>();
        long committed;
        long distinct;
        long duplicates;
        String sent = "";
        String acknowledged = "";
        String notes = "";
    }

    /** Checks the committed output: h5py's summaries of the committed files of the source's directory. */
    Outcome check(List<JsonNode> summaries, Path sourceDir) throws IOException {
        Outcome o = new Outcome();
        Map<String, Integer> committed = OutputCheck.messageMultiset(summaries, config.ioGroup(), config.protocol(),
                config.ioVersion());
        o.committed = committed.values().stream().mapToLong(Integer::longValue).sum();
        o.distinct = committed.size();
        long sum = boundSum();
        if (sum <= 0) {
            o.problems.add("no " + bound.name + " counted in any attempt (the lower bound is vacuous)");
        }
        if (o.committed < sum) {
            o.problems.add(String.format(Locale.ROOT, "committed %d %s < %d counted by %s over the attempts (%s)",
                    o.committed, unit, sum, bound.name, readings.stream().map(r -> Long.toString(r[0]))
                            .collect(Collectors.joining(" + "))));
        }
        if (kind.type().startsWith("spead-")) {
            checkHeaps(sourceDir, o);
        } else {
            checkAgainstLedger(committed, o);
        }
        return o;
    }

    /** Echo, MessagePack, ODIN: every committed record is one the feed sent, at most as often as sent. */
    private void checkAgainstLedger(Map<String, Integer> committed, Outcome o) {
        boolean odin = kind.type().startsWith("odin-");
        long unknown = 0;
        long moreThanSent = 0;
        long schemaRepeats = 0;
        for (Map.Entry<String, Integer> e : committed.entrySet()) {
            int sent = ledger.timesSent(e.getKey());
            if (sent == 0) {
                unknown += e.getValue();
            } else if (e.getValue() > sent) {
                moreThanSent++;
            }
            if (e.getValue() > 1) {
                if (odin && !uniquePacket(ledger.firstByte(e.getKey()))) {
                    schemaRepeats += e.getValue() - 1; // identifier packets repeat by design
                } else {
                    o.duplicates += e.getValue() - 1;
                }
            }
        }
        if (unknown > 0) {
            o.problems.add(unknown + " committed " + unit + " the feed never sent");
        }
        if (moreThanSent > 0) {
            o.problems.add(moreThanSent + " distinct " + unit + " committed more often than the feed sent them");
        }
        if (o.duplicates > 0) {
            o.problems.add(o.duplicates + " duplicate " + unit + " (records the feed sent once)");
        }
        long sentTwice = odin ? ledger.sentMultiset().entrySet().stream()
                .filter(e -> e.getValue() > 1 && uniquePacket(ledger.firstByte(e.getKey()))).count() : 0;
        if (sentTwice > 0) {
            o.problems.add("the feed sent " + sentTwice + " data/event packets more than once (not numbered on across rounds)");
        }
        o.sent = Long.toString(ledger.sentRecords());
        if (odin) {
            o.notes = "schema packets committed again: " + schemaRepeats;
        }
        Set<String> acknowledged = ledger.acknowledged();
        if (!acknowledged.isEmpty() || "durable".equals(settings.get("source." + config.name() + ".ack"))) {
            long notOnce = acknowledged.stream().filter(h -> committed.getOrDefault(h, 0) != 1).count();
            o.acknowledged = Long.toString(acknowledged.size());
            if (acknowledged.isEmpty()) {
                o.problems.add("durable acknowledgements configured, but the feed received none");
            }
            if (notOnce > 0) {
                o.problems.add(notOnce + " requests acknowledged as durable are not committed exactly once");
            }
        }
    }

    /** ODIN data and event packets are numbered by the feed: each is sent once. */
    private static boolean uniquePacket(Byte type) {
        return type != null && (type == OdinPacketType.DATA.code() || type == OdinPacketType.EVENT.code());
    }

    /**
     * SPEAD: each committed heap decodes, its counter is unique and lies in a round the feed
     * started ({@link SpeadSourceKind#firstHeapCnt}), and a complete heap holds what the sender
     * puts in heap i of a round: the immediate timestamp i and the u32 counter data from i.
     */
    private void checkHeaps(Path sourceDir, Outcome o) throws IOException {
        long rounds = feed == null ? 0 : feed.rounds();
        int heapSize = config.get(SpeadSourceKind.DEMO_HEAP_SIZE).intValue() / 4 * 4;
        byte[] expected = new byte[heapSize];
        Set<Long> counters = new HashSet<>();
        long outOfRange = 0;
        long wrongContent = 0;
        long incomplete = 0;
        long undecodable = 0;
        for (Path file : OutputCheck.committedFiles(sourceDir)) {
            try (RawFileReader reader = RawFileReader.open(file)) {
                for (byte[] message : reader.messages(0, reader.count())) {
                    ReceivedHeap heap;
                    try {
                        heap = StoredHeapCodec.decode(message);
                    } catch (IllegalArgumentException e) {
                        undecodable++;
                        continue;
                    }
                    long cnt = heap.heapCnt();
                    if (!counters.add(cnt)) {
                        o.duplicates++;
                    }
                    long round = cnt >>> 32;
                    long index = cnt - SpeadSourceKind.firstHeapCnt(round);
                    if (round >= rounds || index < 0) {
                        outOfRange++;
                        continue;
                    }
                    if (!heap.isComplete()) {
                        incomplete++;
                        continue;
                    }
                    SpeadSender.fillData(expected, index);
                    if (!holds(heap, index, expected)) {
                        wrongContent++;
                    }
                }
            }
        }
        if (undecodable > 0) {
            o.problems.add(undecodable + " committed heaps do not decode");
        }
        if (o.duplicates > 0) {
            o.problems.add(o.duplicates + " heaps committed more than once (same heap counter)");
        }
        if (outOfRange > 0) {
            o.problems.add(outOfRange + " heap counters outside the ranges of the feed's " + rounds + " rounds");
        }
        if (wrongContent > 0) {
            o.problems.add(wrongContent + " complete heaps whose items differ from what the sender sent");
        }
        o.sent = rounds + " rounds";
        o.notes = "incomplete heaps: " + incomplete;
    }

    private static boolean holds(ReceivedHeap heap, long index, byte[] expectedData) {
        boolean timestamp = false;
        boolean data = false;
        for (SpeadItem item : heap.items()) {
            if (item.id() == SpeadSender.TIMESTAMP_ID) {
                timestamp = item.immediate() && item.asLong() == index;
            } else if (item.id() == SpeadSender.DATA_ID) {
                data = item.value().equals(ByteBuffer.wrap(expectedData));
            }
        }
        return timestamp && data;
    }

    /** The table's header (see {@link #row}). */
    static String header(List<String> readingLabels) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-12s %-8s", "source", "unit"));
        for (int i = 0; i < readingLabels.size(); i++) {
            b.append(String.format(Locale.ROOT, " %12s", "attempt " + (i + 1)));
        }
        return b.append(String.format(Locale.ROOT, " %9s %9s %8s %4s %9s %7s  %s", "sum", "committed", "distinct",
                "dup", "sent", "acked", "other counter per attempt; notes")).toString();
    }

    /** One line: the bound counter per reading, its sum, committed, distinct, duplicates, sent, acked, the other counter. */
    String row(Outcome o) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-12s %-8s", config.name(), unit));
        for (long[] r : readings) {
            b.append(String.format(Locale.ROOT, " %12d", r[0]));
        }
        return b.append(String.format(Locale.ROOT, " %9d %9d %8d %4d %9s %7s  %s %s; %s", boundSum(), o.committed,
                o.distinct, o.duplicates, o.sent, o.acknowledged.isEmpty() ? "-" : o.acknowledged, other.name,
                readings.stream().map(r -> Long.toString(r[1])).collect(Collectors.joining("/")), o.notes)).toString();
    }
}
