package org.rawstream.job.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.junit.jupiter.api.Test;
import org.rawstream.job.RawStreamJob;
import org.rawstream.sources.odin.OdinDataValues;
import org.rawstream.sources.odin.OdinEvent;
import org.rawstream.sources.odin.OdinOutput;
import org.rawstream.sources.odin.OdinPacketType;
import org.rawstream.sources.odin.OdinReceiver;
import org.rawstream.sources.odin.OdinReceiverConfig;
import org.rawstream.sources.odin.OdinSchema;
import org.rawstream.sources.odin.OdinTypeDescriptor;

class SendOdinCommandTest {

    @Test
    void sendsSchemaDataAndEventsOverUdp() throws Exception {
        try (DatagramChannel socket = DatagramChannel.open(); Selector selector = Selector.open()) {
            socket.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
            // The sends complete before we read: 300 small datagrams fit the receive buffer.
            int code = RawStreamJob.commandLine().execute("send-odin", "--port", String.valueOf(port),
                    "--count", "300", "--rate", "5000", "--packet-bytes", "40", "--schema-every", "100", "--event-every", "100");
            assertThat(code).isZero();

            long[] data = new long[1];
            OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), new OdinOutput() {
                @Override
                public void packet(OdinPacketType type, int identifier, ByteBuffer packet) {
                }

                @Override
                public void data(OdinSchema schema, java.util.Map<Integer, OdinTypeDescriptor> types, ByteBuffer packet) {
                    assertThat(OdinDataValues.of(schema, types, packet).name(0)).isEqualTo("sim.value0");
                    data[0]++;
                }

                @Override
                public void event(OdinEvent event) {
                }
            });
            socket.configureBlocking(false);
            socket.register(selector, SelectionKey.OP_READ);
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            long deadline = System.currentTimeMillis() + 10_000;
            while (data[0] < 300 && System.currentTimeMillis() < deadline) {
                selector.select(100);
                selector.selectedKeys().clear();
                while (socket.receive(buffer.clear()) != null) {
                    receiver.accept(buffer.flip(), 0);
                }
            }
            assertThat(data[0]).isEqualTo(300);
            assertThat(receiver.statistics().invalidTotal()).isZero();
            assertThat(receiver.statistics().events()).isEqualTo(2);
            assertThat(receiver.statistics().extendedCompleted()).isEqualTo(3);
        }
    }
}
