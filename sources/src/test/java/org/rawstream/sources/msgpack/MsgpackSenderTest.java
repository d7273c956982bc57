package org.rawstream.sources.msgpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The send-msgpack core against loopback receivers that split what arrives. */
class MsgpackSenderTest {
    private static final List<byte[]> VALUES = MsgpackSender.sampleValues(50, 7);

    @Test
    void tcpDeliversEveryValueWholeAndInOrder() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            CompletableFuture<List<byte[]>> received = CompletableFuture.supplyAsync(() -> receiveTcp(server));
            MsgpackSender.MsgpackSenderResult result = MsgpackSender.builder().port(server.getLocalPort())
                    .values(VALUES).count(1234).build().run();
            List<byte[]> got = received.get(20, TimeUnit.SECONDS);
            assertThat(result.values()).isEqualTo(1234);
            assertThat(got).hasSize(1234);
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i)).isEqualTo(VALUES.get(i % VALUES.size()));
            }
        }
    }

    @Test
    void udpPacksWholeValuesIntoDatagrams() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            receiver.setSoTimeout(10_000);
            receiver.setReceiveBufferSize(1 << 20);
            MsgpackSender.MsgpackSenderResult result = MsgpackSender.builder().port(receiver.getLocalPort())
                    .transport(MsgpackSender.Transport.UDP).values(VALUES).count(300).rate(20_000)
                    .maxDatagramBytes(1000).build().run();
            MsgpackDatagramSplitter splitter = new MsgpackDatagramSplitter(MsgpackLimits.defaults());
            List<byte[]> got = new ArrayList<>();
            byte[] buffer = new byte[65_536];
            for (long d = 0; d < result.datagrams(); d++) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    receiver.receive(packet);
                } catch (SocketTimeoutException e) {
                    break; // loss on loopback shows as fewer values below
                }
                assertThat(packet.getLength()).isLessThanOrEqualTo(1000);
                assertThat(splitter.split(ByteBuffer.wrap(buffer, 0, packet.getLength()),
                        v -> got.add(MsgpackValues.copy(v)))).isNull();
            }
            assertThat(result.datagrams()).isLessThan(300); // several values per datagram
            assertThat(got).hasSize(300);
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i)).isEqualTo(VALUES.get(i % VALUES.size()));
            }
        }
    }

    @Test
    void onlyWholeValidValuesCanBeSent() {
        assertThatThrownBy(() -> MsgpackSender.builder().values(List.of(new byte[] {(byte) 0xC1})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MsgpackSender.builder().values(List.of(new byte[] {1, 2})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MsgpackSender.builder().values(List.of(new byte[] {(byte) 0x92, 1})))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<byte[]> receiveTcp(ServerSocket server) {
        List<byte[]> values = new ArrayList<>();
        MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(MsgpackLimits.defaults());
        try (Socket socket = server.accept()) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                assertThat(splitter.feed(ByteBuffer.wrap(buffer, 0, n), v -> values.add(MsgpackValues.copy(v)))).isTrue();
            }
            assertThat(splitter.endOfStream()).isFalse();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return values;
    }
}
