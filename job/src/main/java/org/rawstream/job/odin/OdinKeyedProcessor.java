package org.rawstream.job.odin;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.odin.OdinDataValues;
import org.rawstream.sources.odin.OdinEvent;
import org.rawstream.sources.odin.OdinIdentifierState;
import org.rawstream.sources.odin.OdinInvalidReason;
import org.rawstream.sources.odin.OdinOutput;
import org.rawstream.sources.odin.OdinPacketClassifier;
import org.rawstream.sources.odin.OdinPacketType;
import org.rawstream.sources.odin.OdinReceiverConfig;
import org.rawstream.sources.odin.OdinReceiverContext;
import org.rawstream.sources.odin.OdinSchema;
import org.rawstream.sources.odin.OdinStatistics;
import org.rawstream.sources.odin.OdinTypeDescriptor;
import org.rawstream.sources.odin.source.OdinNamedValues;
import org.rawstream.sources.odin.source.OdinPacket;
import org.rawstream.sources.odin.source.OdinTypes;

/**
 * The ODIN schema join, keyed by identifier ({@link OdinPacket#key()}): keeps one
 * {@link OdinIdentifierState} per key in Flink state (schema, extended identifier assembly, held
 * data, sequence tracking) and lets it handle each packet. Every valid packet goes out as a
 * {@link RawMessage} in arrival order; decoded data, in sequence order, goes to the
 * {@link #VALUES} side output. Processing-time timers expire held data and reorder waits.
 *
 * <p>Limits per subtask: at most {@code maxSchemas} identifiers with a schema,
 * {@code maxPendingIdentifiers} without, and {@code maxHeldBytes} of data held for unknown
 * schemas. All are rebuilt lazily after a restore (a key counts again when its next packet or
 * timer arrives), so right after a restore they are soft: at most what the checkpoint held comes
 * on top, until those keys are met again or their held data expires ({@code heldTimeoutMillis}).
 */
final class OdinKeyedProcessor extends KeyedProcessFunction<Integer, OdinPacket, RawMessage> {

    private static final long serialVersionUID = 1L;

    /** Decoded, named values of data packets, in sequence order per identifier. */
    static final OutputTag<OdinNamedValues> VALUES = new OutputTag<>("odin-values", OdinTypes.NAMED_VALUES);

    private final String sourceName;
    private final int ioGroup;
    private final OdinReceiverConfig config;

    private transient ValueState<OdinIdentifierState> states;
    private transient OdinStatistics statistics;
    private transient OdinReceiverContext receiverContext;
    private transient Set<Integer> keysWithSchema;
    private transient Set<Integer> pendingKeys;

    OdinKeyedProcessor(String sourceName, int ioGroup, OdinReceiverConfig config) {
        this.sourceName = sourceName;
        this.ioGroup = ioGroup;
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        states = getRuntimeContext().getState(new ValueStateDescriptor<>("odin-identifier", OdinTypes.IDENTIFIER_STATE));
        statistics = new OdinStatistics();
        receiverContext = new OdinReceiverContext(config, statistics);
        keysWithSchema = new HashSet<>();
        pendingKeys = new HashSet<>();
        OdinMetrics.register(getRuntimeContext().getMetricGroup(), sourceName, receiverContext);
    }

    @Override
    public void processElement(OdinPacket packet, Context ctx, Collector<RawMessage> out) throws Exception {
        Emitter emitter = new Emitter(ctx, out);
        ByteBuffer buffer = packet.buffer();
        OdinInvalidReason reason = OdinPacketClassifier.classify(buffer, statistics);
        if (reason != null) {
            statistics.rejected(reason); // the source checks headers; kept for packets from elsewhere
            return;
        }
        if (packet.typeCode() == OdinPacketType.EVENT.code()) {
            OdinPacketClassifier.passEvent(buffer, receiverContext, emitter);
            return;
        }
        int key = ctx.getCurrentKey();
        OdinIdentifierState state = states.value();
        if (state == null) {
            // An identifier packet makes a known schema, not a pending one: only the rest is limited here.
            if (packet.typeCode() != OdinPacketType.IDENTIFIER.code() && pendingKeys.size() >= config.maxPendingIdentifiers()) {
                statistics.rejected(OdinInvalidReason.PENDING_LIMIT);
                return;
            }
            state = new OdinIdentifierState(key);
        } else {
            countIfRestored(key, state);
        }
        state.accept(buffer, ctx.timerService().currentProcessingTime(), receiverContext, emitter);
        store(key, state, ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RawMessage> out) throws Exception {
        OdinIdentifierState state = states.value();
        if (state == null) {
            return;
        }
        countIfRestored(ctx.getCurrentKey(), state);
        state.advanceTime(timestamp, receiverContext, new Emitter(ctx, out));
        store(ctx.getCurrentKey(), state, ctx);
    }

    /** A key met for the first time since a restore: its schema and held bytes count again. */
    private void countIfRestored(int key, OdinIdentifierState state) {
        if (keysWithSchema.contains(key) || pendingKeys.contains(key)) {
            return;
        }
        if (state.hasSchema()) {
            keysWithSchema.add(key);
            statistics.countRestoredSchema();
        } else {
            pendingKeys.add(key);
        }
        receiverContext.countRestoredHeld(state.heldBytes());
    }

    /** Writes the state back (or drops it when empty) and arms the timer for its next deadline. */
    private void store(int key, OdinIdentifierState state, Context ctx) throws Exception {
        if (state.hasSchema()) {
            keysWithSchema.add(key);
            pendingKeys.remove(key);
        } else if (state.isEmpty()) {
            pendingKeys.remove(key);
        } else {
            pendingKeys.add(key);
        }
        if (state.isEmpty()) {
            states.clear();
            return;
        }
        states.update(state);
        long deadline = state.nextDeadline(config);
        if (deadline != Long.MAX_VALUE) {
            ctx.timerService().registerProcessingTimeTimer(deadline);
        }
    }

    /**
     * The per-call output of the ODIN core: raw packets to the collector, values to the side
     * output (the shape of every keyed protocol operator: a small emitter per call, passed as an
     * argument; see SPEAD's HeapAssemblyFunction).
     */
    private final class Emitter implements OdinOutput {
        private final Context context;
        private final Collector<RawMessage> collector;

        Emitter(Context ctx, Collector<RawMessage> out) {
            this.context = ctx;
            this.collector = out;
        }

        @Override
        public void packet(OdinPacketType type, int identifier, ByteBuffer packet) {
            byte[] bytes = new byte[packet.remaining()];
            packet.get(packet.position(), bytes);
            collector.collect(new RawMessage(sourceName, ioGroup, bytes));
        }

        @Override
        public void data(OdinSchema schema, Map<Integer, OdinTypeDescriptor> types, ByteBuffer packet) {
            context.output(VALUES, OdinNamedValues.of(OdinDataValues.of(schema, types, packet)));
        }

        @Override
        public void event(OdinEvent event) {
            // stored raw like every packet; nothing else to do
        }
    }
}
