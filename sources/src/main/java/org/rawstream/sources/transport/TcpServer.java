package org.rawstream.sources.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP listening endpoint: accepts connections up to a limit, feeds each connection's bytes to
 * its own {@link StreamDecoder}, and writes responses queued through {@link ConnectionContext}
 * without blocking.
 *
 * <p>Flow control: a connection whose responses (unsent, plus those its decoder holds for an
 * acknowledgement) exceed {@link TcpOptions#maxOutputBytes()} is not read until they drain to half
 * of it, so a peer that sends faster than it reads is slowed by TCP instead of disconnected.
 * Connection hygiene: a connection on which nothing moved for the idle timeout, or whose current
 * frame is not complete within the frame timeout, is closed and counted, so held connections
 * cannot keep the slots of {@link TcpOptions#maxConnections()} forever.
 *
 * <p>Not thread-safe: everything runs on one receiving thread, driven by a {@link SocketPoller}.
 */
public final class TcpServer<T> implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpServer.class);
    /** Reads per connection per readiness event, so one fast peer cannot starve the others. */
    private static final int READS_PER_EVENT = 8;
    /** Largest output buffer kept by a connection once its responses are all written. */
    private static final int RETAINED_OUTPUT_BYTES = 256 << 10;

    private final TcpOptions options;
    private final ServerSocketChannel serverChannel;
    private final Function<ConnectionContext, StreamDecoder<T>> decoderFactory;
    private final ConnectionRecordCollector<T> out;
    private final DecodeErrors errors;
    private final TransportStats stats;
    private final ByteBuffer readBuffer;
    private final Map<Long, Connection> connections = new HashMap<>();
    private Selector selector;
    private long nextConnectionId = 1;
    private volatile long lastActivityNanos;
    private volatile int openConnections;
    /** Stopping: accept and read nothing more, only write what is owed. */
    private boolean draining;
    /** This server's share of {@link TransportStats#connectionBufferBytes}, as last reported. */
    private long reportedBufferBytes;

    private TcpServer(TcpOptions options, ServerSocketChannel serverChannel,
            Function<ConnectionContext, StreamDecoder<T>> decoderFactory, ConnectionRecordCollector<T> out,
            DecodeErrors errors, TransportStats stats) {
        this.options = options;
        this.serverChannel = serverChannel;
        this.decoderFactory = decoderFactory;
        this.out = out;
        this.errors = errors;
        this.stats = stats;
        this.readBuffer = ByteBuffer.allocateDirect(options.readChunkBytes());
    }

    /**
     * Bind the listening socket.
     *
     * @param decoderFactory called once per accepted connection, on the receiving thread
     */
    public static <T> TcpServer<T> open(TcpOptions options, Function<ConnectionContext, StreamDecoder<T>> decoderFactory,
            ConnectionRecordCollector<T> out, DecodeErrors errors, TransportStats stats) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (options.receiveBufferBytes() > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferBytes());
            }
            channel.bind(new InetSocketAddress(InetAddress.getByName(options.bindHost()), options.port()),
                    options.maxConnections());
            LOG.info("tcp server listening on {} ({})", channel.getLocalAddress(), options);
            return new TcpServer<>(options, channel, decoderFactory, out, errors, stats);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Register the listening socket; accepted connections register with the same selector. */
    void register(Selector sel) throws IOException {
        this.selector = sel;
        SelectionHandler onAccept = key -> key.isValid() && key.isAcceptable() ? acceptAll() : 0;
        serverChannel.register(sel, SelectionKey.OP_ACCEPT, onAccept);
    }

    private int acceptAll() {
        int accepted = 0;
        while (true) {
            SocketChannel ch;
            try {
                ch = serverChannel.accept();
            } catch (IOException e) {
                LOG.warn("tcp {}: accept failed: {}", options.port(), e.toString());
                return accepted;
            }
            if (ch == null) {
                return accepted;
            }
            accepted++;
            if (draining || connections.size() >= options.maxConnections()) {
                stats.connectionsRejected.increment();
                closeQuietly(ch);
                LOG.debug("tcp: connection rejected, limit {} reached", options.maxConnections());
                continue;
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
                Connection c = new Connection(nextConnectionId++, ch, remote);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                c.lastIoNanos = System.nanoTime();
                connections.put(c.id, c);
                openConnections = connections.size();
                stats.connectionsOpened.increment();
                lastActivityNanos = System.nanoTime();
                try {
                    c.decoder = decoderFactory.apply(c);
                } catch (RuntimeException e) {
                    LOG.warn("tcp: creating the decoder for connection {} failed", c.id, e);
                    errors.error("decoderException");
                    c.closeNow();
                }
            } catch (IOException e) {
                LOG.warn("tcp: setting up an accepted connection failed: {}", e.toString());
                closeQuietly(ch);
            }
        }
    }

    /**
     * Periodic housekeeping: close idle connections and connections whose linger time after end
     * of stream has run out. Cheap; call it once per poll.
     */
    void maintain(long nowNanos) {
        reportBufferBytes();
        if (connections.isEmpty()) {
            return;
        }
        List<Connection> expired = null;
        List<Connection> frameTimedOut = null;
        long idleNanos = options.idleTimeoutMillis() * 1_000_000L;
        long frameNanos = options.frameTimeoutMillis() * 1_000_000L;
        for (Connection c : connections.values()) {
            boolean idle = idleNanos > 0 && c.idle(nowNanos, idleNanos);
            boolean lingerOver = c.inputClosed && nowNanos - c.lingerDeadlineNanos > 0;
            if (idle || lingerOver || c.readyToClose()) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(c);
                if (idle) {
                    stats.connectionsIdleClosed.increment();
                    LOG.debug("tcp connection {} from {}: idle for {} ms, closing", c.id, c.remote,
                            options.idleTimeoutMillis());
                }
            } else if (frameNanos > 0 && !draining && c.frameOverdue(nowNanos, frameNanos)) {
                if (frameTimedOut == null) {
                    frameTimedOut = new ArrayList<>();
                }
                frameTimedOut.add(c);
            }
        }
        if (expired != null) {
            for (Connection c : expired) {
                if (!c.inputClosed) {
                    c.endOfInput(); // an idle peer's partial frame is counted, a stream is ended
                }
                c.closeNow();
            }
        }
        if (frameTimedOut != null) {
            for (Connection c : frameTimedOut) {
                stats.connectionsFrameTimeout.increment();
                LOG.debug("tcp connection {} from {}: frame not complete within {} ms, closing", c.id, c.remote,
                        options.frameTimeoutMillis());
                c.abandonInput();
            }
        }
    }

    private void reportBufferBytes() {
        long bytes = 0;
        for (Connection c : connections.values()) {
            bytes += c.output.capacity() + (c.decoder == null ? 0 : c.decoder.bufferedBytes());
        }
        if (bytes != reportedBufferBytes) {
            stats.connectionBufferBytes.add(bytes - reportedBufferBytes);
            reportedBufferBytes = bytes;
            if (stats.connectionBufferBytes.get() > stats.connectionBufferBytesMax.get()) {
                stats.connectionBufferBytesMax.set(stats.connectionBufferBytes.get());
            }
        }
    }

    /**
     * Stopping, step 1: accept no more connections and decode nothing more. Connections are still
     * read, but what arrives is discarded (unread input would make the close a reset, which can
     * destroy responses the peer has not read yet); responses are still written.
     */
    public void drain() {
        if (draining) {
            return;
        }
        draining = true;
        for (Connection c : connections.values()) {
            if (!c.inputClosed) {
                c.readPaused = false; // no more responses come from what arrives now
                c.setReadInterest(true);
            }
        }
    }

    /**
     * Stopping, step 2 (after the last acknowledgements were delivered): end every connection
     * gracefully — once its responses are written, its sending side is shut (the peer reads them
     * all, then the end of the stream), and it is closed when the peer closes or at
     * {@link #close()}. Poll until {@link #openConnections()} is 0 or a deadline passes.
     */
    public void finish() {
        drain();
        for (Connection c : new ArrayList<>(connections.values())) {
            c.finishing = true;
            c.finishIfWritten();
        }
    }

    /**
     * Durable mode: the first {@code durableRecords} records of connection {@code connectionId}
     * are durable. Delivered to the connection's decoder if it is an
     * {@link AcknowledgingStreamDecoder} and the connection is still open.
     *
     * @return false if the connection is gone (the acknowledgement is dropped and counted)
     */
    public boolean acknowledge(long connectionId, long durableRecords) {
        Connection c = connections.get(connectionId);
        if (c == null || !(c.decoder instanceof AcknowledgingStreamDecoder)) {
            stats.acknowledgementsDropped.increment();
            return false;
        }
        ((AcknowledgingStreamDecoder<T>) c.decoder).acknowledge(durableRecords);
        stats.acknowledgements.increment();
        c.flush();
        if (!c.closed && c.readPaused) {
            c.resumeIfDrained();
        }
        if (c.readyToClose()) {
            c.closeNow();
        }
        return true;
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) serverChannel.getLocalAddress();
    }

    public int openConnections() {
        return openConnections;
    }


    /** {@link System#nanoTime()} of the last accepted connection or received byte, 0 if none. */
    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    public TcpOptions options() {
        return options;
    }

    /** Closes every connection (without end-of-stream processing) and the listening socket. */
    @Override
    public void close() throws IOException {
        for (Connection c : new ArrayList<>(connections.values())) {
            c.closeNow();
        }
        reportBufferBytes();
        serverChannel.close();
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do: the connection is gone either way
        }
    }

    /** One accepted connection. */
    private final class Connection implements ConnectionContext, SelectionHandler {
        final long id;
        final SocketChannel channel;
        final InetSocketAddress remote;
        SelectionKey key;
        StreamDecoder<T> decoder;
        long ordinal;
        /** Last time a byte was received or written. */
        long lastIoNanos = System.nanoTime();
        /** When the frame the decoder is assembling started; 0 when none is partial. */
        long frameStartNanos;
        boolean inputClosed;
        /** Not read because the responses exceed the budget (flow control). */
        boolean readPaused;
        long pausedSinceNanos;
        boolean closeRequested;
        /** Stopping: shut the output once written, then close when the peer does. */
        boolean finishing;
        boolean outputShut;
        boolean closed;
        long lingerDeadlineNanos;
        /**
         * Pending output in write mode. Flow control keeps it within the response budget plus the
         * responses of one read chunk; the hard limit only catches a decoder that ignores it.
         */
        ByteBuffer output = ByteBuffer.allocate(0);
        final RecordCollector<T> collector = this::emit;

        Connection(long id, SocketChannel channel, InetSocketAddress remote) {
            this.id = id;
            this.channel = channel;
            this.remote = remote;
        }

        private void emit(T record) {
            if (closeRequested) {
                return; // the decoder closed its connection: nothing after that counts
            }
            stats.recordsDecoded.increment();
            out.collect(record, id, ordinal++);
        }

        @Override
        public long connectionId() {
            return id;
        }

        @Override
        public InetSocketAddress remote() {
            return remote;
        }

        @Override
        public void send(ByteBuffer bytes) {
            if (closed || closeRequested) {
                return;
            }
            int n = bytes.remaining();
            long hardLimit = hardOutputLimit();
            if (output.position() > hardLimit) {
                stats.connectionsOutputOverflow.increment();
                errors.error("outputOverflow");
                LOG.warn("tcp connection {} from {}: output queue over {} bytes despite flow control, closing", id,
                        remote, hardLimit);
                closeNow();
                return;
            }
            if (output.remaining() < n) {
                // Doubling up to the budget, exact growth beyond it: the capacity stays within the
                // most the flow control lets the content reach.
                long doubled = Math.min(Math.max(4096L, output.capacity() * 2L), options.maxOutputBytes());
                int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(output.position() + (long) n, doubled));
                ByteBuffer grown = ByteBuffer.allocate(capacity);
                output.flip();
                grown.put(output);
                output = grown;
            }
            output.put(bytes);
        }

        @Override
        public void close() {
            if (closed || closeRequested) {
                return;
            }
            closeRequested = true;
            stopReading();
        }

        /** No more input: stop selecting for reads and start the linger clock for pending output. */
        void stopReading() {
            if (inputClosed) {
                return;
            }
            inputClosed = true;
            readPaused = false;
            frameStartNanos = 0;
            lingerDeadlineNanos = System.nanoTime() + options.lingerMillis() * 1_000_000L;
            setReadInterest(false);
        }

        /**
         * The frame timeout ran out: treat it as the end of the input (the partial frame is
         * discarded and counted by the decoder); responses owed are still written within the
         * linger time.
         */
        void abandonInput() {
            endOfInput();
            if (readyToClose()) {
                closeNow();
            }
        }

        private void setReadInterest(boolean read) {
            if (key != null && key.isValid()) {
                int ops = key.interestOps();
                int wanted = read ? ops | SelectionKey.OP_READ : ops & ~SelectionKey.OP_READ;
                if (wanted != ops) {
                    key.interestOps(wanted);
                }
            }
        }

        boolean awaitingAck() {
            return decoder instanceof AcknowledgingStreamDecoder
                    && ((AcknowledgingStreamDecoder<T>) decoder).awaitingAcknowledgement();
        }

        /** Responses of this connection in memory: unsent plus held for an acknowledgement. */
        long responseBytes() {
            long held = decoder instanceof AcknowledgingStreamDecoder
                    ? ((AcknowledgingStreamDecoder<T>) decoder).heldBytes() : 0;
            return output.position() + held;
        }

        /**
         * Queued output past which a further send closes the connection: far above what flow
         * control lets accumulate (the budget, plus the answers to one read chunk — a response is
         * at most a few times its request: allow 4 chunks — doubled for a release of held
         * responses while unsent ones remain), so only a decoder that ignores it reaches this.
         * One send of any size is queued while below it (one answer may be as large as a frame).
         */
        private long hardOutputLimit() {
            return Math.min(Integer.MAX_VALUE - 8, 2L * options.maxOutputBytes() + 4L * options.readChunkBytes());
        }

        /** Flow control: stop reading while the responses exceed the budget. */
        private boolean pauseIfOverBudget() {
            if (responseBytes() <= options.maxOutputBytes()) {
                return false;
            }
            readPaused = true;
            pausedSinceNanos = System.nanoTime();
            stats.readPauses.increment();
            setReadInterest(false);
            return true;
        }

        /** Flow control: read again once the responses are down to half the budget. */
        void resumeIfDrained() {
            if (!readPaused || inputClosed || responseBytes() > options.maxOutputBytes() / 2) {
                return;
            }
            readPaused = false;
            long now = System.nanoTime();
            if (frameStartNanos != 0) {
                frameStartNanos += now - pausedSinceNanos; // paused time is not the peer's
            }
            lastIoNanos = Math.max(lastIoNanos, now);
            setReadInterest(true);
        }

        /**
         * Idle: no byte moved either way for the timeout, and the server owes the peer nothing it
         * is only waiting to be allowed to send (responses held for a checkpoint).
         */
        boolean idle(long now, long idleNanos) {
            if (inputClosed || now - lastIoNanos <= idleNanos) {
                return false;
            }
            return output.position() > 0 || !awaitingAck();
        }

        boolean frameOverdue(long now, long frameNanos) {
            return !inputClosed && !readPaused && frameStartNanos != 0 && now - frameStartNanos > frameNanos;
        }

        boolean readyToClose() {
            return !closed && inputClosed && output.position() == 0 && (closeRequested || !awaitingAck());
        }

        @Override
        public int onSelected(SelectionKey k) {
            if (closed) {
                return 0;
            }
            if (!k.isValid()) {
                closeNow();
                return 0;
            }
            if (k.isReadable()) {
                read();
            }
            if (!closed && k.isValid() && k.isWritable()) {
                flush();
                if (!closed && readPaused) {
                    resumeIfDrained();
                }
            }
            if (finishing) {
                finishIfWritten();
                return 1;
            }
            if (readyToClose()) {
                closeNow();
            }
            return 1;
        }

        /** Stopping: read and drop whatever the peer still sends; its end closes a finished connection. */
        private void discardInput() {
            for (int i = 0; i < READS_PER_EVENT; i++) {
                readBuffer.clear();
                int n;
                try {
                    n = channel.read(readBuffer);
                } catch (IOException e) {
                    n = -1;
                }
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    // A half-close still wants its answers: finishIfWritten closes it after them.
                    inputClosed = true;
                    setReadInterest(false);
                    if (outputShut) {
                        closeNow();
                    }
                    return;
                }
                stats.bytesDiscarded.add(n);
            }
        }

        /** Stopping: once everything owed is written, end the stream towards the peer. */
        void finishIfWritten() {
            if (closed || outputShut || output.position() > 0) {
                return;
            }
            outputShut = true;
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                closeNow();
                return;
            }
            if (inputClosed) {
                closeNow();
            } else {
                setReadInterest(true); // wait for the peer's end, dropping what it still sends
            }
        }

        private void read() {
            if (draining) {
                discardInput();
                return;
            }
            for (int i = 0; i < READS_PER_EVENT && !inputClosed && !readPaused; i++) {
                readBuffer.clear();
                int n;
                try {
                    n = channel.read(readBuffer);
                } catch (IOException e) {
                    // Reset by peer and the like: treat as the end of the stream.
                    LOG.debug("tcp connection {} from {}: read failed: {}", id, remote, e.toString());
                    n = -1;
                }
                if (n == 0) {
                    break;
                }
                long now = System.nanoTime();
                lastIoNanos = now;
                lastActivityNanos = now;
                if (n < 0) {
                    endOfInput();
                    break;
                }
                stats.streamBytesReceived.add(n);
                readBuffer.flip();
                long recordsBefore = ordinal;
                boolean ok;
                try {
                    ok = decoder.feed(readBuffer, collector, errors);
                } catch (RuntimeException e) {
                    // A decoder bug must not take the whole source down: treat it as a framing error.
                    LOG.warn("tcp connection {} from {}: decoder threw, closing", id, remote, e);
                    errors.error("decoderException");
                    ok = false;
                }
                if (!ok) {
                    stats.connectionsFramingError.increment();
                    LOG.debug("tcp connection {} from {}: framing error, closing", id, remote);
                    flush();
                    closeNow();
                    return;
                }
                trackFrame(now, ordinal != recordsBefore);
                if (pauseIfOverBudget()) {
                    break;
                }
            }
            flush();
            if (readPaused) {
                resumeIfDrained();
            }
        }

        /** Frame timeout clock: starts with the read that began a frame the decoder still holds. */
        private void trackFrame(long now, boolean recordsCompleted) {
            if (!decoder.hasPartialRecord()) {
                frameStartNanos = 0;
            } else if (frameStartNanos == 0 || recordsCompleted) {
                frameStartNanos = now;
            }
        }

        private void endOfInput() {
            stopReading();
            try {
                decoder.endOfStream(collector, errors);
            } catch (RuntimeException e) {
                LOG.warn("tcp connection {} from {}: decoder threw at end of stream", id, remote, e);
                errors.error("decoderException");
            }
        }

        /** Write what the socket takes now; wait for OP_WRITE for the rest. */
        void flush() {
            if (closed || output.position() == 0) {
                return;
            }
            output.flip();
            try {
                int n = channel.write(output);
                stats.bytesSent.add(n);
                if (n > 0) {
                    lastIoNanos = System.nanoTime();
                }
            } catch (IOException e) {
                LOG.debug("tcp connection {} from {}: write failed: {}", id, remote, e.toString());
                output.clear();
                closeNow();
                return;
            }
            output.compact();
            if (output.position() == 0 && output.capacity() > RETAINED_OUTPUT_BYTES) {
                output = ByteBuffer.allocate(0); // a burst of responses should not pin its memory
            }
            if (key.isValid()) {
                int ops = key.interestOps();
                int wanted = output.position() > 0 ? ops | SelectionKey.OP_WRITE : ops & ~SelectionKey.OP_WRITE;
                if (wanted != ops) {
                    key.interestOps(wanted);
                }
            }
        }

        void closeNow() {
            if (closed) {
                return;
            }
            closed = true;
            if (key != null) {
                key.cancel();
            }
            closeQuietly(channel);
            connections.remove(id);
            openConnections = connections.size();
            stats.connectionsClosed.increment();
            output = ByteBuffer.allocate(0);
            if (decoder != null) {
                try {
                    decoder.connectionClosed();
                } catch (RuntimeException e) {
                    LOG.warn("tcp connection {} from {}: decoder threw when closed", id, remote, e);
                    errors.error("decoderException");
                }
            }
        }
    }
}
