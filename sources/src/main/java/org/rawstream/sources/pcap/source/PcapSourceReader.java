package org.rawstream.sources.pcap.source;

import java.util.Map;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.MetricGroup;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.ReceiveTimeWatermarks;
import org.rawstream.sources.net.reader.TransportMetrics;
import org.rawstream.sources.pcap.CaptureReplay;
import org.rawstream.sources.transport.DecodeErrorCounter;
import org.rawstream.sources.transport.NamedCounters;

/**
 * The reader of a {@link PcapSource}: asks the enumerator for a file, replays it on the fetcher
 * thread, asks for the next when it is done. Its checkpointed state is each unfinished file with
 * the position after the last record emitted.
 *
 * <p>Time: each record's timestamp is its capture time, and the reader emits the capture-time
 * progress as watermarks ({@link ReceiveTimeWatermarks}), so event-time rules downstream decide a
 * replay at any speed as they decided the live capture.
 */
// close() is inherited from SourceReaderBase, declared "throws Exception" (javac's try lint).
@SuppressWarnings("try")
public final class PcapSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<ReplayedRecord<T>, T, PcapSplit, PcapSplitState> {

    private final ReceiveTimeWatermarks watermarks;

    private PcapSourceReader(PcapSourceConfig config, NetworkProtocol<T> protocol, SourceReaderContext context,
            CaptureReplay.Counters counters, NamedCounters protocolCounters, DecodeErrorCounter errors,
            ReceiveTimeWatermarks watermarks) {
        super(() -> new PcapSplitReader<>(config, protocol, context.getIndexOfSubtask(), counters, protocolCounters, errors),
                new PcapRecordEmitter<>(watermarks), context.getConfiguration(), context);
        this.watermarks = watermarks;
    }

    static <T> PcapSourceReader<T> create(PcapSourceConfig config, NetworkProtocol<T> protocol, SourceReaderContext context) {
        NamedCounters replayCounters = new NamedCounters();
        NamedCounters protocolCounters = new NamedCounters();
        DecodeErrorCounter errors = new DecodeErrorCounter(config.name() + "[" + context.getIndexOfSubtask() + "]");
        MetricGroup g = context.metricGroup().addGroup(TransportMetrics.GROUP).addGroup(config.name());
        TransportMetrics.exposeCounters(g, replayCounters);
        TransportMetrics.exposeCounters(g, protocolCounters);
        TransportMetrics.exposeDecodeErrors(g, errors);
        return new PcapSourceReader<>(config, protocol, context, new CaptureReplay.Counters(replayCounters),
                protocolCounters, errors, new ReceiveTimeWatermarks());
    }

    /** Then the capture-time watermark (see {@link ReceiveTimeWatermarks}). */
    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        InputStatus status = super.pollNext(output);
        watermarks.emitTo(output, getNumberOfCurrentlyAssignedSplits() > 0);
        return status;
    }

    @Override
    public void start() {
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected void onSplitFinished(Map<String, PcapSplitState> finishedSplitIds) {
        context.sendSplitRequest();
    }

    @Override
    protected PcapSplitState initializedState(PcapSplit split) {
        return new PcapSplitState(split);
    }

    @Override
    protected PcapSplit toSplitType(String splitId, PcapSplitState state) {
        return state.toSplit();
    }
}
