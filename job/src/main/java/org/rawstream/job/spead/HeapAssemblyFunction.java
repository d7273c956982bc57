package org.rawstream.job.spead;

import java.nio.ByteBuffer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.rawstream.sources.spead.FinishedHeapListener;
import org.rawstream.sources.spead.HeapEnd;
import org.rawstream.sources.spead.LiveHeapBudget;
import org.rawstream.sources.spead.LiveHeapTable;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadPacket;
import org.rawstream.sources.spead.SpeadStreamStatistics;
import org.rawstream.sources.spead.source.SpeadPacketRecord;

/**
 * Keyed by (stream, substream): the substream's live heaps in keyed state (a restart keeps the
 * packets of half-received heaps), complete heaps emitted at once, incomplete ones by the window,
 * a processing-time timeout timer, the stop heap or the end of the stream. Duplicates, also of
 * completed heaps, are dropped and counted.
 *
 * <p>Memory: the live heaps of every key of this subtask share one {@link LiveHeapBudget}
 * ({@code live-heap-memory}); new heaps it has no room for are refused and counted per stream
 * ({@code heaps_refused}). Gauges {@code liveHeapBytes}, {@code liveHeapBytesMax},
 * {@code liveHeapMemory}, {@code heapsRefused}, {@code packetsRefused} under
 * {@code rawstream.<source>}.
 */
public final class HeapAssemblyFunction extends KeyedProcessFunction<String, SpeadPacketRecord, SpeadHeapRecord>
        implements FinishedHeapListener, CheckpointListener {
    private static final long serialVersionUID = 1L;

    /** Timers are rounded up to this, so a burst of packets registers few distinct timers. */
    static final long TIMER_GRANULARITY_MILLIS = 100;

    private final String sourceName;
    private final SpeadAssemblyConfig config;

    private transient ValueState<LiveHeapTable> tableState;
    private transient LiveHeapBudget budget;
    private transient SpeadStreamMetrics metrics;
    private transient SpeadPacket packet;
    private transient Collector<SpeadHeapRecord> currentOut;
    private transient String currentStream;
    private transient int currentSubstream;
    private transient LiveHeapTable currentTable;

    public HeapAssemblyFunction(String sourceName, SpeadAssemblyConfig config) {
        this.sourceName = sourceName;
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        tableState = getRuntimeContext().getState(new ValueStateDescriptor<>("live-heaps", SpeadSerializers.LIVE_HEAP_TABLE));
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("rawstream").addGroup(sourceName);
        metrics = new SpeadStreamMetrics(group, SpeadStreamMetrics.ASSEMBLY);
        budget = new LiveHeapBudget(config.liveHeapMemory());
        group.gauge("liveHeapBytes", (Gauge<Long>) budget::used);
        group.gauge("liveHeapBytesMax", (Gauge<Long>) budget::maxUsed);
        group.gauge("liveHeapBytesPinned", (Gauge<Long>) budget::pinned);
        group.gauge("liveHeapMemory", (Gauge<Long>) budget::limit);
        group.gauge("heapsRefused", (Gauge<Long>) budget::heapsRefused);
        group.gauge("packetsRefused", (Gauge<Long>) budget::packetsRefused);
        packet = new SpeadPacket();
    }

    @Override
    public void processElement(SpeadPacketRecord record, Context ctx, Collector<SpeadHeapRecord> out) throws Exception {
        LiveHeapTable table = tableState.value();
        SpeadStreamStatistics stats = metrics.of(record.stream());
        begin(record.stream(), record.substream(), table, out);
        try {
            if (record.isInvalidNotice()) {
                stats.invalid(record.invalidReason()); // dropped at the source; counted per stream here
                return;
            }
            if (record.isShedNotice()) {
                stats.shed(record.shedHeaps(), record.shedPackets()); // shed at the source; counted per stream here
                return;
            }
            if (table != null) {
                table.charge(budget); // a table restored from a snapshot: charge its heaps once
            }
            if (record.isEndOfStream()) {
                if (table != null) {
                    table.flush(budget, stats, this);
                    tableState.clear();
                }
                out.collect(new SpeadHeapRecord(record.stream(), record.substream(), Long.MAX_VALUE, null));
                return;
            }
            // The record's array returns to the source's pool after this call: the table copies
            // the payload into its heap and keeps nothing of the record.
            if (!packet.decodeDatagram(ByteBuffer.wrap(record.array()), 0, record.length())) {
                stats.invalid(packet.invalidReason()); // validated at the source; kept for safety
                return;
            }
            if (table == null) {
                table = new LiveHeapTable(config);
                currentTable = table;
            }
            long now = ctx.timerService().currentProcessingTime();
            int liveBefore = table.liveHeaps();
            table.accept(packet, now, config, budget, stats, this);
            // Kept even without live heaps: its recent-heap memory catches late duplicates.
            tableState.update(table);
            if (table.liveHeaps() > liveBefore) {
                // A new heap: a timer for its timeout. Packets that keep a heap alive do not
                // register more; the timer re-registers for the next due time when it fires.
                ctx.timerService().registerProcessingTimeTimer(roundUp(now + config.heapTimeoutMillis()));
            }
        } finally {
            end();
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SpeadHeapRecord> out) throws Exception {
        LiveHeapTable table = tableState.value();
        if (table == null) {
            return;
        }
        String stream = SpeadPacketRecord.streamOfKey(ctx.getCurrentKey());
        begin(stream, SpeadPacketRecord.substreamOfKey(ctx.getCurrentKey()), table, out);
        try {
            table.charge(budget);
            table.expire(ctx.timerService().currentProcessingTime(), config, budget, metrics.of(stream), this);
            tableState.update(table);
            long due = table.nextExpiryMillis(config);
            if (due != Long.MAX_VALUE) {
                ctx.timerService().registerProcessingTimeTimer(roundUp(due));
            }
        } finally {
            end();
        }
    }

    /** Snapshots written before now no longer need the chunks of heaps finished since they were taken. */
    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        budget.snapshotDone();
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        budget.snapshotDone();
    }

    private static long roundUp(long millis) {
        return (millis / TIMER_GRANULARITY_MILLIS + 1) * TIMER_GRANULARITY_MILLIS;
    }

    private void begin(String stream, int substream, LiveHeapTable table, Collector<SpeadHeapRecord> out) {
        currentStream = stream;
        currentSubstream = substream;
        currentTable = table;
        currentOut = out;
    }

    private void end() {
        currentOut = null;
        currentTable = null;
    }

    @Override
    public void heapFinished(ReceivedHeap heap, HeapEnd end) {
        long low = currentTable == null ? Long.MAX_VALUE : currentTable.minLiveHeapCnt();
        currentOut.collect(new SpeadHeapRecord(currentStream, currentSubstream, low, heap));
    }
}
