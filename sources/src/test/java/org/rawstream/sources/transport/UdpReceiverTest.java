package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sources.transport.PollUntil.pollUntil;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UdpReceiverTest {
    private final TransportStats stats = new TransportStats();
    private final DecodeErrorCounter errors = new DecodeErrorCounter("test");
    private final List<String> received = new ArrayList<>();
    private final List<InetSocketAddress> senders = new ArrayList<>();
    private SocketPoller poller;
    private final List<UdpReceiver<String>> receivers = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        poller = SocketPoller.open();
    }

    @AfterEach
    void tearDown() throws IOException {
        for (UdpReceiver<String> r : receivers) {
            r.close();
        }
        poller.close();
    }

    private UdpReceiver<String> open(UdpOptions options) throws IOException {
        DatagramDecoder<String> decoder = (datagram, sender, out, errs) -> {
            senders.add(sender);
            LineCodec.datagrams().decode(datagram, sender, out, errs);
        };
        UdpReceiver<String> r = UdpReceiver.open(options, decoder, received::add, errors, stats);
        receivers.add(r);
        poller.add(r);
        return r;
    }

    private static void send(DatagramChannel ch, InetSocketAddress to, String text) throws IOException {
        ch.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), to);
    }

    @Test
    void receivesBatchesWithSenderAddress() throws IOException {
        UdpReceiver<String> r = open(UdpOptions.builder(0).batchDatagrams(16).receiveBufferBytes(1 << 20).build());
        InetSocketAddress target = r.localAddress();
        List<String> sent = new ArrayList<>();
        try (DatagramChannel sender = DatagramChannel.open()) {
            sender.bind(new InetSocketAddress("127.0.0.1", 0));
            for (int i = 0; i < 200; i++) {
                String text = "datagram-" + i + "-" + "x".repeat(i % 50);
                sent.add(text);
                send(sender, target, text);
            }
            pollUntil(poller, () -> received.size() == 200, "200 datagrams");
            assertThat(received).containsExactlyElementsOf(sent);
            assertThat(new HashSet<>(senders)).containsExactly((InetSocketAddress) sender.getLocalAddress());
        }
        assertThat(stats.datagramsReceived.get()).isEqualTo(200);
        assertThat(stats.datagramBytesReceived.get()).isEqualTo(sent.stream().mapToLong(String::length).sum());
        assertThat(stats.recordsDecoded.get()).isEqualTo(200);
        assertThat(errors.total()).isZero();
    }

    @Test
    void datagramsTheKernelDroppedAreCountedWithEveryReader() throws IOException {
        Assumptions.assumeTrue(TransportStats.kernelDropsSupported(), "the host keeps no per-socket drop counts");
        int sent = 0;
        // AUTO: recvmmsg where the descriptor is reachable (the default test JVM), else like PLAIN.
        for (UdpOptions.ReceiveMode mode : List.of(UdpOptions.ReceiveMode.AUTO, UdpOptions.ReceiveMode.PLAIN)) {
            // The smallest buffer the kernel grants, filled while nobody reads: the rest is dropped.
            UdpReceiver<String> r = open(UdpOptions.builder(0).receiveBufferBytes(4096).receiveMode(mode).build());
            try (DatagramChannel sender = DatagramChannel.open()) {
                for (int i = 0; i < 300; i++) {
                    send(sender, r.localAddress(), "x".repeat(1000));
                }
            }
            sent += 300;
            int total = sent;
            pollUntil(poller, () -> received.size() + stats.datagramsDroppedByKernel() == total,
                    "received + dropped = " + total + " (" + mode + ")");
            assertThat(stats.datagramsDroppedByKernel()).as(mode.toString()).isPositive();
            assertThat(stats.datagramsReceived.get()).isEqualTo(received.size());
            long drops = stats.datagramsDroppedByKernel();
            poller.remove(r);
            r.close(); // a closed socket keeps its count (its inode may go to another socket)
            assertThat(stats.datagramsDroppedByKernel()).isEqualTo(drops);
        }
    }

    @Test
    void oneReceiveCallTakesAtMostOneBatch() throws IOException {
        UdpReceiver<String> r = open(UdpOptions.builder(0).batchDatagrams(4).build());
        try (DatagramChannel sender = DatagramChannel.open()) {
            for (int i = 0; i < 10; i++) {
                send(sender, r.localAddress(), "d" + i);
            }
        }
        long deadline = System.nanoTime() + PollUntil.DEADLINE.toNanos();
        int calls = 0;
        while (received.size() < 10 && System.nanoTime() < deadline) {
            int got = r.receiveBatch();
            assertThat(got).isBetween(0, 4);
            calls++;
        }
        assertThat(received).hasSize(10);
        assertThat(calls).isGreaterThanOrEqualTo(3);
    }

    @Test
    void oversizeDatagramIsCountedAndDropped() throws IOException {
        UdpReceiver<String> r = open(UdpOptions.builder(0).maxDatagramBytes(100).build());
        try (DatagramChannel sender = DatagramChannel.open()) {
            send(sender, r.localAddress(), "y".repeat(150));
            send(sender, r.localAddress(), "z".repeat(100));
            pollUntil(poller, () -> stats.datagramsReceived.get() == 2, "both datagrams");
        }
        assertThat(received).containsExactly("z".repeat(100));
        assertThat(stats.datagramsOversize.get()).isEqualTo(1);
        assertThat(errors.count("oversizeDatagram")).isEqualTo(1);
    }

    @Test
    void decodeErrorsAreCountedPerKind() throws IOException {
        UdpReceiver<String> r = open(UdpOptions.builder(0).build());
        try (DatagramChannel sender = DatagramChannel.open()) {
            sender.send(ByteBuffer.allocate(0), r.localAddress());
            sender.send(ByteBuffer.allocate(0), r.localAddress());
            send(sender, r.localAddress(), "fine");
            pollUntil(poller, () -> received.size() == 1, "the good datagram");
        }
        assertThat(errors.count("emptyDatagram")).isEqualTo(2);
        assertThat(errors.counts()).containsOnlyKeys("emptyDatagram");
    }

    @Test
    void decoderExceptionsAreCountedNotPropagated() throws IOException {
        DatagramDecoder<String> throwing = (datagram, sender, out, errs) -> {
            if (datagram.remaining() == 3) {
                throw new IllegalStateException("decoder bug");
            }
            out.collect("ok");
        };
        UdpReceiver<String> r = UdpReceiver.open(UdpOptions.builder(0).build(), throwing, received::add, errors, stats);
        receivers.add(r);
        poller.add(r);
        try (DatagramChannel sender = DatagramChannel.open()) {
            send(sender, r.localAddress(), "bad");
            send(sender, r.localAddress(), "good");
            pollUntil(poller, () -> received.size() == 1, "the good datagram");
        }
        assertThat(errors.count("decoderException")).isEqualTo(1);
    }

    @Test
    void exposesGrantedReceiveBuffer() throws IOException {
        UdpReceiver<String> r = open(UdpOptions.builder(0).build());
        assertThat(r.grantedReceiveBufferBytes()).isPositive();
        assertThat(stats.receiveBufferGranted.get()).isEqualTo(r.grantedReceiveBufferBytes());
    }

    @Test
    void reusePortLetsSeveralReceiversShareOnePort() throws IOException {
        UdpReceiver<String> first = open(UdpOptions.builder(0).reusePort(true).build());
        int port = first.localAddress().getPort();
        UdpReceiver<String> second = open(UdpOptions.builder(port).reusePort(true).build());
        assertThat(second.localAddress().getPort()).isEqualTo(port);
        // The kernel spreads senders over the sockets by address hash: use many source ports.
        int senderCount = 32;
        for (int i = 0; i < senderCount; i++) {
            try (DatagramChannel sender = DatagramChannel.open()) {
                send(sender, first.localAddress(), "from-" + i);
            }
        }
        pollUntil(poller, () -> received.size() == senderCount, "a datagram from every sender");
        assertThat(new HashSet<>(received)).hasSize(senderCount);
    }

    @Test
    void joinsMulticastGroup() throws IOException {
        NetworkInterface loopback = NetworkInterface.getByInetAddress(java.net.InetAddress.getLoopbackAddress());
        Assumptions.assumeTrue(loopback != null, "no loopback interface");
        String group = "239.255.42.99";
        UdpReceiver<String> r = open(UdpOptions.builder(0).bindHost(group).multicast(group, null).build());
        int port = r.localAddress().getPort();
        try (MulticastSocket sender = new MulticastSocket()) {
            sender.setNetworkInterface(loopback);
            sender.setTimeToLive(0);
            byte[] payload = "to-the-group".getBytes(StandardCharsets.UTF_8);
            sender.send(new java.net.DatagramPacket(payload, payload.length, new InetSocketAddress(group, port)));
            pollUntil(poller, () -> received.size() == 1, "the multicast datagram");
        }
        assertThat(received).containsExactly("to-the-group");
    }

    @Test
    void decodeErrorCounterCapsKinds() {
        DecodeErrorCounter counter = new DecodeErrorCounter("cap");
        Set<String> seen = new HashSet<>();
        counter.onNewKind((kind, count) -> seen.add(kind));
        for (int i = 0; i < NamedCounters.MAX_NAMES + 10; i++) {
            counter.error("kind" + i);
        }
        assertThat(counter.counts()).hasSize(NamedCounters.MAX_NAMES + 1);
        assertThat(counter.count(NamedCounters.OVERFLOW_NAME)).isEqualTo(10);
        assertThat(counter.total()).isEqualTo(NamedCounters.MAX_NAMES + 10);
        assertThat(seen).hasSize(NamedCounters.MAX_NAMES + 1);
    }
}
