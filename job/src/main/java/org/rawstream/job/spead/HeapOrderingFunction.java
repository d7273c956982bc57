package org.rawstream.job.spead;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.spead.HeapConsumer;
import org.rawstream.sources.spead.HeapSequencer;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.StoredHeapCodec;

/**
 * Keyed by stream: releases the stream's heaps in heap-counter order through a bounded reorder
 * buffer (keyed state), applies the incomplete-heap policy, counts descriptors and gaps, and turns
 * each heap into its stored message for the sink.
 *
 * <p>{@code substreams} may change between a stop and a resume: the per-substream watermarks
 * restored are fitted to the current number (new substreams start unknown; heaps still arriving
 * from substreams beyond it, which only expire, are ordered without holding the watermark).
 *
 * <p>Time ({@link HeapClock}): a heap's arrival is its record's timestamp (in receive time: when
 * the packet that completed it was received, or the expiry time) and the reorder timeout an
 * event-time timer; a processing-time timer restored from an earlier version re-arms in event time.
 *
 * <p>Run by {@link WriteBackKeyedOperator}: on RocksDB each stream's state is kept in memory and
 * written at checkpoints (the reorder buffer holds whole heaps; read and written per heap it
 * would cost the serialisation of every buffered heap for each heap, exactly when heaps are lost
 * and the buffer fills); after a restore it is read the first time its stream is met.
 */
public final class HeapOrderingFunction extends KeyedProcessFunction<String, SpeadHeapRecord, RawMessage>
        implements KeyedWriteBack {
    private static final long serialVersionUID = 1L;

    private final String sourceName;
    private final int ioGroup;
    private final int substreams;
    private final SpeadAssemblyConfig config;
    private final HeapClock clock;

    private transient ValueState<HeapSequencer> sequencerState;
    /** Per substream: the latest low watermark, then (last slot) end-of-stream markers seen. */
    private transient ValueState<long[]> substreamState;
    private transient SpeadStreamMetrics metrics;
    /** Write-back only: each met stream's state (null values: none), and the streams changed since the last write. */
    private transient Map<String, Held> held;
    private transient Set<Held> changed;
    private transient boolean writeBack;

    /** Counting processing time (see {@link HeapClock}). */
    public HeapOrderingFunction(String sourceName, int ioGroup, int substreams, SpeadAssemblyConfig config) {
        this(sourceName, ioGroup, substreams, config, HeapClock.PROCESSING_TIME);
    }

    public HeapOrderingFunction(String sourceName, int ioGroup, int substreams, SpeadAssemblyConfig config,
            HeapClock clock) {
        this.clock = clock;
        this.sourceName = sourceName;
        this.ioGroup = ioGroup;
        this.substreams = substreams;
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        sequencerState = getRuntimeContext().getState(new ValueStateDescriptor<>("sequencer", SpeadSerializers.HEAP_SEQUENCER));
        substreamState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("substreams", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        metrics = new SpeadStreamMetrics(getRuntimeContext().getMetricGroup().addGroup("rawstream").addGroup(sourceName),
                SpeadStreamMetrics.ORDERING);
        held = writeBack ? new HashMap<>() : null;
        changed = writeBack ? new LinkedHashSet<>() : null;
    }

    @Override
    public void enableWriteBack(boolean enabled) {
        writeBack = enabled;
    }

    @Override
    public boolean writesBack() {
        return held != null;
    }

    @Override
    public int keysInMemory() {
        return held == null ? 0 : held.size();
    }

    @Override
    public void writeBack(Consumer<String> setCurrentKey) throws Exception {
        if (changed == null) {
            return;
        }
        for (Held h : changed) {
            setCurrentKey.accept(h.key);
            if (h.sequencer == null) {
                sequencerState.clear();
                substreamState.clear();
                held.remove(h.key); // the stream is over: memory holds only streams with state
            } else {
                sequencerState.update(h.sequencer.copy());
                substreamState.update(h.subs.clone());
            }
        }
        changed.clear();
    }

    /** The current stream's state: in memory when writing back (read from the state the first time). */
    private Held state(String key) throws Exception {
        if (held == null) {
            return new Held(key, sequencerState.value(), substreamState.value());
        }
        Held h = held.get(key);
        if (h == null) {
            h = new Held(key, sequencerState.value(), substreamState.value());
            held.put(key, h);
        }
        return h;
    }

    /** Keeps the current stream's state (null sequencer: cleared). */
    private void keep(Held h, HeapSequencer sequencer, long[] subs) throws Exception {
        if (held == null) {
            if (sequencer == null) {
                sequencerState.clear();
                substreamState.clear();
            } else {
                sequencerState.update(sequencer);
                substreamState.update(subs);
            }
            return;
        }
        h.sequencer = sequencer;
        h.subs = subs;
        changed.add(h);
    }

    /** One stream's ordering state. */
    private static final class Held {
        final String key;
        HeapSequencer sequencer;
        long[] subs;

        Held(String key, HeapSequencer sequencer, long[] subs) {
            this.key = key;
            this.sequencer = sequencer;
            this.subs = subs;
        }
    }

    @Override
    public void processElement(SpeadHeapRecord record, Context ctx, Collector<RawMessage> out) throws Exception {
        Held state = state(ctx.getCurrentKey());
        HeapSequencer sequencer = state.sequencer;
        if (sequencer == null) {
            sequencer = new HeapSequencer();
        }
        long[] subs = fitted(state.subs, substreams);
        HeapConsumer emitter = heap -> deliver(heap, out);
        if (record.isEndOfStream()) {
            subs[substreams]++;
            if (subs[substreams] >= substreams) {
                // Every substream has flushed: the stream is over.
                sequencer.flush(config, metrics.of(record.stream()), emitter);
                keep(state, null, null);
                return;
            }
        } else {
            if (record.substream() < substreams) {
                subs[record.substream()] = record.lowWatermark();
            }
            long now = clock.now(ctx.timestamp(), ctx.timerService());
            sequencer.offer(record.heap(), now, lowWatermark(subs), config, metrics.of(record.stream()), emitter);
        }
        keep(state, sequencer, subs);
        long due = sequencer.nextReleaseMillis(config);
        if (due != Long.MAX_VALUE) {
            clock.register(ctx.timerService(), due);
        }
    }

    /**
     * The per-substream watermarks and end-of-stream count ({@code substreams + 1} slots) for the
     * current {@code substreams}, from what was stored (null: none; another length: written with
     * another {@code substreams} setting).
     */
    static long[] fitted(long[] stored, int substreams) {
        if (stored != null && stored.length == substreams + 1) {
            return stored;
        }
        long[] subs = new long[substreams + 1];
        java.util.Arrays.fill(subs, 0, substreams, Long.MIN_VALUE);
        if (stored != null && stored.length > 0) {
            int kept = Math.min(substreams, stored.length - 1);
            System.arraycopy(stored, 0, subs, 0, kept);
            subs[substreams] = stored[stored.length - 1];
        }
        return subs;
    }

    private long lowWatermark(long[] subs) {
        long low = Long.MAX_VALUE;
        for (int i = 0; i < substreams; i++) {
            low = Math.min(low, subs[i]);
        }
        return low;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RawMessage> out) throws Exception {
        Held state = state(ctx.getCurrentKey());
        HeapSequencer sequencer = state.sequencer;
        long[] subs = state.subs;
        if (sequencer == null || subs == null) {
            return;
        }
        if (!clock.isLegacyTimer(ctx.timeDomain())) {
            sequencer.expire(clock.timerNow(ctx.timerService()), lowWatermark(fitted(subs, substreams)),
                    config, metrics.of(ctx.getCurrentKey()), heap -> deliver(heap, out));
            keep(state, sequencer, subs);
        } // else a timer of an earlier version (processing time): only re-armed in event time
        // Heaps still held wait for their own time: without this timer they would wait for the
        // next heap of the stream (forever, after its last one).
        long due = sequencer.nextReleaseMillis(config);
        if (due != Long.MAX_VALUE) {
            clock.register(ctx.timerService(), due);
        }
    }

    private void deliver(ReceivedHeap heap, Collector<RawMessage> out) {
        // The heap is lent to the sink for the collect() call only: the sink (chained, object
        // reuse) encodes it straight into its batch; a serializing edge or a Flink copy encodes
        // an owned array. Then the lease ends (a consumer that kept the message fails loudly) and
        // the heap's payload chunks go back to the pool.
        RawMessage message = RawMessage.lease(sourceName, ioGroup, new StoredHeap(heap));
        try {
            out.collect(message);
        } finally {
            message.release();
            heap.release();
        }
    }

    /** A heap's stored message (io_version 4.0), written on demand. */
    private static final class StoredHeap implements RawMessage.Body {
        private final ReceivedHeap heap;
        private final int length;

        StoredHeap(ReceivedHeap heap) {
            long n = StoredHeapCodec.encodedLength(heap);
            if (n > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("heap too large to store: " + n);
            }
            this.heap = heap;
            this.length = (int) n;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public void writeTo(ByteBuffer dst) {
            StoredHeapCodec.encode(heap, dst);
        }
    }
}
