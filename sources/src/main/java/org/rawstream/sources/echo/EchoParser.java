package org.rawstream.sources.echo;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Streaming echo parser for one connection: fed bytes in arbitrary chunks, it returns every
 * complete, valid message so far (requests on the server side, responses on the client side)
 * and counts every rejection by {@link EchoErrorKind}.
 *
 * <p>This decodes into value objects; a server's hot path uses {@link EchoFramer} with an
 * {@link EchoRequestView} directly instead, which is what this class does internally.
 *
 * @param <M> {@link EchoRequest} or {@link EchoResponse}
 */
public final class EchoParser<M> {
    /** Validates one payload; adds the decoded message to {@code out} or returns the rejection. */
    private interface PayloadDecoder<M> {
        EchoErrorKind decode(ByteBuffer payload, List<M> out);
    }

    private final EchoFramer framer;
    private final PayloadDecoder<M> decoder;
    private final long[] errorCounts = new long[EchoErrorKind.values().length];
    private long accepted;
    private boolean closedCounted;
    private List<M> pending = new ArrayList<>();

    private EchoParser(int maxFrameSize, PayloadDecoder<M> decoder) {
        this.framer = new EchoFramer(maxFrameSize);
        this.decoder = decoder;
    }

    /** A parser of the requests a client sends. */
    public static EchoParser<EchoRequest> forRequests(int maxFrameSize) {
        EchoRequestView view = new EchoRequestView();
        return new EchoParser<>(maxFrameSize, (payload, out) -> {
            EchoErrorKind kind = view.wrap(payload);
            if (kind == null) {
                out.add(view.toRequest());
            }
            return kind;
        });
    }

    /** A parser of the responses a server sends back. */
    public static EchoParser<EchoResponse> forResponses(int maxFrameSize) {
        EchoResponseView view = new EchoResponseView();
        return new EchoParser<>(maxFrameSize, (payload, out) -> {
            EchoErrorKind kind = view.wrap(payload);
            if (kind == null) {
                out.add(view.toResponse());
            }
            return kind;
        });
    }

    /**
     * Consumes {@code chunk} and returns the messages it completed, in order. After a framing
     * error ({@link #isClosed()}) the rest of the input is ignored; messages completed before
     * the error are still returned.
     */
    public List<M> feed(ByteBuffer chunk) {
        if (!framer.feed(chunk, this::onFrame)) {
            EchoErrorKind kind = framer.protocolError();
            if (!closedCounted) {
                closedCounted = true;
                errorCounts[kind.ordinal()]++;
            }
        }
        List<M> done = pending;
        pending = new ArrayList<>();
        return done;
    }

    /** The connection ended: a partial frame is discarded and counted. */
    public void endOfStream() {
        if (framer.endOfStream()) {
            errorCounts[EchoErrorKind.TRUNCATED_AT_EOF.ordinal()]++;
        }
    }

    /** True after a framing error: the connection must be closed. */
    public boolean isClosed() {
        return framer.protocolError() != null;
    }

    public EchoErrorKind protocolError() {
        return framer.protocolError();
    }

    public long errorCount(EchoErrorKind kind) {
        return errorCounts[kind.ordinal()];
    }

    public long totalErrors() {
        long total = 0;
        for (long c : errorCounts) {
            total += c;
        }
        return total;
    }

    /** Messages returned so far. */
    public long accepted() {
        return accepted;
    }

    private void onFrame(ByteBuffer payload) {
        EchoErrorKind kind = decoder.decode(payload, pending);
        if (kind == null) {
            accepted++;
        } else {
            errorCounts[kind.ordinal()]++;
        }
    }
}
