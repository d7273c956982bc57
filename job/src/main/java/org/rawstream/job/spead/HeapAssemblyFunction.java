package org.rawstream.job.spead;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.rawstream.sources.spead.FinishedHeapListener;
import org.rawstream.sources.spead.HeapEnd;
import org.rawstream.sources.spead.LiveHeap;
import org.rawstream.sources.spead.LiveHeapBudget;
import org.rawstream.sources.spead.LiveHeapStore;
import org.rawstream.sources.spead.LiveHeapTable;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadPacket;
import org.rawstream.sources.spead.SpeadStreamStatistics;
import org.rawstream.sources.spead.SubstreamAssembler;
import org.rawstream.sources.spead.source.SpeadPacketRecord;

/**
 * Keyed by (stream, substream): the glue between Flink and {@link SubstreamAssembler}, the SPEAD
 * assembly rules. Complete heaps leave at once, incomplete ones by the window, a timeout timer,
 * the stop heap or the end of the stream. Duplicates, also of completed heaps, are dropped and
 * counted.
 *
 * <p>Time ({@link HeapClock}): in receive time a packet's time is its record timestamp and the
 * timeout an event-time timer that fires when the source's watermark passes it; a
 * processing-time timer restored from a savepoint of an earlier version (which counted processing
 * time) only prompts a re-check: it arms the event-time timer of the substream's next expiry.
 *
 * <p>State: assembly works in memory (live heaps attached, a packet copied once into pooled
 * chunks) and writes keyed state at checkpoints only ({@link KeyedHeapStore}, on every backend),
 * per heap so that a serialising backend (RocksDB) writes what changed, not every live heap:
 * {@code heaps} (map: heap counter → bookkeeping), {@code payload-pieces} (map: (heap counter,
 * offset) → received bytes, immutable), {@code substream-heaps} (value: live and recently
 * finished heap counters). A restart keeps the packets of half-received heaps. State of the
 * former layout ({@code live-heaps}: one value with every live heap) is moved into this layout
 * when its key is first met.
 *
 * <p>Memory: the live heaps of every key of this subtask share one {@link LiveHeapBudget}
 * ({@code live-heap-memory}); new heaps it has no room for are refused and counted per stream
 * ({@code heaps_refused}). Gauges {@code liveHeapBytes}, {@code liveHeapBytesMax},
 * {@code liveHeapMemory}, {@code heapsRefused}, {@code packetsRefused} under
 * {@code rawstream.<source>}.
 */
public final class HeapAssemblyFunction extends KeyedProcessFunction<String, SpeadPacketRecord, SpeadHeapRecord>
        implements CheckpointListener, CheckpointedFunction, KeyedWriteBack {
    private static final long serialVersionUID = 1L;

    /** Timers are rounded up to this, so a burst of packets registers few distinct timers. */
    static final long TIMER_GRANULARITY_MILLIS = 100;

    private final String sourceName;
    private final SpeadAssemblyConfig config;
    private final HeapClock clock;

    private transient ValueState<LiveHeapTable> legacyState;
    private transient KeyedHeapStore store;
    private transient SubstreamAssembler assembler;
    private transient SpeadStreamMetrics metrics;
    private transient SpeadPacket packet;
    /** Keys met since this instance started: their restored state is charged and migrated. */
    private transient Set<String> metKeys;
    /**
     * The key of the previous packet and its view: consecutive packets of one key (the common
     * case) skip the lookups. Compared by identity (the source reuses one key object per stream
     * and substream; another object only costs the lookup); forgotten when views may go.
     */
    private transient String lastKey;
    private transient LiveHeapStore lastView;
    /** Reused for every call: finished heaps of the current key to the collector. */
    private transient HeapEmitter emitter;
    /**
     * Set by {@link WriteBackKeyedOperator} before open: whether the backend serialises values
     * (else the pieces in keyed state stay on the JVM's heap and are charged to the budget).
     */
    private transient boolean serialisingBackend;

    /** Counting processing time (see {@link HeapClock}). */
    public HeapAssemblyFunction(String sourceName, SpeadAssemblyConfig config) {
        this(sourceName, config, HeapClock.PROCESSING_TIME);
    }

    public HeapAssemblyFunction(String sourceName, SpeadAssemblyConfig config, HeapClock clock) {
        this.sourceName = sourceName;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public void open(OpenContext openContext) {
        legacyState = getRuntimeContext().getState(new ValueStateDescriptor<>("live-heaps", SpeadSerializers.LIVE_HEAP_TABLE));
        LiveHeapBudget budget = new LiveHeapBudget(config.liveHeapMemory());
        store = new KeyedHeapStore(
                getRuntimeContext().getState(new ValueStateDescriptor<>("substream-heaps", SpeadSerializers.SUBSTREAM_HEAPS)),
                getRuntimeContext().getMapState(heapsState()), getRuntimeContext().getMapState(piecesState()),
                serialisingBackend ? null : budget);
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("rawstream").addGroup(sourceName);
        metrics = new SpeadStreamMetrics(group, SpeadStreamMetrics.ASSEMBLY);
        assembler = new SubstreamAssembler(config, budget);
        group.gauge("liveHeapBytes", (Gauge<Long>) budget::used);
        group.gauge("liveHeapBytesMax", (Gauge<Long>) budget::maxUsed);
        group.gauge("liveHeapBytesPinned", (Gauge<Long>) budget::pinned);
        group.gauge("liveHeapMemory", (Gauge<Long>) budget::limit);
        group.gauge("heapsRefused", (Gauge<Long>) budget::heapsRefused);
        group.gauge("packetsRefused", (Gauge<Long>) budget::packetsRefused);
        packet = new SpeadPacket();
        metKeys = new HashSet<>();
        emitter = new HeapEmitter();
    }

    static MapStateDescriptor<Long, LiveHeap> heapsState() {
        return new MapStateDescriptor<>("heaps", Types.LONG, SpeadSerializers.LIVE_HEAP);
    }

    static MapStateDescriptor<Tuple2<Long, Long>, byte[]> piecesState() {
        return new MapStateDescriptor<>("payload-pieces", SpeadSerializers.PIECE_KEY, SpeadSerializers.PAYLOAD_PIECE);
    }

    @Override
    public void processElement(SpeadPacketRecord record, Context ctx, Collector<SpeadHeapRecord> out) throws Exception {
        SpeadStreamStatistics stats = metrics.of(record.stream());
        if (record.isInvalidNotice()) {
            stats.invalid(record.invalidReason()); // dropped at the source; counted per stream here
            return;
        }
        if (record.isShedNotice()) {
            stats.shed(record.shedHeaps(), record.shedPackets()); // shed at the source; counted per stream here
            return;
        }
        LiveHeapStore store = meet(ctx.getCurrentKey());
        if (record.isGapNotice()) {
            assembler.shedLive(store, stats); // the kernel dropped datagrams: what is live may lack packets
            return;
        }
        HeapEmitter emitter = this.emitter.to(record.stream(), record.substream(), out);
        if (record.isEndOfStream()) {
            assembler.flush(store, stats, emitter);
            out.collect(new SpeadHeapRecord(record.stream(), record.substream(), Long.MAX_VALUE, null));
            return;
        }
        // The record's bytes go back to the receiver (or its pool) after this call: assembly copies
        // the payload into the heap's chunks and keeps nothing of the record. (The record's own
        // buffer: no wrapper allocated per packet.)
        if (!packet.decodeDatagram(record.buffer(), record.start(), record.length())) {
            stats.invalid(packet.invalidReason()); // validated at the source; kept for safety
            return;
        }
        long now = clock.now(ctx.timestamp(), ctx.timerService());
        if (assembler.accept(packet, now, store, stats, emitter)) {
            // A new heap: a timer for its timeout. Packets that keep a heap alive do not
            // register more; the timer re-registers for the next due time when it fires.
            clock.register(ctx.timerService(), roundUp(now + config.heapTimeoutMillis()));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SpeadHeapRecord> out) throws Exception {
        String key = ctx.getCurrentKey();
        LiveHeapStore store = meet(key);
        String stream = SpeadPacketRecord.streamOfKey(key);
        HeapEmitter emitter = this.emitter.to(stream, SpeadPacketRecord.substreamOfKey(key), out);
        long due = clock.isLegacyTimer(ctx.timeDomain())
                ? assembler.nextExpiryMillis(store)
                : assembler.expire(clock.timerNow(ctx.timerService()), store, metrics.of(stream), emitter);
        if (due != Long.MAX_VALUE) {
            clock.register(ctx.timerService(), roundUp(due));
        }
    }

    /**
     * First time this instance meets {@code key}: state of the former layout moves into the
     * per-heap layout, and restored live heaps are charged to the budget.
     */
    private LiveHeapStore meet(String key) throws Exception {
        if (key == lastKey) {
            return lastView;
        }
        LiveHeapStore view = store.of(key);
        lastKey = key;
        lastView = view;
        if (!metKeys.add(key)) {
            return view;
        }
        LiveHeapTable legacy = legacyState.value();
        if (legacy != null) {
            legacy.moveInto(view);
            legacyState.clear();
        }
        assembler.chargeRestored(view);
        return view;
    }

    /** Assembly writes back on every backend (see {@link KeyedHeapStore}); {@code enabled}: the backend serialises values. */
    @Override
    public void enableWriteBack(boolean enabled) {
        serialisingBackend = enabled;
    }

    @Override
    public boolean writesBack() {
        return true;
    }

    /** The subtask's live-heap budget (for tests). */
    LiveHeapBudget budget() {
        return assembler.budget();
    }

    @Override
    public int keysInMemory() {
        return store.keysInMemory();
    }

    @Override
    public void writeBack(Consumer<String> setCurrentKey) throws Exception {
        lastKey = null; // the store forgets views left empty
        lastView = null;
        store.writeBack(setCurrentKey);
    }

    /** Pieces dropped from keyed state after a snapshot began may be in it: held until it completes. */
    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        assembler.budget().snapshotStarted();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        // keyed state only (open)
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        assembler.budget().snapshotDone();
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        assembler.budget().snapshotDone();
    }

    private static long roundUp(long millis) {
        return (millis / TIMER_GRANULARITY_MILLIS + 1) * TIMER_GRANULARITY_MILLIS;
    }

    /** The output of assembly: finished heaps of the current substream to the collector (set per call). */
    private static final class HeapEmitter implements FinishedHeapListener {
        private String stream;
        private int substream;
        private Collector<SpeadHeapRecord> out;

        HeapEmitter to(String stream, int substream, Collector<SpeadHeapRecord> out) {
            this.stream = stream;
            this.substream = substream;
            this.out = out;
            return this;
        }

        @Override
        public void heapFinished(ReceivedHeap heap, HeapEnd end, long lowWatermark) {
            out.collect(new SpeadHeapRecord(stream, substream, lowWatermark, heap));
        }
    }
}
