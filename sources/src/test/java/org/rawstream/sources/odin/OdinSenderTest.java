package org.rawstream.sources.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OdinSenderTest {

    private static final long DEADLINE_MILLIS = 20_000;

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void generatorAnnouncesTheSchemaAndInterleavesEvents() {
        OdinSchema schema = OdinTrafficGenerator.defaultSchema(64);
        assertThat(schema.dataPacketLength()).isEqualTo(64);
        assertThat(OdinTrafficGenerator.defaultSchema(13).elementType(0)).isEqualTo(OdinElementType.CHAR);
        OdinTrafficGenerator generator = new OdinTrafficGenerator(schema, 3, 2);
        ByteBuffer out = ByteBuffer.allocate(2000);
        StringBuilder types = new StringBuilder();
        RecordingOutput recorded = new RecordingOutput();
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), recorded);
        for (int i = 0; i < 12; i++) {
            out.clear();
            types.append(java.util.Map.of(OdinPacketType.IDENTIFIER, 'I', OdinPacketType.EXTENDED_IDENTIFIER, 'X',
                    OdinPacketType.DATA, 'D', OdinPacketType.EVENT, 'E').get(generator.next(out, i)));
            receiver.accept(out.flip(), i);
        }
        // I identifier, X extended identifier, D data, E event
        assertThat(types.toString()).isEqualTo("IXDDEDIXDEDD");
        assertThat(receiver.statistics().invalidTotal()).isZero();
        assertThat(receiver.schema(schema.identifier())).isEqualTo(schema);
        assertThat(recorded.data.get(0).namedValues()).containsKeys("sim.value0", "sim.counter1", "sim.tail");
    }

    @Test
    void aGeneratorNumberedOnSendsNoDataOrEventPacketOfAnEarlierOne() {
        OdinSchema schema = OdinTrafficGenerator.defaultSchema(64);
        java.util.Set<String> dataAndEvents = new java.util.HashSet<>();
        java.util.Set<String> schemaPackets = new java.util.HashSet<>();
        ByteBuffer out = ByteBuffer.allocate(2000);
        long first = 0;
        int sequence = -1;
        for (int round = 0; round < 3; round++) {
            // Every round sends at the same (elapsed-time) timestamps: only the numbering tells them apart.
            OdinTrafficGenerator generator = new OdinTrafficGenerator(schema, 7, 5, first);
            for (int i = 0; i < 40; i++) {
                out.clear();
                OdinPacketType type = generator.next(out, i);
                byte[] packet = java.util.Arrays.copyOf(out.array(), out.position());
                if (type == OdinPacketType.DATA || type == OdinPacketType.EVENT) {
                    assertThat(dataAndEvents.add(java.util.HexFormat.of().formatHex(packet))).as("round %d packet %d", round, i)
                            .isTrue();
                } else {
                    schemaPackets.add(java.util.HexFormat.of().formatHex(packet));
                }
                if (type == OdinPacketType.DATA) {
                    int seq = OdinPackets.sequence(ByteBuffer.wrap(packet));
                    assertThat(sequence < 0 || seq == ((sequence + 1) & 0xFFFF)).as("sequence continues").isTrue();
                    sequence = seq;
                }
            }
            first += generator.dataPackets();
        }
        assertThat(schemaPackets).as("identifier + extended identifier, the same every time").hasSize(2);
    }

    @Test
    void theListenerSeesEveryPacketSentAndTheNumberingStartsWhereAsked() throws Exception {
        try (DatagramChannel socket = DatagramChannel.open()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
            java.util.List<OdinPacketType> seen = new java.util.ArrayList<>();
            java.util.List<Integer> counters = new java.util.ArrayList<>();
            long[] bytes = new long[1];
            OdinSender sender = OdinSender.builder().port(port).count(20).rate(0).schemaEvery(10).eventEvery(0)
                    .firstDataPacket(1_000).onPacket((type, packet) -> {
                        seen.add(type);
                        bytes[0] += packet.remaining();
                        if (type == OdinPacketType.DATA) {
                            // the second value is the first U32 counter: the data packet's number
                            counters.add(packet.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN)
                                    .getInt(packet.position() + OdinPackets.DATA_HEADER_LENGTH + 4));
                        }
                        packet.position(packet.limit()); // a careless listener: the sender restores the packet
                    }).build();
            OdinSender.Result result = sender.run();
            assertThat(seen).hasSize((int) result.packets());
            assertThat(seen.stream().filter(t -> t == OdinPacketType.DATA)).hasSize(20);
            assertThat(counters).first().isEqualTo(1_000);
            assertThat(counters).last().isEqualTo(1_019);
            assertThat(bytes[0]).as("whole packets sent after the listener").isEqualTo(result.bytes());
        }
    }

    @Test
    void udpDatagramsReachAReceiver() throws Exception {
        try (DatagramChannel socket = DatagramChannel.open(); Selector selector = Selector.open()) {
            // Room for the whole run, so a receiver stalled by a busy machine loses nothing.
            socket.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            socket.configureBlocking(false);
            socket.register(selector, SelectionKey.OP_READ);
            int port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
            OdinSender sender = OdinSender.builder().port(port).count(300).rate(3_000).schemaEvery(100).eventEvery(50).build();
            Future<OdinSender.Result> sending = executor.submit(sender::run);

            RecordingOutput out = new RecordingOutput();
            OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
            ByteBuffer datagram = ByteBuffer.allocate(65536);
            long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
            while (out.data.size() < 300 && System.currentTimeMillis() < deadline) {
                selector.select(100);
                selector.selectedKeys().clear();
                while (socket.receive(datagram.clear()) != null) {
                    receiver.accept(datagram.flip(), System.currentTimeMillis());
                }
            }
            OdinSender.Result result = sending.get(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(result.dataPackets()).isEqualTo(300);
            assertThat(result.identifierPackets()).isEqualTo(3);
            assertThat(result.extendedPackets()).isEqualTo(3);
            // events follow data packets 50..250; the run ends at data packet 300 before the next
            assertThat(result.events()).isEqualTo(5);
            assertThat(result.toString()).contains("300 data");
            receiver.flush();
            OdinStatistics stats = receiver.statistics();
            assertThat(out.data).as("%s", stats).hasSize(300);
            assertThat(stats.invalidTotal()).isZero();
            assertThat(stats.lost()).isZero();
            assertThat(stats.events()).isEqualTo(5);
            assertThat(stats.schemasRepeated()).isEqualTo(2);
            assertThat(receiver.schema(sender.schema().identifier())).isEqualTo(sender.schema());
        }
    }

    @Test
    void tcpFramesReachAReceiver() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            OdinSender sender = OdinSender.builder().port(port).transport(OdinSender.Transport.TCP)
                    .count(2_000).rate(0).dataPacketLength(300).schemaEvery(500).eventEvery(0).build();
            Future<OdinSender.Result> sending = executor.submit(sender::run);

            RecordingOutput out = new RecordingOutput();
            OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
            OdinFrameDecoder decoder = new OdinFrameDecoder(65535);
            OdinFrameDecoder.Handler handler = new OdinFrameDecoder.Handler() {
                @Override
                public void packet(ByteBuffer packet) {
                    receiver.accept(packet, 0);
                }

                @Override
                public void invalid(OdinInvalidReason reason) {
                    receiver.statistics().rejected(reason);
                }
            };
            long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
            try (SocketChannel connection = server.accept(); Selector selector = Selector.open()) {
                connection.configureBlocking(false);
                connection.register(selector, SelectionKey.OP_READ);
                ByteBuffer chunk = ByteBuffer.allocate(4096);
                boolean open = true;
                while (open && System.currentTimeMillis() < deadline) {
                    selector.select(100);
                    selector.selectedKeys().clear();
                    int n;
                    while ((n = connection.read(chunk.clear())) > 0) {
                        decoder.feed(chunk.flip(), handler);
                    }
                    open = n >= 0;
                }
                assertThat(open).as("sender closed the connection before the deadline").isFalse();
            }
            decoder.endOfStream(handler);
            OdinSender.Result result = sending.get(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(result.dataPackets()).isEqualTo(2_000);
            assertThat(result.events()).isZero();
            receiver.flush();
            assertThat(out.data).hasSize(2_000);
            assertThat(receiver.statistics().invalidTotal()).isZero();
            assertThat(receiver.statistics().validPackets()).isEqualTo(result.packets());
            assertThat(out.data.get(1999).sequence()).isEqualTo(1999);
        }
    }
}
