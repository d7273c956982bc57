package org.rawstream.sources.transport;

import java.time.Duration;

/** Configuration of one TCP listening endpoint. Immutable; build with {@link #builder(int)}. */
public final class TcpOptions extends EndpointOptions {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final int DEFAULT_READ_CHUNK_BYTES = 64 << 10;
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 4 << 20;
    public static final Duration DEFAULT_LINGER = Duration.ofSeconds(30);

    private final int maxConnections;
    private final int readChunkBytes;
    private final int maxOutputBytes;
    private final long idleTimeoutMillis;
    private final long lingerMillis;
    private final int receiveBufferBytes;

    private TcpOptions(Builder b) {
        super(b);
        this.maxConnections = b.maxConnections;
        this.readChunkBytes = b.readChunkBytes;
        this.maxOutputBytes = b.maxOutputBytes;
        this.idleTimeoutMillis = b.idleTimeoutMillis;
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
                .idleTimeout(Duration.ofMillis(idleTimeoutMillis)).linger(Duration.ofMillis(lingerMillis))
                .receiveBufferBytes(receiveBufferBytes);
    }

    public int maxConnections() { return maxConnections; }
    public int readChunkBytes() { return readChunkBytes; }
    public int maxOutputBytes() { return maxOutputBytes; }
    /** 0 = connections are never closed for idleness. */
    public long idleTimeoutMillis() { return idleTimeoutMillis; }
    public long lingerMillis() { return lingerMillis; }
    /** 0 = the system default. */
    public int receiveBufferBytes() { return receiveBufferBytes; }

    @Override
    public String toString() {
        return "tcp://" + bindHost() + ":" + port() + " maxConnections=" + maxConnections + " readChunk=" + readChunkBytes
                + " maxOutput=" + maxOutputBytes + " idleTimeoutMs=" + idleTimeoutMillis + " lingerMs=" + lingerMillis;
    }

    public static final class Builder extends EndpointOptions.Builder<Builder> {
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int readChunkBytes = DEFAULT_READ_CHUNK_BYTES;
        private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private long idleTimeoutMillis;
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
            if (max <= 0) {
                throw new IllegalArgumentException("maxConnections must be > 0");
            }
            this.maxConnections = max;
            return this;
        }

        /** Size of the read buffer: the largest chunk handed to a decoder at once. */
        public Builder readChunkBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("readChunkBytes must be > 0");
            }
            this.readChunkBytes = bytes;
            return this;
        }

        /** Bound on responses queued per connection; a peer that does not read past it is disconnected. */
        public Builder maxOutputBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxOutputBytes must be > 0");
            }
            this.maxOutputBytes = bytes;
            return this;
        }

        /** Close connections that sent nothing for this long; zero disables (the default). */
        public Builder idleTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be >= 0");
            }
            this.idleTimeoutMillis = timeout.toMillis();
            return this;
        }

        /**
         * After the peer's end of stream, how long a connection may stay open to deliver pending
         * responses (acknowledgements) before it is closed anyway.
         */
        public Builder linger(Duration linger) {
            if (linger.isNegative()) {
                throw new IllegalArgumentException("linger must be >= 0");
            }
            this.lingerMillis = linger.toMillis();
            return this;
        }

        /** SO_RCVBUF for accepted sockets; 0 keeps the system default. */
        public Builder receiveBufferBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("receiveBufferBytes must be >= 0");
            }
            this.receiveBufferBytes = bytes;
            return this;
        }

        public TcpOptions build() {
            return new TcpOptions(this);
        }
    }
}
