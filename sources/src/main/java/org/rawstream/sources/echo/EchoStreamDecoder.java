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
 *   <li>immediate (not holding): the responses completed by a chunk are written as soon as the
 *       chunk is decoded.</li>
 *   <li>holding: responses are built at once but held until {@link #acknowledge} says their
 *       requests got where they must be before they are answered (under the Flink source:
 *       emitted into the job in "received" mode, in a completed checkpoint in "durable" mode).
 *       The held bytes count against the connection's response budget: the server stops
 *       reading the connection above it (flow control), it never closes it for that.</li>
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
    /**
     * Protocol gauge (a counter that goes both ways): responses built and waiting for their
     * acknowledgement on connections that are still open.
     */
    public static final String RESPONSES_PENDING = "echoResponsesPending";
    /** Protocol counter: responses built but never written because their connection closed first. */
    public static final String RESPONSES_UNSENT = "echoResponsesUnsent";
    /** Largest response buffer kept once all held responses are released. */
    private static final int RETAINED_RESPONSE_BYTES = 256 << 10;

    private final ConnectionContext connection;
    private final boolean durable;
    private final EchoFramer framer;
    private final EchoRequestView view = new EchoRequestView();
    private final Consumer<ByteBuffer> onFrame = this::onFrame;
    private final LongCounter requests;
    private final LongCounter responsesSent;
    private final LongCounter responsesPending;
    private final LongCounter responsesUnsent;

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
     * @param holdUntilAcknowledged hold responses until {@link #acknowledge} (else respond as
     *     received)
     * @param counters protocol counters ({@link #REQUESTS} etc.), shared by the subtask's decoders
     */
    public EchoStreamDecoder(ConnectionContext connection, boolean holdUntilAcknowledged, int maxFrameSize,
            NamedCounters counters) {
        this.connection = connection;
        this.durable = holdUntilAcknowledged;
        this.framer = new EchoFramer(maxFrameSize);
        this.requests = counters.counter(REQUESTS);
        this.responsesSent = counters.counter(RESPONSES_SENT);
        this.responsesPending = counters.counter(RESPONSES_PENDING);
        this.responsesUnsent = counters.counter(RESPONSES_UNSENT);
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

    @Override
    public long heldBytes() {
        return responses.position();
    }

    @Override
    public boolean hasPartialRecord() {
        return framer.hasPartialFrame();
    }

    @Override
    public long bufferedBytes() {
        return (long) framer.bufferedBytes() + responses.capacity() + 4L * lengths.length;
    }

    @Override
    public void connectionClosed() {
        int held = lengthsTail - lengthsHead;
        if (held > 0) {
            responsesUnsent.add(held);
            if (durable) {
                responsesPending.add(-held);
            }
        }
        lengthsHead = 0;
        lengthsTail = 0;
        closed = true;
        responses = ByteBuffer.allocate(0);
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
        if (responses.position() == 0 && responses.capacity() > RETAINED_RESPONSE_BYTES) {
            responses = ByteBuffer.allocate(4096); // a burst should not pin its memory
        }
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
