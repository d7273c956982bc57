package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sender over loopback UDP and TCP into the plain-Java assembler: every heap arrives complete. */
class SpeadSenderTest {

    private static List<ReceivedHeap> assemble(List<byte[]> packets) {
        SpeadStreamAssembler assembler = new SpeadStreamAssembler(SpeadAssemblyConfig.defaults());
        List<ReceivedHeap> out = new ArrayList<>();
        for (byte[] p : packets) {
            assertThat(assembler.acceptDatagram(ByteBuffer.wrap(p), 0, p.length, 0, out::add)).isTrue();
        }
        assertThat(assembler.statistics().stops()).isEqualTo(1);
        return out;
    }

    private static void checkHeaps(List<ReceivedHeap> heaps, int count, int heapSize, long firstCnt, long step) {
        assertThat(heaps).hasSize(count).allMatch(ReceivedHeap::isComplete);
        DescriptorTable descriptors = new DescriptorTable();
        descriptors.update(heaps.get(0));
        assertThat(descriptors.size()).isEqualTo(2);
        for (int i = 0; i < count; i++) {
            ReceivedHeap h = heaps.get(i);
            assertThat(h.heapCnt()).isEqualTo(firstCnt + i * step);
            SpeadItem data = h.items().stream().filter(it -> it.id() == SpeadSender.DATA_ID).findFirst().orElseThrow();
            SpeadValue v = ItemValueDecoder.decode(descriptors.get(SpeadSender.DATA_ID), data.value(), 0, data.length(), false);
            assertThat(v.shape()).containsExactly(heapSize / 4);
            assertThat(v.longValue(0, 0)).isEqualTo((long) i * (heapSize / 4));
            SpeadItem ts = h.items().stream().filter(it -> it.id() == SpeadSender.TIMESTAMP_ID).findFirst().orElseThrow();
            assertThat(ts.asLong()).isEqualTo(i);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void udpDatagramsAssembleIntoTheSentHeaps() throws Exception {
        List<byte[]> packets = new ArrayList<>();
        SpeadSender.Result r = sendUdp(true, packets);
        assertThat(r.packets).isEqualTo(packets.size());
        assertThat(r.heaps).isEqualTo(20);
        checkHeaps(assemble(packets), 20, 64 << 10, 7, 3);
    }

    /**
     * Segmented (several datagrams per call, cut by the kernel) or not, the receiver gets the same
     * datagrams in the same order; segmented, in fewer calls.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void segmentationChangesTheCallsNotTheDatagrams() throws Exception {
        List<byte[]> segmented = new ArrayList<>();
        List<byte[]> single = new ArrayList<>();
        SpeadSender.Result s = sendUdp(true, segmented);
        SpeadSender.Result u = sendUdp(false, single);
        assertThat(segmented).containsExactlyElementsOf(single);
        assertThat(u.writeCalls).isEqualTo(u.packets);
        assertThat(u.segmentationRefusal).isEqualTo("segmentation offload off");
        Assumptions.assumeTrue(s.segmentationRefusal == null, () -> "no segmentation here: " + s.segmentationRefusal);
        // 64 KiB heaps in 1472-byte packets: about 47 per heap, at most 44 per call, each heap flushed
        assertThat(s.writeCalls).isLessThan(s.packets / 10);
    }

    /** Sends 20 heaps over UDP and receives every datagram up to the stop heap's. */
    private static SpeadSender.Result sendUdp(boolean segmented, List<byte[]> packets) throws Exception {
        try (DatagramChannel rx = DatagramChannel.open()) {
            rx.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) rx.getLocalAddress()).getPort();
            SpeadSender sender = SpeadSender.builder().udp("127.0.0.1", port).heapSize(64 << 10).packetSize(1472)
                    .heaps(20).firstHeapCnt(7).heapCntStep(3).rateGbps(0.2).segmentationOffload(segmented).build();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<SpeadSender.Result> sent = pool.submit(sender::run);
                ByteBuffer buf = ByteBuffer.allocate(65536);
                while (true) {
                    buf.clear();
                    rx.receive(buf);
                    buf.flip();
                    byte[] p = new byte[buf.remaining()];
                    buf.get(p);
                    packets.add(p);
                    SpeadPacket view = new SpeadPacket();
                    if (view.decodeDatagram(ByteBuffer.wrap(p), 0, p.length) && view.streamControl() == SpeadItemIds.CTRL_STOP) {
                        break;
                    }
                }
                return sent.get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tcpStreamAssemblesIntoTheSentHeaps() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            SpeadSender sender = SpeadSender.builder().tcp("127.0.0.1", server.getLocalPort()).heapSize(1 << 20)
                    .packetSize(65000).heaps(5).flavour(SpeadFlavour.SPEAD_64_40).build();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<SpeadSender.Result> sent = pool.submit(sender::run);
                byte[] stream;
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    stream = in.readAllBytes();
                }
                SpeadSender.Result r = sent.get(30, TimeUnit.SECONDS);
                assertThat((long) stream.length).isEqualTo(r.bytes);
                checkHeaps(assemble(SpeadVectors.packets(stream)), 5, 1 << 20, 1, 1);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
