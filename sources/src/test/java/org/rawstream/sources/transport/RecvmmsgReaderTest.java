package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sources.transport.PollUntil.pollUntil;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawstream.sources.transport.UdpOptions.ReceiveMode;

/**
 * The batch reader (recvmmsg + GRO) against the JDK's receive on real loopback sockets: the same
 * datagrams with the same senders, oversize and empty ones included, and GSO super-packets cut
 * back into their datagrams.
 */
class RecvmmsgReaderTest {
    private static final int MAX_DATAGRAM = 2000;

    private SocketPoller poller;
    private final List<UdpReceiver<Received>> receivers = new ArrayList<>();

    /** One datagram as a decoder saw it. */
    record Received(InetSocketAddress sender, byte[] payload) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Received r && r.sender.equals(sender) && Arrays.equals(r.payload, payload);
        }

        @Override
        public int hashCode() {
            return sender.hashCode() * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return sender + " " + payload.length + " bytes";
        }
    }

    /** A receiver, what it decoded and its counters. */
    private final class Endpoint {
        final TransportStats stats = new TransportStats();
        final DecodeErrorCounter errors = new DecodeErrorCounter("test");
        final List<Received> received = new ArrayList<>();
        final UdpReceiver<Received> receiver;

        Endpoint(String host, ReceiveMode mode) throws IOException {
            DatagramDecoder<Received> copying = (datagram, sender, out, errs) -> {
                byte[] bytes = new byte[datagram.remaining()];
                datagram.get(bytes);
                out.collect(new Received(sender, bytes));
            };
            receiver = UdpReceiver.open(UdpOptions.builder(0).bindHost(host).maxDatagramBytes(MAX_DATAGRAM)
                    .receiveBufferBytes(4 << 20).receiveMode(mode).build(), copying, received::add, errors, stats);
            receivers.add(receiver);
            poller.add(receiver);
        }

        long seen() {
            return stats.datagramsReceived.get();
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        poller = SocketPoller.open();
    }

    @AfterEach
    void tearDown() throws IOException {
        for (UdpReceiver<Received> r : receivers) {
            r.close();
        }
        poller.close();
    }

    /** Linux x86-64/aarch64 with JNA, and a JVM that opens sun.nio.ch (the build's argLine does). */
    static boolean batchReaderAvailable() {
        if (LinuxSocketCalls.unavailableReason() != null) {
            return false;
        }
        try (DatagramChannel ch = DatagramChannel.open()) {
            return LinuxSocketCalls.fd(ch) >= 0;
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private static void assumeBatchReader() {
        Assumptions.assumeTrue(batchReaderAvailable(), "recvmmsg unavailable here");
    }

    @Test
    void receiveModeChoosesTheReader() throws IOException {
        assertThat(new Endpoint("127.0.0.1", ReceiveMode.PLAIN).receiver.readerDescription())
                .isEqualTo("DatagramChannel.receive");
        if (batchReaderAvailable()) {
            assertThat(new Endpoint("127.0.0.1", ReceiveMode.AUTO).receiver.readerDescription())
                    .startsWith("recvmmsg").contains("GRO");
            assertThat(new Endpoint("127.0.0.1", ReceiveMode.RECVMMSG).receiver.readerDescription())
                    .startsWith("recvmmsg");
        } else {
            assertThat(new Endpoint("127.0.0.1", ReceiveMode.AUTO).receiver.readerDescription())
                    .startsWith("DatagramChannel.receive (recvmmsg unavailable: ");
        }
    }

    @Test
    void batchReaderReceivesWhatThePlainReaderReceivesOverIpv4() throws IOException {
        sameDatagramsBothWays("127.0.0.1", StandardProtocolFamily.INET);
    }

    @Test
    void batchReaderReceivesWhatThePlainReaderReceivesOverIpv6() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        Assumptions.assumeTrue(canBind(v6), "no IPv6 loopback");
        sameDatagramsBothWays("::1", StandardProtocolFamily.INET6);
    }

    /**
     * Several senders, sizes from empty to oversize, interleaved: both readers hand over the same
     * datagrams from the same senders, in each sender's order, and count the same.
     */
    private void sameDatagramsBothWays(String host, StandardProtocolFamily family) throws IOException {
        assumeBatchReader();
        Endpoint batch = new Endpoint(host, ReceiveMode.RECVMMSG);
        Endpoint plain = new Endpoint(host, ReceiveMode.PLAIN);
        List<DatagramChannel> senders = new ArrayList<>();
        Map<InetSocketAddress, List<byte[]>> sent = new HashMap<>();
        int total = 0;
        int oversize = 0;
        try {
            for (int s = 0; s < 6; s++) {
                DatagramChannel ch = DatagramChannel.open(family);
                ch.bind(new InetSocketAddress(host, 0));
                senders.add(ch);
            }
            // 6 senders x 50 datagrams stay well inside the 4 MiB receive buffers: none is lost.
            for (int i = 0; i < 50; i++) {
                for (DatagramChannel ch : senders) {
                    int size = (i * 97 + senders.indexOf(ch) * 13) % (MAX_DATAGRAM + 400);
                    if (i % 10 == 3) {
                        size = 0;
                    }
                    byte[] payload = pattern(size, i);
                    for (Endpoint e : List.of(batch, plain)) {
                        ch.send(ByteBuffer.wrap(payload), e.receiver.localAddress());
                    }
                    total++;
                    if (size > MAX_DATAGRAM) {
                        oversize++;
                    } else {
                        sent.computeIfAbsent((InetSocketAddress) ch.getLocalAddress(), k -> new ArrayList<>()).add(payload);
                    }
                }
            }
            int expected = total;
            pollUntil(poller, () -> batch.seen() == expected && plain.seen() == expected, "every datagram at both");
        } finally {
            for (DatagramChannel ch : senders) {
                ch.close();
            }
        }
        for (Endpoint e : List.of(batch, plain)) {
            Map<InetSocketAddress, List<byte[]>> got = new HashMap<>();
            for (Received r : e.received) {
                got.computeIfAbsent(r.sender(), k -> new ArrayList<>()).add(r.payload());
            }
            assertThat(got.keySet()).isEqualTo(sent.keySet());
            for (Map.Entry<InetSocketAddress, List<byte[]>> s : sent.entrySet()) {
                assertThat(got.get(s.getKey())).as("from %s", s.getKey()).containsExactlyElementsOf(s.getValue());
            }
            assertThat(e.stats.datagramsOversize.get()).isEqualTo(oversize);
            assertThat(e.errors.count("oversizeDatagram")).isEqualTo(oversize);
            assertThat(e.stats.recordsDecoded.get()).isEqualTo(total - oversize);
        }
        assertThat(batch.stats.datagramBytesReceived.get() - plain.stats.datagramBytesReceived.get())
                .as("the plain reader counts an oversize datagram as its buffer, max + 1 bytes")
                .isPositive();
        assertThat(batch.stats.datagramReceiveCalls.get()).isPositive().isLessThanOrEqualTo(total);
        assertThat(plain.stats.datagramReceiveCalls.get()).isEqualTo(total);
    }

    /**
     * A sender with {@code UDP_SEGMENT} hands the kernel one large buffer that it cuts into
     * datagrams (GSO); on loopback a GRO socket receives it whole, with the segment size. Both
     * readers must deliver the same datagrams: full segments and a shorter last one.
     */
    @Test
    void groBuffersAreCutIntoTheirDatagrams() throws IOException, ReflectiveOperationException {
        assumeBatchReader();
        Endpoint batch = new Endpoint("127.0.0.1", ReceiveMode.RECVMMSG);
        Endpoint plain = new Endpoint("127.0.0.1", ReceiveMode.PLAIN);
        Assumptions.assumeTrue(batch.receiver.readerDescription().contains("with UDP GRO"), "kernel without UDP_GRO");
        List<byte[]> expected = new ArrayList<>();
        try (DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
            sender.bind(new InetSocketAddress("127.0.0.1", 0));
            int segment = 1000;
            int fd = LinuxSocketCalls.fd(sender);
            int refused = LinuxSocketCalls.setIntOption(fd, LinuxSocketCalls.SOL_UDP, LinuxSocketCalls.UDP_SEGMENT, segment);
            Assumptions.assumeTrue(refused == 0, () -> "kernel refused UDP_SEGMENT, errno " + refused);
            // 5 full segments and a short one; then exactly 3 full; then a single short one
            for (int[] shape : new int[][] {{5, 300}, {3, 0}, {0, 700}}) {
                int length = shape[0] * segment + shape[1];
                byte[] buffer = pattern(length, length);
                for (int at = 0; at < length; at += segment) {
                    expected.add(Arrays.copyOfRange(buffer, at, Math.min(at + segment, length)));
                }
                for (Endpoint e : List.of(batch, plain)) {
                    sender.send(ByteBuffer.wrap(buffer), e.receiver.localAddress());
                }
            }
            int count = expected.size();
            pollUntil(poller, () -> batch.seen() == count && plain.seen() == count, "every segment at both");
            for (Endpoint e : List.of(batch, plain)) {
                assertThat(e.received).extracting(Received::payload).containsExactlyElementsOf(expected);
                assertThat(e.received).extracting(Received::sender).containsOnly((InetSocketAddress) sender.getLocalAddress());
                assertThat(e.stats.datagramBytesReceived.get()).isEqualTo(5300 + 3000 + 700);
            }
        }
        assertThat(batch.stats.datagramReceiveCalls.get())
                .as("GRO: one call brings several datagrams").isLessThan(batch.seen());
    }

    /**
     * Where the kernel drops datagrams (the receive buffer full), the batch reader tells the
     * decoder before the first datagram after the gap, with the count the kernel dropped: a sender
     * fills a small buffer while nobody reads, the reader drains it, the sender sends again.
     */
    @Test
    void kernelDropsAreAnnouncedWhereTheyHappened() throws IOException {
        assumeBatchReader();
        List<String> events = new ArrayList<>();
        DatagramDecoder<Object> numbering = new DatagramDecoder<>() {
            @Override
            public void decode(ByteBuffer datagram, InetSocketAddress sender, RecordCollector<Object> out, DecodeErrors errors) {
                events.add(Integer.toString(datagram.getInt(datagram.position())));
            }

            @Override
            public void dropped(long datagrams, RecordCollector<Object> out, DecodeErrors errors) {
                events.add("gap " + datagrams);
            }
        };
        TransportStats stats = new TransportStats();
        UdpReceiver<Object> r = UdpReceiver.open(UdpOptions.builder(0).receiveBufferBytes(16 << 10)
                .receiveMode(ReceiveMode.RECVMMSG).build(), numbering, x -> { }, new DecodeErrorCounter("gap"), stats);
        try (DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
            Assumptions.assumeTrue(r.readerDescription().contains("SO_RXQ_OVFL"), "kernel without SO_RXQ_OVFL");
            sender.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress to = r.localAddress();
            ByteBuffer payload = ByteBuffer.allocate(1000);
            int sent = 0;
            for (; sent < 200; sent++) {
                sender.send(payload.clear().putInt(0, sent), to);
            }
            int queued = 0;
            while (r.receiveBatch() > 0) {
                queued = events.size();
            }
            assertThat(queued).as("a 16 KiB buffer holds some of 200 datagrams of 1000 bytes").isBetween(1, 199);
            for (; sent < 205; sent++) {
                sender.send(payload.clear().putInt(0, sent), to);
            }
            awaitDatagrams(r, stats, queued + 5);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < queued; i++) {
                expected.add(Integer.toString(i));
            }
            expected.add("gap " + (200 - queued));
            for (int i = 200; i < 205; i++) {
                expected.add(Integer.toString(i));
            }
            assertThat(events).containsExactlyElementsOf(expected);
            assertThat(stats.datagramGaps.get()).isEqualTo(1);
            if (TransportStats.kernelDropsSupported()) { // /proc is read at most twice a second
                long deadline = System.nanoTime() + PollUntil.DEADLINE.toNanos();
                while (stats.datagramsDroppedByKernel() != 200 - queued && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(stats.datagramsDroppedByKernel()).as("the kernel's own count").isEqualTo(200 - queued);
            }
        } finally {
            r.close();
        }
    }

    /**
     * No garbage per datagram or per batch (the JDK's receive, which caches an unchanged sender's
     * address, makes none either): the receiving thread's allocated bytes over 2000 datagrams.
     */
    @Test
    void batchReaderAllocatesNothingPerDatagram() throws IOException {
        assumeBatchReader();
        long batch = allocatedWhileReceiving(ReceiveMode.RECVMMSG, 2000);
        assertThat(batch).as("bytes allocated receiving 2000 datagrams with recvmmsg").isLessThan(16 * 1024);
    }

    /** Bytes this thread allocated while receiving {@code count} datagrams (after a first one). */
    private long allocatedWhileReceiving(ReceiveMode mode, int count) throws IOException {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        TransportStats stats = new TransportStats();
        DatagramDecoder<Object> counting = (datagram, sender, out, errs) -> { };
        UdpReceiver<Object> r = UdpReceiver.open(UdpOptions.builder(0).receiveBufferBytes(4 << 20).receiveMode(mode)
                .build(), counting, x -> { }, new DecodeErrorCounter("alloc"), stats);
        try (DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
            sender.bind(new InetSocketAddress("127.0.0.1", 0));
            ByteBuffer payload = ByteBuffer.allocate(100);
            InetSocketAddress to = r.localAddress();
            sender.send(payload.clear(), to);
            awaitDatagrams(r, stats, 1); // the sender's address is made (and cached) once
            for (int i = 0; i < count; i++) {
                sender.send(payload.clear(), to);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            awaitDatagrams(r, stats, 1 + count);
            return threads.getCurrentThreadAllocatedBytes() - before;
        } finally {
            r.close();
        }
    }

    /** Calls {@link UdpReceiver#receiveBatch()} (allocation-free itself) until {@code n} datagrams came. */
    private static void awaitDatagrams(UdpReceiver<?> r, TransportStats stats, long n) throws IOException {
        long deadline = System.nanoTime() + PollUntil.DEADLINE.toNanos();
        while (stats.datagramsReceived.get() < n) {
            assertThat(System.nanoTime()).as("datagrams by the deadline").isLessThan(deadline);
            r.receiveBatch();
        }
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed * 31 + i * 7 + (i >> 8));
        }
        return b;
    }

    private static boolean canBind(InetAddress address) {
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            ch.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
