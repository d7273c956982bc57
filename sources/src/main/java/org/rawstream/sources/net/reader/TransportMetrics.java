package org.rawstream.sources.net.reader;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.rawstream.sources.transport.DecodeErrorCounter;
import org.rawstream.sources.transport.LongCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.rawstream.sources.transport.TransportStats;

/**
 * Exposes the transport's plain counters as Flink metrics, under
 * {@code <reader group>.rawstream.<source name>}: counters keep their names
 * ({@code datagramsReceived}, {@code bytesReceived}, ...), {@code connectionsOpen} is a gauge, and
 * each decode error kind appears as {@code decodeErrors_<kind>} the first time it occurs, and each
 * protocol counter ({@link org.rawstream.sources.net.DecoderContext#counters()}) under its own name.
 */
public final class TransportMetrics {
    public static final String GROUP = "rawstream";

    private TransportMetrics() {
    }

    /**
     * Registers the metrics that apply to this source: datagram counters only with UDP endpoints,
     * connection counters and {@code bytesSent} only with TCP endpoints, acknowledgement metrics
     * only for a protocol that acknowledges checkpoints (a metric that is always 0 only confuses).
     */
    static MetricGroup register(MetricGroup readerGroup, String sourceName, boolean udp, boolean tcp,
            boolean acknowledging, TransportStats stats, DecodeErrorCounter errors, NamedCounters protocolCounters,
            LongSupplier acknowledgementsPending) {
        MetricGroup g = readerGroup.addGroup(GROUP).addGroup(sourceName);
        g.counter("bytesReceived", new ReadOnlyCounter(stats::bytesReceived));
        counter(g, "recordsDecoded", stats.recordsDecoded);
        g.gauge("receiveBufferGranted", (Gauge<Long>) stats.receiveBufferGranted::get);
        if (udp) {
            counter(g, "datagramsReceived", stats.datagramsReceived);
            counter(g, "datagramBytesReceived", stats.datagramBytesReceived);
            counter(g, "datagramsOversize", stats.datagramsOversize);
            if (TransportStats.kernelDropsSupported()) {
                g.counter("datagramsDroppedByKernel", new ReadOnlyCounter(stats::datagramsDroppedByKernel));
            }
            counter(g, "datagramReceiveCalls", stats.datagramReceiveCalls);
            counter(g, "datagramGaps", stats.datagramGaps);
        }
        if (tcp) {
            counter(g, "streamBytesReceived", stats.streamBytesReceived);
            counter(g, "connectionsOpened", stats.connectionsOpened);
            counter(g, "connectionsClosed", stats.connectionsClosed);
            counter(g, "connectionsRejected", stats.connectionsRejected);
            counter(g, "connectionsFramingError", stats.connectionsFramingError);
            counter(g, "connectionsOutputOverflow", stats.connectionsOutputOverflow);
            counter(g, "connectionsIdleClosed", stats.connectionsIdleClosed);
            counter(g, "connectionsFrameTimeout", stats.connectionsFrameTimeout);
            counter(g, "readPauses", stats.readPauses);
            counter(g, "bytesSent", stats.bytesSent);
            counter(g, "streamBytesDiscardedAtStop", stats.bytesDiscarded);
            g.gauge("connectionsOpen", (Gauge<Long>) stats::connectionsOpen);
            g.gauge("connectionBufferBytes", (Gauge<Long>) stats.connectionBufferBytes::get);
            g.gauge("connectionBufferBytesMax", (Gauge<Long>) stats.connectionBufferBytesMax::get);
        }
        if (acknowledging) {
            counter(g, "acknowledgements", stats.acknowledgements);
            counter(g, "acknowledgementsDropped", stats.acknowledgementsDropped);
            g.gauge("checkpointsAwaitingAcknowledgement", (Gauge<Long>) acknowledgementsPending::getAsLong);
        }
        exposeDecodeErrors(g, errors);
        exposeCounters(g, protocolCounters);
        return g;
    }

    /** {@code decodeErrors} and one {@code decodeErrors_<kind>} per kind as it first occurs. */
    public static void exposeDecodeErrors(MetricGroup g, DecodeErrorCounter errors) {
        g.counter("decodeErrors", new ReadOnlyCounter(errors::total));
        // Called on the fetcher thread for new kinds; metric groups synchronize registration.
        errors.onNewKind((kind, count) -> counter(g, "decodeErrors_" + kind, count));
    }

    /** Every counter of {@code counters} under its own name, as it is created. */
    public static void exposeCounters(MetricGroup g, NamedCounters counters) {
        counters.onNew((name, count) -> counter(g, name, count));
    }

    private static void counter(MetricGroup group, String name, LongCounter source) {
        group.counter(name, new ReadOnlyCounter(source::get));
    }

    /** A Flink counter view over a transport counter (which only the fetcher thread writes). */
    private static final class ReadOnlyCounter implements Counter {
        private final LongSupplier value;

        ReadOnlyCounter(LongSupplier value) {
            this.value = value;
        }

        @Override
        public void inc() {
            throw new UnsupportedOperationException("read-only view of a transport counter");
        }

        @Override
        public void inc(long n) {
            throw new UnsupportedOperationException("read-only view of a transport counter");
        }

        @Override
        public void dec() {
            throw new UnsupportedOperationException("read-only view of a transport counter");
        }

        @Override
        public void dec(long n) {
            throw new UnsupportedOperationException("read-only view of a transport counter");
        }

        @Override
        public long getCount() {
            return value.getAsLong();
        }
    }
}
