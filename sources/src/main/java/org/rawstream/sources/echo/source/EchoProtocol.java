package org.rawstream.sources.echo.source;

import java.util.Locale;
import org.rawstream.sources.echo.EchoFramer;
import org.rawstream.sources.echo.EchoStreamDecoder;
import org.rawstream.sources.net.DecoderContext;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.StreamDecoder;

/**
 * The echo protocol for {@link org.rawstream.sources.net.NetworkSource}: a TCP server of
 * pipelined requests, each emitted as its payload bytes and answered in order. Build with
 * {@link #builder()}.
 *
 * <p>Responses are held by the connection's decoder until the source acknowledges their requests:
 * in "received" mode once the task thread emitted them into the job (so a clean stop, whose final
 * savepoint holds everything emitted, commits every answered request), in "durable" mode once the
 * checkpoint holding them completed. Held and unsent responses together are bounded per
 * connection by {@link #maxPendingResponseBytes()}: the TCP endpoint's response budget
 * ({@link org.rawstream.sources.transport.TcpOptions#maxOutputBytes()}), above which the
 * connection is not read until they drain.
 */
public final class EchoProtocol implements NetworkProtocol<byte[]> {
    private static final long serialVersionUID = 1L;

    /** When a request is answered. */
    public enum AckMode {
        /** As soon as the request is decoded and handed to the source. */
        RECEIVED,
        /** Only once the checkpoint containing the request has completed. */
        DURABLE;

        /** {@code received} or {@code durable}, case-insensitive. */
        public static AckMode parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ack mode must be 'received' or 'durable', got '" + value + "'", e);
            }
        }
    }

    /**
     * Default response budget per connection (held for an acknowledgement plus not yet read by the
     * peer). In durable mode one connection gets at most this much answered per checkpoint
     * interval.
     */
    public static final int DEFAULT_MAX_PENDING_RESPONSE_BYTES = 4 * 1024 * 1024;
    /**
     * Default largest request payload the source accepts. Below {@link EchoFramer#DEFAULT_MAX_FRAME_SIZE}
     * (what clients parse): each of {@code max-connections} connections may hold one frame this
     * large, and its answer.
     */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

    private final AckMode ackMode;
    private final int maxFrameSize;
    private final int maxPendingResponseBytes;

    private EchoProtocol(Builder b) {
        this.ackMode = b.ackMode;
        this.maxFrameSize = b.maxFrameSize;
        this.maxPendingResponseBytes = b.maxPendingResponseBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    public AckMode ackMode() {
        return ackMode;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** The response budget of one connection, to configure its TCP endpoint with. */
    public int maxPendingResponseBytes() {
        return maxPendingResponseBytes;
    }

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public StreamDecoder<byte[]> createStreamDecoder(DecoderContext context, ConnectionContext connection) {
        return new EchoStreamDecoder(connection, true, maxFrameSize, context.counters());
    }

    @Override
    public boolean acknowledgesCheckpoints() {
        return ackMode == AckMode.DURABLE;
    }

    @Override
    public boolean acknowledgesEmission() {
        return ackMode == AckMode.RECEIVED;
    }

    @Override
    public String toString() {
        return "EchoProtocol{ack=" + ackMode + ", maxFrameSize=" + maxFrameSize + ", maxPendingResponseBytes="
                + maxPendingResponseBytes + "}";
    }

    /** Builder of {@link EchoProtocol}; defaults: received acks, 1 MiB frames, 4 MiB response budget. */
    public static final class Builder {
        private AckMode ackMode = AckMode.RECEIVED;
        private int maxFrameSize = DEFAULT_MAX_FRAME_BYTES;
        private int maxPendingResponseBytes = DEFAULT_MAX_PENDING_RESPONSE_BYTES;

        private Builder() {
        }

        public Builder ackMode(AckMode mode) {
            this.ackMode = java.util.Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Largest payload size S accepted; a larger size field closes the connection. */
        public Builder maxFrameSize(int bytes) {
            if (bytes < EchoFramer.HEADER_BYTES) {
                throw new IllegalArgumentException("maxFrameSize must be >= " + EchoFramer.HEADER_BYTES);
            }
            this.maxFrameSize = bytes;
            return this;
        }

        /** Response bytes per connection (held plus unsent) above which it is not read. */
        public Builder maxPendingResponseBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxPendingResponseBytes must be >= 1");
            }
            this.maxPendingResponseBytes = bytes;
            return this;
        }

        public EchoProtocol build() {
            return new EchoProtocol(this);
        }
    }
}
