package org.rawstream.sources.net;

import java.io.Serializable;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.transport.AcknowledgingStreamDecoder;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.StreamDecoder;

/**
 * What a wire protocol plugs into {@link NetworkSource}: decoders for its datagram form and its
 * stream form. Shipped with the job graph, hence {@link Serializable}; the decoders it creates
 * are not (they live on the fetcher thread of one subtask).
 *
 * <h2>Responses and acknowledgements</h2>
 * A stream decoder is created with its connection's {@link ConnectionContext} and may write
 * responses through it:
 * <ul>
 *   <li><b>immediate</b>: respond inside {@link StreamDecoder#feed} as each record is collected
 *       (the record is then in the source's hand-over queue: a stop or failure before the task
 *       thread emits it loses it although it was answered).</li>
 *   <li><b>"received" mode</b>: return {@code true} from {@link #acknowledgesEmission()} and
 *       create {@link AcknowledgingStreamDecoder}s: {@code acknowledge} is called on the fetcher
 *       thread once the task thread emitted the records into the job (after each hand-over batch,
 *       and for the rest when the reader closes), so everything answered is in the job before
 *       the next checkpoint barrier: a clean stop (stop-with-savepoint) commits every answered
 *       record.</li>
 *   <li><b>"durable" mode</b>: return {@code true} from {@link #acknowledgesCheckpoints()} and
 *       create {@link AcknowledgingStreamDecoder}s. The source counts, per connection, the records
 *       it emitted before each checkpoint barrier; when that checkpoint completes, the decoder's
 *       {@link AcknowledgingStreamDecoder#acknowledge(long)} is called on the fetcher thread with
 *       the number of that connection's records now durable, and the decoder writes the
 *       responses for them. A connection that closes or fails before then gets no response (the
 *       peer must retry: the records may or may not be in the output). Needs checkpointing
 *       enabled: without it nothing is ever acknowledged; the response latency is about one
 *       checkpoint interval. A peer that half-closes keeps getting responses until they are
 *       all written or {@link org.rawstream.sources.transport.TcpOptions#lingerMillis()} ends.
 *       Ordinals count the records the connection's decoder collected, from 0, so a decoder that
 *       emits one record per request can use them as request ids.</li>
 * </ul>
 */
public interface NetworkProtocol<T> extends Serializable {

    /** A short name for logs and the default metric group, for example {@code "spead"}. */
    String name();

    /**
     * The decoder for one UDP split (endpoint socket). Called on the fetcher thread when the split
     * is opened. Override this form to use protocol counters or the subtask index; the default
     * calls {@link #createDatagramDecoder(NetworkSplit)}.
     */
    default DatagramDecoder<T> createDatagramDecoder(DecoderContext context) {
        return createDatagramDecoder(context.split());
    }

    /**
     * The simple form of {@link #createDatagramDecoder(DecoderContext)}: override one of the two.
     *
     * @throws UnsupportedOperationException if the protocol has no datagram form
     */
    default DatagramDecoder<T> createDatagramDecoder(NetworkSplit split) {
        throw new UnsupportedOperationException(name() + " has no UDP form");
    }

    /**
     * The decoder for one accepted TCP connection on the context's split. Called on the fetcher
     * thread. Override this form to use protocol counters or the subtask index; the default calls
     * {@link #createStreamDecoder(NetworkSplit, ConnectionContext)}.
     */
    default StreamDecoder<T> createStreamDecoder(DecoderContext context, ConnectionContext connection) {
        return createStreamDecoder(context.split(), connection);
    }

    /**
     * The simple form of {@link #createStreamDecoder(DecoderContext, ConnectionContext)}: override
     * one of the two.
     *
     * @throws UnsupportedOperationException if the protocol has no stream form
     */
    default StreamDecoder<T> createStreamDecoder(NetworkSplit split, ConnectionContext connection) {
        throw new UnsupportedOperationException(name() + " has no TCP form");
    }

    /**
     * True when stream decoders are {@link AcknowledgingStreamDecoder}s that want
     * {@code acknowledge} calls after completed checkpoints ("durable" mode). The reader only
     * tracks per-connection ordinals when this is true.
     */
    default boolean acknowledgesCheckpoints() {
        return false;
    }

    /**
     * True when stream decoders are {@link AcknowledgingStreamDecoder}s that want
     * {@code acknowledge} calls once their records were emitted by the task thread ("received"
     * mode). Exclusive with {@link #acknowledgesCheckpoints()}.
     */
    default boolean acknowledgesEmission() {
        return false;
    }
}
