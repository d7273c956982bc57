package org.rawstream.sources.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * How a {@link UdpReceiver} takes datagrams out of its socket: one implementation per way of
 * calling the kernel ({@link ChannelDatagramReader}: the JDK's one call per datagram;
 * {@link RecvmmsgReader}: Linux's batch call with GRO). Receiving thread only.
 */
interface DatagramReader {
    /**
     * Reads what is waiting, without blocking, and hands each datagram to {@code sink}; stops once
     * at least {@code max} datagrams were read (a batch call may end a few beyond) or the socket is
     * empty.
     *
     * @return the datagrams read
     */
    int read(int max, Sink sink) throws IOException;

    /** For the log: how this reader reads. */
    String description();

    /**
     * During {@link Sink#accept}: a loan of the memory holding the datagram being delivered, so the
     * caller can keep it without copying, or null where this reader cannot lend (copy then).
     */
    default ReceiveArea lend() {
        return null;
    }

    /** The socket is closing: let go of the reader's memory (areas still lent are dropped when released). */
    default void close() {
    }

    /** Receives each datagram of a {@link #read}. */
    @FunctionalInterface
    interface Sink {
        /**
         * @param datagram a view from position to limit, valid during the call
         * @param truncated the datagram was longer than the reader's buffer (its end is missing)
         */
        void accept(ByteBuffer datagram, InetSocketAddress sender, boolean truncated);

        /**
         * The kernel dropped {@code datagrams} datagrams of this socket (its receive buffer was
         * full) between the datagram accepted last and the next one. Only readers that can tell
         * where drops happened call this ({@link RecvmmsgReader}).
         */
        default void dropped(long datagrams) {
        }
    }
}
