package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The senders' channel rules, on loopback. */
@Timeout(30)
class SenderChannelsTest {

    @Test
    void datagramsReachAListener() throws Exception {
        try (DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                DatagramChannel sender = SenderChannels.udp((InetSocketAddress) receiver.getLocalAddress(), 1 << 20)) {
            assertThat(SenderChannels.send(sender, ByteBuffer.wrap(new byte[] {1, 2, 3}))).isTrue();
            ByteBuffer got = ByteBuffer.allocate(16);
            receiver.receive(got);
            assertThat(got.flip().remaining()).isEqualTo(3);
        }
    }

    @Test
    void aRefusedConnectionFailsAtOnceWithoutTimeout() throws Exception {
        InetSocketAddress closed;
        try (ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            closed = (InetSocketAddress) s.getLocalAddress();
        }
        assertThatThrownBy(() -> SenderChannels.tcp(closed, Duration.ZERO, () -> false)).isInstanceOf(ConnectException.class);
    }

    @Test
    void aRefusedConnectionIsRetriedUntilCancelled() throws Exception {
        InetSocketAddress closed;
        try (ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            closed = (InetSocketAddress) s.getLocalAddress();
        }
        AtomicInteger attempts = new AtomicInteger();
        // Cancelled on the third refusal: the retry loop asked twice before and went on.
        assertThatThrownBy(() -> SenderChannels.tcp(closed, Duration.ofMinutes(1), () -> attempts.incrementAndGet() >= 3))
                .isInstanceOf(ConnectException.class);
        assertThat(attempts.get()).isEqualTo(3);
    }

    @Test
    void aConnectionHasNoDelay() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel ch = SenderChannels.tcp((InetSocketAddress) server.getLocalAddress(), Duration.ZERO, () -> false);
                SocketChannel accepted = server.accept()) {
            assertThat(ch.getOption(java.net.StandardSocketOptions.TCP_NODELAY)).isTrue();
            assertThat(accepted.isConnected()).isTrue();
        }
    }
}
