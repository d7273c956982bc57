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
 * <p>Not thread-safe: everything runs on one receiving thread, driven by a {@link SocketPoller}.
 */
public final class TcpServer<T> implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpServer.class);
    /** Reads per connection per readiness event, so one fast peer cannot starve the others. */
    private static final int READS_PER_EVENT = 8;

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
            if (connections.size() >= options.maxConnections()) {
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
        if (connections.isEmpty()) {
            return;
        }
        List<Connection> expired = null;
        long idleNanos = options.idleTimeoutMillis() * 1_000_000L;
        for (Connection c : connections.values()) {
            boolean idle = idleNanos > 0 && !c.inputClosed && nowNanos - c.lastReadNanos > idleNanos;
            boolean lingerOver = c.inputClosed && nowNanos - c.lingerDeadlineNanos > 0;
            if (idle || lingerOver || c.readyToClose()) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(c);
                if (idle) {
                    stats.connectionsIdleClosed.increment();
                }
            }
        }
        if (expired != null) {
            for (Connection c : expired) {
                c.closeNow();
            }
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
        long lastReadNanos = System.nanoTime();
        boolean inputClosed;
        boolean closeRequested;
        boolean closed;
        long lingerDeadlineNanos;
        /** Pending output in write mode; grows up to maxOutputBytes. */
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
            if (output.position() + n > options.maxOutputBytes()) {
                stats.connectionsOutputOverflow.increment();
                errors.error("outputOverflow");
                LOG.debug("tcp connection {} from {}: output queue over {} bytes, closing", id, remote,
                        options.maxOutputBytes());
                closeNow();
                return;
            }
            if (output.remaining() < n) {
                int capacity = Math.min(options.maxOutputBytes(),
                        Math.max(output.position() + n, Math.max(4096, output.capacity() * 2)));
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
        private void stopReading() {
            inputClosed = true;
            lingerDeadlineNanos = System.nanoTime() + options.lingerMillis() * 1_000_000L;
            if (key != null && key.isValid()) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            }
        }

        boolean awaitingAck() {
            return decoder instanceof AcknowledgingStreamDecoder
                    && ((AcknowledgingStreamDecoder<T>) decoder).awaitingAcknowledgement();
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
            }
            if (readyToClose()) {
                closeNow();
            }
            return 1;
        }

        private void read() {
            for (int i = 0; i < READS_PER_EVENT && !inputClosed; i++) {
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
                lastReadNanos = now;
                lastActivityNanos = now;
                if (n < 0) {
                    endOfInput();
                    break;
                }
                stats.streamBytesReceived.add(n);
                readBuffer.flip();
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
            }
            flush();
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
            } catch (IOException e) {
                LOG.debug("tcp connection {} from {}: write failed: {}", id, remote, e.toString());
                output.clear();
                closeNow();
                return;
            }
            output.compact();
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
        }
    }
}
