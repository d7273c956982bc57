package org.rawstream.sources.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The channels of the test senders ({@code send-*} commands, benchmarks, tests) of every protocol,
 * so that each sender follows the same rules: a datagram that meets nobody listening is lost (as
 * from a device), and a TCP connection the receiver refuses is tried again until a deadline (the
 * receiver, e.g. a job, may start after the sender).
 */
public final class SenderChannels {

    private static final long CONNECT_RETRY_NANOS = 50_000_000L;

    private SenderChannels() {
    }

    /** A UDP channel connected to {@code target}; {@code sendBufferBytes} > 0 sets SO_SNDBUF. */
    public static DatagramChannel udp(InetSocketAddress target, int sendBufferBytes) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            if (sendBufferBytes > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferBytes);
            }
            ch.connect(target);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Writes one datagram on a connected channel. Returns false when the kernel reported that an
     * earlier datagram found no listener (ICMP port unreachable): nobody listens yet, or any more.
     * That is not an error for a sender; this and the next datagrams go on.
     */
    public static boolean send(DatagramChannel channel, ByteBuffer datagram) throws IOException {
        try {
            channel.write(datagram);
            return true;
        } catch (PortUnreachableException e) {
            return false;
        }
    }

    /**
     * A TCP connection to {@code target} with TCP_NODELAY; a refused connection is tried again
     * every 50 ms until {@code timeout} has passed (zero: once) or {@code cancelled} says so.
     */
    public static SocketChannel tcp(InetSocketAddress target, Duration timeout, BooleanSupplier cancelled)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SocketChannel ch;
            try {
                ch = SocketChannel.open(target);
            } catch (ConnectException e) {
                if (cancelled.getAsBoolean() || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                LockSupport.parkNanos(CONNECT_RETRY_NANOS);
                continue;
            }
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return ch;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }
}
