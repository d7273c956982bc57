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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.rawstream.sources.echo.TestVectors;
import org.rawstream.sources.transport.TcpSender;
import org.rawstream.sources.transport.UdpSender;

/** The send-msgpack core against loopback receivers that split what arrives. */
class MsgpackSenderTest {
    private static final List<byte[]> VALUES = MsgpackSender.sampleValues(50, 7);

    @Test
    void tcpDeliversEveryValueWholeAndInOrder() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            CompletableFuture<List<byte[]>> received = CompletableFuture.supplyAsync(() -> receiveTcp(server));
            TcpSender.Result result = MsgpackSender.sendTcp("127.0.0.1", server.getLocalPort(), VALUES, 25, 0);
            List<byte[]> got = received.get(20, TimeUnit.SECONDS);
            assertThat(result.messages).isEqualTo(1250);
            assertThat(got).hasSize(1250);
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
            UdpSender.Result result = MsgpackSender.sendUdp("127.0.0.1", receiver.getLocalPort(), VALUES, 2, 20_000, 1000);
            MsgpackDatagramSplitter splitter = new MsgpackDatagramSplitter(MsgpackLimits.defaults());
            List<byte[]> got = new ArrayList<>();
            byte[] buffer = new byte[65_536];
            for (long d = 0; d < result.datagrams; d++) {
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
            assertThat(result.datagrams).isLessThan(100); // several values per datagram
            assertThat(got).hasSize(100);
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i)).isEqualTo(VALUES.get(i % VALUES.size()));
            }
        }
    }

    @Test
    void splitValuesReadsAPackerFileAndRefusesBrokenOnes() {
        assertThat(MsgpackSender.splitValues(TestVectors.bytes("msgpack/stream.bin"), MsgpackLimits.defaults()))
                .hasSize(241);
        assertThatThrownBy(() -> MsgpackSender.splitValues(HexFormat.of().parseHex("01c1"), MsgpackLimits.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neverUsedByte");
        assertThatThrownBy(() -> MsgpackSender.splitValues(HexFormat.of().parseHex("0192"), MsgpackLimits.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends inside a value");
    }

    @Test
    void packDatagramsKeepsValuesWholeAndInOrder() {
        List<byte[]> datagrams = MsgpackSender.packDatagrams(VALUES, 300);
        List<byte[]> got = new ArrayList<>();
        MsgpackDatagramSplitter splitter = new MsgpackDatagramSplitter(MsgpackLimits.defaults());
        for (byte[] d : datagrams) {
            assertThat(d.length <= 300 || splitter.split(ByteBuffer.wrap(d), v -> { }) == null).isTrue();
        }
        for (byte[] d : datagrams) {
            assertThat(splitter.split(ByteBuffer.wrap(d), v -> got.add(MsgpackValues.copy(v)))).isNull();
        }
        assertThat(got).hasSize(VALUES.size());
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i)).isEqualTo(VALUES.get(i));
        }
        assertThatThrownBy(() -> MsgpackSender.packDatagrams(List.of(new byte[70_000]), 1000))
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

    @Test
    void consecutiveSampleBatchesHoldNoEqualRecords() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (long batch = 0; batch < 20; batch++) {
            for (byte[] value : MsgpackSender.sampleValues(5, 1, batch * 5)) {
                assertThat(seen.add(HexFormat.of().formatHex(value))).as("record unique").isTrue();
            }
        }
    }
}
