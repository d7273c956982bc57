package org.rawstream.sources.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One accepted TCP connection, as seen by its {@link StreamDecoder}. Only to be used on the
 * receiving thread (inside decoder callbacks).
 */
public interface ConnectionContext {
    /** Unique per {@link TcpServer} for its lifetime, starting at 1. */
    long connectionId();

    InetSocketAddress remote();

    /**
     * Queue {@code bytes} (its remaining bytes are copied; the buffer can be reused at once) for
     * writing back to the peer, in call order. Writes never block: when the peer does not read
     * and the connection's output queue exceeds its bound, the connection is closed and counted.
     */
    void send(ByteBuffer bytes);

    /**
     * Close the connection once the output queued so far is written. Reading stops now; records
     * collected and bytes sent after this call are ignored.
     */
    void close();
}
