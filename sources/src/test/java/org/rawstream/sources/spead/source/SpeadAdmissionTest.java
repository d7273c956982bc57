package org.rawstream.sources.spead.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.rawstream.sources.net.DecoderContext;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadPacketWriter;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.NamedCounters;

/** The receiving thread's per-heap admission: whole-heap shedding and the stream cap. */
class SpeadAdmissionTest {

    private static byte[] packet(long cnt, long size, long offset, int len) {
        SpeadFlavour f = SpeadFlavour.SPEAD_64_48;
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * 4 + len);
        SpeadPacketWriter.writeHeader(b, f, 4);
        SpeadPacketWriter.writePacketPointers(b, f, cnt, size, offset, len);
        return b.array();
    }

    private final AtomicBoolean overloaded = new AtomicBoolean();
    private final NamedCounters counters = new NamedCounters();
    private final java.util.concurrent.atomic.AtomicLong shedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final List<SpeadPacketRecord> out = new ArrayList<>();

    private DatagramDecoder<SpeadPacketRecord> decoder(int maxStreams) {
        SpeadProtocol protocol = new SpeadProtocol(2, SpeadAssemblyConfig.builder().maxStreams(maxStreams).build());
        DecoderContext context = new DecoderContext("sp", 0, new NetworkSplit(NetworkSplit.Transport.UDP, "127.0.0.1", 7148, 0),
                counters, overloaded::get, shedBytes::addAndGet);
        return protocol.createDatagramDecoder(context);
    }

    private void send(DatagramDecoder<SpeadPacketRecord> d, int port, byte[] p) {
        d.decode(ByteBuffer.wrap(p), new InetSocketAddress("127.0.0.1", port), out::add, kind -> { });
    }

    @Test
    void underOverloadNewHeapsAreShedWholeAndStartedHeapsAreFed() {
        DatagramDecoder<SpeadPacketRecord> d = decoder(16);
        send(d, 5000, packet(1, 300, 0, 100)); // heap 1 starts
        overloaded.set(true);
        send(d, 5000, packet(2, 300, 0, 100)); // heap 2 is new: shed
        send(d, 5000, packet(1, 300, 100, 100)); // heap 1 goes on
        overloaded.set(false);
        send(d, 5000, packet(2, 300, 100, 100)); // heap 2 stays shed although the load is gone
        send(d, 5000, packet(1, 300, 200, 100));
        send(d, 5000, packet(2, 300, 200, 100));
        send(d, 5000, packet(3, 300, 0, 100)); // a new heap is admitted again
        long packetsOf1 = out.stream().filter(r -> r.length() > 0 && cnt(r) == 1).count();
        long packetsOf2 = out.stream().filter(r -> r.length() > 0 && cnt(r) == 2).count();
        assertThat(packetsOf1).isEqualTo(3);
        assertThat(packetsOf2).isZero();
        assertThat(out.stream().filter(SpeadPacketRecord::isShedNotice).mapToInt(SpeadPacketRecord::shedHeaps).sum())
                .isEqualTo(1);
        assertThat(counters.get("heapsShed")).isEqualTo(1);
        assertThat(counters.get("packetsShed")).isEqualTo(3);
        assertThat(shedBytes.get()).isEqualTo(3L * packet(2, 300, 0, 100).length); // out of the hand-over's account
        assertThat(out.get(out.size() - 1).length()).isPositive(); // heap 3
    }

    /**
     * Where the kernel dropped datagrams, what each stream had open is shed whole: gap notices
     * tell assembly to shed the live heaps, their later packets are shed here, and a heap that
     * began in the gap is shed until one opens at its start.
     */
    @Test
    void aKernelGapShedsTheHeapsItCutWhole() {
        DatagramDecoder<SpeadPacketRecord> d = decoder(16);
        send(d, 5000, packet(1, 300, 0, 100)); // heap 1 complete before the gap
        send(d, 5000, packet(1, 300, 100, 100));
        send(d, 5000, packet(1, 300, 200, 100));
        send(d, 5000, packet(2, 300, 0, 100)); // heap 2 open at the gap
        send(d, 6000, packet(7, 300, 0, 100)); // another sender's heap open at the gap
        out.clear();
        d.dropped(12, out::add, kind -> { });
        assertThat(out).hasSize(4).allMatch(SpeadPacketRecord::isGapNotice); // 2 streams x 2 substreams
        assertThat(out).extracting(SpeadPacketRecord::assemblyKey).doesNotHaveDuplicates();
        out.clear();
        send(d, 5000, packet(2, 300, 200, 100)); // the rest of heap 2: shed
        send(d, 5000, packet(3, 300, 200, 100)); // heap 3 began in the gap: shed
        send(d, 5000, packet(4, 300, 0, 100)); // heap 4 opens at its start: admitted
        send(d, 5000, packet(3, 300, 100, 100)); // heap 3 stays shed
        send(d, 5000, packet(5, 300, 100, 100)); // after a start, a heap seen from its middle is reordering: admitted
        send(d, 6000, packet(7, 300, 100, 100)); // the other sender's cut heap: shed
        assertThat(out.stream().filter(r -> r.length() > 0).map(SpeadAdmissionTest::cnt)).containsExactly(4L, 5L);
        assertThat(out.stream().filter(SpeadPacketRecord::isShedNotice).mapToInt(SpeadPacketRecord::shedHeaps).sum())
                .as("heap 3, shed here; heaps 2 and 7 are shed by assembly").isEqualTo(1);
        assertThat(counters.get("heapsShed")).isEqualTo(1);
        assertThat(counters.get("packetsShed")).isEqualTo(4);
        // Another gap: sender 6000 has admitted nothing since the first, so it gets no notice.
        out.clear();
        d.dropped(3, out::add, kind -> { });
        assertThat(out).hasSize(2).allMatch(r -> r.isGapNotice() && r.stream().endsWith(":5000"));
    }

    @Test
    void theLeastRecentlyActiveStreamIsEndedBeyondTheCap() {
        DatagramDecoder<SpeadPacketRecord> d = decoder(2);
        send(d, 5001, packet(1, 300, 0, 100));
        send(d, 5002, packet(1, 300, 0, 100));
        send(d, 5001, packet(1, 300, 100, 100)); // 5002 is now the least recently active
        out.clear();
        send(d, 5003, packet(1, 300, 0, 100));
        assertThat(out).hasSize(3); // end of stream for both substreams of 5002, then the packet
        assertThat(out.get(0).isEndOfStream()).isTrue();
        assertThat(out.get(0).stream()).endsWith("127.0.0.1:5002");
        assertThat(out.get(1).isEndOfStream()).isTrue();
        assertThat(out.get(2).stream()).endsWith("127.0.0.1:5003");
        assertThat(counters.get("streamsEvicted")).isEqualTo(1);
    }

    private static long cnt(SpeadPacketRecord r) {
        org.rawstream.sources.spead.SpeadPacket p = new org.rawstream.sources.spead.SpeadPacket();
        assertThat(p.decodeDatagram(r.buffer(), r.start(), r.length())).isTrue();
        return p.heapCnt();
    }
}
