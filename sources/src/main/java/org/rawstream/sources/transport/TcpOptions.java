package org.rawstream.sources.transport;

import static org.rawstream.core.config.ConfigChecks.atLeast;
import static org.rawstream.core.config.ConfigChecks.notNegative;

import java.time.Duration;

/** Configuration of one TCP listening endpoint. Immutable; build with {@link #builder(int)}. */
public final class TcpOptions extends EndpointOptions {
    private static final long serialVersionUID = 1L;

    /**
     * Connections per endpoint. Every connection may hold one partial frame and its responses,
     * so this multiplies the per-connection bounds (see docs/tcp-sources.md).
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 16;
    public static final int DEFAULT_READ_CHUNK_BYTES = 64 << 10;
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 4 << 20;
    public static final Duration DEFAULT_LINGER = Duration.ofSeconds(30);
    /** Nothing received or sent for this long closes a connection (frees its slot). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** A frame (record) started but not finished within this long closes the connection. */
    public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(30);

    private final int maxConnections;
    private final int readChunkBytes;
    private final int maxOutputBytes;
    private final long idleTimeoutMillis;
    private final long frameTimeoutMillis;
    private final long lingerMillis;
    private final int receiveBufferBytes;

    private TcpOptions(Builder b) {
        super(b);
        this.maxConnections = b.maxConnections;
        this.readChunkBytes = b.readChunkBytes;
        this.maxOutputBytes = b.maxOutputBytes;
        this.idleTimeoutMillis = b.idleTimeoutMillis;
        this.frameTimeoutMillis = b.frameTimeoutMillis;
        this.lingerMillis = b.lingerMillis;
        this.receiveBufferBytes = b.receiveBufferBytes;
    }

    /** @param port TCP port; 0 binds an ephemeral port (tests) */
    public static Builder builder(int port) {
        return new Builder(port);
    }

    public Builder toBuilder() {
        return new Builder(port()).bindHost(bindHost()).maxConnections(maxConnections)
                .readChunkBytes(readChunkBytes).maxOutputBytes(maxOutputBytes)
                .idleTimeout(Duration.ofMillis(idleTimeoutMillis)).frameTimeout(Duration.ofMillis(frameTimeoutMillis))
                .linger(Duration.ofMillis(lingerMillis))
                .receiveBufferBytes(receiveBufferBytes);
    }

    public int maxConnections() { return maxConnections; }
    public int readChunkBytes() { return readChunkBytes; }
    /** Response bytes per connection (unsent plus held by the decoder) above which reading pauses. */
    public int maxOutputBytes() { return maxOutputBytes; }
    /** 0 = connections are never closed for idleness. */
    public long idleTimeoutMillis() { return idleTimeoutMillis; }
    /** 0 = a partial frame may take any time. */
    public long frameTimeoutMillis() { return frameTimeoutMillis; }
    public long lingerMillis() { return lingerMillis; }
    /** 0 = the system default. */
    public int receiveBufferBytes() { return receiveBufferBytes; }

    @Override
    public String toString() {
        return "tcp://" + bindHost() + ":" + port() + " maxConnections=" + maxConnections + " readChunk=" + readChunkBytes
                + " maxOutput=" + maxOutputBytes + " idleTimeoutMs=" + idleTimeoutMillis + " frameTimeoutMs=" + frameTimeoutMillis + " lingerMs=" + lingerMillis;
    }

    public static final class Builder extends EndpointOptions.Builder<Builder> {
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int readChunkBytes = DEFAULT_READ_CHUNK_BYTES;
        private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private long idleTimeoutMillis = DEFAULT_IDLE_TIMEOUT.toMillis();
        private long frameTimeoutMillis = DEFAULT_FRAME_TIMEOUT.toMillis();
        private long lingerMillis = DEFAULT_LINGER.toMillis();
        private int receiveBufferBytes;

        private Builder(int port) {
            super(port);
        }

        @Override
        Builder self() {
            return this;
        }

        /** Connections beyond this are accepted and closed at once (counted as rejected). */
        public Builder maxConnections(int max) {
            this.maxConnections = atLeast(max, 1, "maxConnections");
            return this;
        }

        /** Size of the read buffer: the largest chunk handed to a decoder at once. */
        public Builder readChunkBytes(int bytes) {
            this.readChunkBytes = atLeast(bytes, 1, "readChunkBytes");
            return this;
        }

        /**
         * The response budget of one connection: when its responses not yet written plus those its
         * decoder holds for an acknowledgement exceed this, the connection is not read (TCP
         * backpressure on the peer) until they drain below it again.
         */
        public Builder maxOutputBytes(int bytes) {
            this.maxOutputBytes = atLeast(bytes, 1, "maxOutputBytes");
            return this;
        }

        /**
         * Close connections on which no byte was received or sent for this long (60 s by
         * default; zero disables). A connection whose responses wait for a checkpoint is not idle.
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeoutMillis = notNegative(timeout, "idleTimeout").toMillis();
            return this;
        }

        /**
         * Close connections whose current frame (the record the decoder is assembling) was started
         * this long ago and is still not complete (30 s by default; zero disables). Time in which
         * the server paused reading the connection does not count.
         */
        public Builder frameTimeout(Duration timeout) {
            this.frameTimeoutMillis = notNegative(timeout, "frameTimeout").toMillis();
            return this;
        }

        /**
         * After the peer's end of stream, how long a connection may stay open to deliver pending
         * responses (acknowledgements) before it is closed anyway.
         */
        public Builder linger(Duration linger) {
            this.lingerMillis = notNegative(linger, "linger").toMillis();
            return this;
        }

        /** SO_RCVBUF for accepted sockets; 0 keeps the system default. */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBufferBytes = atLeast(bytes, 0, "receiveBufferBytes");
            return this;
        }

        public TcpOptions build() {
            return new TcpOptions(this);
        }
    }
}
