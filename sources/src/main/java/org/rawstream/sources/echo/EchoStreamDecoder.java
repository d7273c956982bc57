package org.rawstream.sources.echo;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;
import org.rawstream.sources.transport.AcknowledgingStreamDecoder;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.DecodeErrors;
import org.rawstream.sources.transport.LongCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.rawstream.sources.transport.RecordCollector;

/**
 * The echo server side of one TCP connection: frames and validates pipelined requests, emits
 * each accepted request's payload (api_key through body, exactly as received: what RawStream
 * stores), and answers in order with id = the request's ordinal among the connection's accepted
 * requests (0, 1, 2, ...).
 *
 * <ul>
 *   <li><b>received</b> mode: the responses completed by a chunk are written as soon as the
 *       chunk is decoded.</li>
 *   <li><b>durable</b> mode: responses are built at once but held until {@link #acknowledge}
 *       says the checkpoint holding their requests completed. The held bytes are bounded: past
 *       the bound the connection is closed (and counted), since the peer is not reading and an
 *       unacknowledged request must be retried by the peer anyway.</li>
 * </ul>
 *
 * <p>Rejected frames (bad fields, unknown api_key) are counted and get no response; a framing
 * error closes the connection after the responses already due are written. Runs on the
 * receiving thread only.
 */
public final class EchoStreamDecoder implements AcknowledgingStreamDecoder<byte[]> {
    /** Protocol counter: requests accepted and emitted. */
    public static final String REQUESTS = "echoRequests";
    /** Protocol counter: responses written. */
    public static final String RESPONSES_SENT = "echoResponsesSent";
    /** Protocol counter: responses built and waiting for their checkpoint (durable mode). */
    public static final String RESPONSES_PENDING = "echoResponsesPending";
    /** Protocol counter: connections closed because too many response bytes awaited acknowledgement. */
    public static final String BACKLOG_CLOSED = "echoConnectionsBacklogClosed";

    private final ConnectionContext connection;
    private final boolean durable;
    private final int maxPendingResponseBytes;
    private final EchoFramer framer;
    private final EchoRequestView view = new EchoRequestView();
    private final Consumer<ByteBuffer> onFrame = this::onFrame;
    private final LongCounter requests;
    private final LongCounter responsesSent;
    private final LongCounter responsesPending;
    private final LongCounter backlogClosed;

    /** Responses built and not yet written, from offset 0. */
    private ByteBuffer responses = ByteBuffer.allocate(4096);
    /** Durable mode: byte length of each unsent response, oldest at {@code lengthsHead}. */
    private int[] lengths = new int[64];
    private int lengthsHead;
    private int lengthsTail;
    private long acknowledged;
    private int nextId;
    private boolean closed;
    private RecordCollector<byte[]> out;
    private DecodeErrors errors;

    /**
     * @param durable hold responses until {@link #acknowledge} (else respond as received)
     * @param maxPendingResponseBytes bound on held responses (durable mode)
     * @param counters protocol counters ({@link #REQUESTS} etc.), shared by the subtask's decoders
     */
    public EchoStreamDecoder(ConnectionContext connection, boolean durable, int maxFrameSize,
            int maxPendingResponseBytes, NamedCounters counters) {
        this.connection = connection;
        this.durable = durable;
        this.maxPendingResponseBytes = maxPendingResponseBytes;
        this.framer = new EchoFramer(maxFrameSize);
        this.requests = counters.counter(REQUESTS);
        this.responsesSent = counters.counter(RESPONSES_SENT);
        this.responsesPending = counters.counter(RESPONSES_PENDING);
        this.backlogClosed = counters.counter(BACKLOG_CLOSED);
    }

    @Override
    public boolean feed(ByteBuffer chunk, RecordCollector<byte[]> collector, DecodeErrors decodeErrors) {
        if (closed) {
            chunk.position(chunk.limit());
            return true;
        }
        this.out = collector;
        this.errors = decodeErrors;
        boolean ok = framer.feed(chunk, onFrame);
        if (!ok) {
            decodeErrors.error(framer.protocolError().metricName());
        }
        if (!durable) {
            sendFirst(lengthsTail - lengthsHead, responses.position());
        } else if (responses.position() > maxPendingResponseBytes) {
            // The peer keeps sending without these being acknowledged: stop reading it.
            backlogClosed.increment();
            closed = true;
            connection.close();
        }
        return ok;
    }

    @Override
    public void endOfStream(RecordCollector<byte[]> collector, DecodeErrors decodeErrors) {
        if (framer.endOfStream()) {
            decodeErrors.error(EchoErrorKind.TRUNCATED_AT_EOF.metricName());
        }
    }

    @Override
    public void acknowledge(long durableRecords) {
        long count = Math.min(durableRecords - acknowledged, lengthsTail - lengthsHead);
        if (!durable || count <= 0) {
            return;
        }
        long bytes = 0;
        for (int i = lengthsHead; i < lengthsHead + count; i++) {
            bytes += lengths[i];
        }
        sendFirst((int) count, (int) bytes);
    }

    @Override
    public boolean awaitingAcknowledgement() {
        return durable && lengthsTail > lengthsHead;
    }

    /** Accepted requests so far on this connection (= the next response id). */
    public int requests() {
        return nextId;
    }

    private void onFrame(ByteBuffer payload) {
        EchoErrorKind kind = view.wrap(payload);
        if (kind != null) {
            errors.error(kind.metricName());
            return;
        }
        int before = responses.position();
        responses = EchoBuilder.appendResponse(responses, view, nextId++);
        if (lengthsTail == lengths.length) {
            compactLengths();
        }
        lengths[lengthsTail++] = responses.position() - before;
        if (durable) {
            responsesPending.increment();
        }
        requests.increment();
        out.collect(view.copyPayload());
    }

    /** Writes the oldest {@code count} responses ({@code bytes} bytes) and forgets them. */
    private void sendFirst(int count, int bytes) {
        if (count == 0) {
            return;
        }
        responses.flip();
        ByteBuffer due = responses.duplicate();
        due.limit(bytes);
        connection.send(due); // copies what it queues
        responses.position(bytes);
        responses.compact();
        lengthsHead += count;
        acknowledged += count;
        responsesSent.add(count);
        if (durable) {
            responsesPending.add(-count);
        }
        if (lengthsHead == lengthsTail) {
            lengthsHead = 0;
            lengthsTail = 0;
        }
    }

    private void compactLengths() {
        int live = lengthsTail - lengthsHead;
        if (lengthsHead > 0) {
            System.arraycopy(lengths, lengthsHead, lengths, 0, live);
        }
        lengthsHead = 0;
        lengthsTail = live;
        if (live == lengths.length) {
            lengths = Arrays.copyOf(lengths, lengths.length * 2);
        }
    }
}
