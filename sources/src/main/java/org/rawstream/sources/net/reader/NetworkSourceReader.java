package org.rawstream.sources.net.reader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.SourceReaderOptions;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.NetworkSourceConfig;
import org.rawstream.sources.net.ReceiveTimeWatermarks;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.transport.DecodeErrorCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.rawstream.sources.transport.TransportStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader of a {@link org.rawstream.sources.net.NetworkSource}: one fetcher thread runs a
 * {@link NetworkSplitReader} over all of this subtask's endpoints.
 *
 * <p>Acknowledging mode ({@link NetworkProtocol#acknowledgesCheckpoints()}): the emitter notes per
 * connection how many records went downstream; {@link #snapshotState(long)} moves those counts
 * into a pending entry for the checkpoint; {@link #notifyCheckpointComplete(long)} hands every
 * entry up to that checkpoint to the fetcher thread, which calls the connections' decoders. An
 * aborted checkpoint's entry is covered by the next completed one (counts only grow).
 *
 * <p>Time: each record's timestamp is its receive time, and the reader emits the receive-time
 * progress as watermarks ({@link ReceiveTimeWatermarks}), whatever the {@code WatermarkStrategy}
 * (use {@code noWatermarks()}: its per-split generators stay silent).
 */
// close() is inherited from SourceReaderBase, declared "throws Exception" (javac's try lint).
@SuppressWarnings("try")
public final class NetworkSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<Received<T>, T, NetworkSplit, NetworkSplitState> {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkSourceReader.class);
    /** Checkpoints awaiting completion that we keep apart; older ones are merged into newer. */
    private static final int MAX_PENDING_CHECKPOINTS = 64;
    /** Batches the hand-over queue may hold (its memory is bounded by the budget in bytes). */
    private static final int HANDOVER_QUEUE_BATCHES = 1024;

    private final boolean acknowledgeCheckpoints;
    /** Emission mode: acknowledge records once emitted, not once checkpointed. */
    private final boolean emissionAcknowledged;
    private final AcknowledgementHandOff acknowledgements;
    private final Map<String, NetworkSplitState> splitStates = new HashMap<>();
    /** checkpoint id -> split id -> connection id -> records emitted. Task thread only. */
    private final NavigableMap<Long, Map<String, Map<Long, long[]>>> pendingCheckpoints = new TreeMap<>();
    private volatile long pendingAcknowledgements;
    private final ReceiveTimeWatermarks watermarks;

    private NetworkSourceReader(NetworkSourceConfig config, NetworkProtocol<T> protocol, SourceReaderContext context,
            TransportStats stats, DecodeErrorCounter errors, NamedCounters protocolCounters,
            AcknowledgementHandOff acknowledgements, HandoverBudget budget, ReceiveTimeWatermarks watermarks) {
        super(() -> new NetworkSplitReader<>(config, protocol, context.getIndexOfSubtask(), stats, errors,
                        protocolCounters, acknowledgements, budget, watermarks::emitted),
                new NetworkRecordEmitter<>(tracksOrdinals(protocol), watermarks), readerConfiguration(context), context);
        this.watermarks = watermarks;
        this.acknowledgeCheckpoints = protocol.acknowledgesCheckpoints();
        this.emissionAcknowledged = protocol.acknowledgesEmission();
        this.acknowledgements = acknowledgements;
        if (emissionAcknowledged) {
            acknowledgements.setOnBatchEmitted(this::acknowledgeEmitted);
        }
        MetricGroup group = TransportMetrics.register(context.metricGroup(), config.name(),
                !config.udpEndpoints().isEmpty(), !config.tcpEndpoints().isEmpty(), protocol.acknowledgesCheckpoints(),
                stats, errors, protocolCounters, () -> pendingAcknowledgements);
        group.gauge("handoverBytes", (Gauge<Long>) budget::inFlight);
        group.gauge("handoverBytesMax", (Gauge<Long>) budget::maxInFlight);
        group.gauge("handoverWaits", (Gauge<Long>) budget::waits);
        group.gauge("handoverBatches", (Gauge<Integer>) budget::batches);
    }

    /** Whether records carry their connection and ordinal (some acknowledgement mode is on). */
    static boolean tracksOrdinals(NetworkProtocol<?> protocol) {
        return protocol.acknowledgesCheckpoints() || protocol.acknowledgesEmission();
    }

    /**
     * Emission mode, task thread: every record emitted so far is acknowledged (after each
     * hand-over batch, and at close for a batch cut short by a stop).
     */
    private void acknowledgeEmitted() {
        boolean any = false;
        for (Map.Entry<String, NetworkSplitState> e : splitStates.entrySet()) {
            for (Map.Entry<Long, long[]> count : e.getValue().takeEmitted().entrySet()) {
                acknowledgements.offer(new AcknowledgementHandOff.Acknowledgement(e.getKey(), count.getKey(),
                        count.getValue()[0]));
                any = true;
            }
        }
        if (any) {
            acknowledgements.wakeFetcher();
        }
    }

    /**
     * Emission mode: what was emitted is acknowledged before the fetcher closes, which writes the
     * responses owed before it closes the connections (see {@code NetworkSplitReader#close}).
     */
    @Override
    public void close() throws Exception {
        if (emissionAcknowledged) {
            acknowledgeEmitted();
        }
        super.close();
    }

    /**
     * Flink's hand-over queue counts batches (default 2); RawStream bounds it by bytes instead
     * ({@link HandoverBudget}), so the batch count only has to be large enough never to be the
     * limit when fetches are small (a fetch returns as soon as the sockets are drained).
     */
    private static Configuration readerConfiguration(SourceReaderContext context) {
        Configuration c = new Configuration(context.getConfiguration());
        c.set(SourceReaderOptions.ELEMENT_QUEUE_CAPACITY, HANDOVER_QUEUE_BATCHES);
        return c;
    }

    public static <T> NetworkSourceReader<T> create(NetworkSourceConfig config, NetworkProtocol<T> protocol,
            SourceReaderContext context) {
        String owner = config.name() + "[" + context.getIndexOfSubtask() + "]";
        return new NetworkSourceReader<>(config, protocol, context, new TransportStats(),
                new DecodeErrorCounter(owner), new NamedCounters(), new AcknowledgementHandOff(),
                new HandoverBudget(config.handoverBytes(), config.shedAt(), HANDOVER_QUEUE_BATCHES),
                new ReceiveTimeWatermarks());
    }

    /** Then the receive-time watermark (or idleness without a split), see {@link ReceiveTimeWatermarks}. */
    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        InputStatus status = super.pollNext(output);
        watermarks.emitTo(output, !splitStates.isEmpty());
        return status;
    }

    @Override
    protected void onSplitFinished(Map<String, NetworkSplitState> finishedSplitIds) {
        finishedSplitIds.keySet().forEach(splitStates::remove);
    }

    @Override
    protected NetworkSplitState initializedState(NetworkSplit split) {
        NetworkSplitState state = new NetworkSplitState(split);
        splitStates.put(split.splitId(), state);
        return state;
    }

    @Override
    protected NetworkSplit toSplitType(String splitId, NetworkSplitState state) {
        return state.split();
    }

    @Override
    public List<NetworkSplit> snapshotState(long checkpointId) {
        List<NetworkSplit> splits = super.snapshotState(checkpointId);
        if (acknowledgeCheckpoints) {
            Map<String, Map<Long, long[]>> emitted = new HashMap<>();
            splitStates.forEach((id, state) -> {
                Map<Long, long[]> counts = state.takeEmitted();
                if (!counts.isEmpty()) {
                    emitted.put(id, counts);
                }
            });
            if (!emitted.isEmpty()) {
                pendingCheckpoints.put(checkpointId, emitted);
                boundPending();
            }
            pendingAcknowledgements = pendingCheckpoints.size();
        }
        return splits;
    }

    /** If checkpoints stop completing, keep memory bounded: merge the oldest entry into the next. */
    private void boundPending() {
        while (pendingCheckpoints.size() > MAX_PENDING_CHECKPOINTS) {
            Map.Entry<Long, Map<String, Map<Long, long[]>>> oldest = pendingCheckpoints.pollFirstEntry();
            Map<String, Map<Long, long[]>> next = pendingCheckpoints.firstEntry().getValue();
            merge(next, oldest.getValue());
        }
    }

    private static void merge(Map<String, Map<Long, long[]>> into, Map<String, Map<Long, long[]>> from) {
        from.forEach((split, counts) -> {
            Map<Long, long[]> target = into.computeIfAbsent(split, s -> new HashMap<>());
            counts.forEach((conn, count) -> {
                long[] existing = target.get(conn);
                if (existing == null) {
                    target.put(conn, count);
                } else {
                    existing[0] = Math.max(existing[0], count[0]);
                }
            });
        });
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (!acknowledgeCheckpoints || pendingCheckpoints.isEmpty()) {
            return;
        }
        Map<String, Map<Long, long[]>> durable = new HashMap<>();
        Iterator<Map<String, Map<Long, long[]>>> it = pendingCheckpoints.headMap(checkpointId, true).values().iterator();
        while (it.hasNext()) {
            merge(durable, it.next());
            it.remove();
        }
        pendingAcknowledgements = pendingCheckpoints.size();
        if (durable.isEmpty()) {
            return;
        }
        List<AcknowledgementHandOff.Acknowledgement> acks = new ArrayList<>();
        durable.forEach((split, counts) -> counts.forEach((conn, count) ->
                acks.add(new AcknowledgementHandOff.Acknowledgement(split, conn, count[0]))));
        acks.forEach(acknowledgements::offer);
        acknowledgements.wakeFetcher();
        LOG.debug("checkpoint {} complete: {} connection acknowledgements handed to the fetcher", checkpointId, acks.size());
    }
}
