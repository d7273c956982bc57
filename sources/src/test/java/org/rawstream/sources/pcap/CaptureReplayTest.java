package org.rawstream.sources.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rawstream.sources.transport.DecodeErrorCounter;
import org.rawstream.sources.transport.NamedCounters;

/** The capture reader and replay on synthesised captures: formats, link types, TCP reassembly, restore, bad input. */
class CaptureReplayTest {

    /** One replay's records with the position after each, and its counters. */
    static final class Replayed {
        final List<String> records = new ArrayList<>();
        final List<ReplayPosition> positions = new ArrayList<>();
        final NamedCounters counters = new NamedCounters();
        final DecodeErrorCounter errors = new DecodeErrorCounter("test");

        long count(String name) {
            return counters.get(name);
        }
    }

    static Replayed replay(byte[] capture, ReplaySettings settings, ReplayPosition from) throws IOException {
        Replayed r = new Replayed();
        CaptureReplay<String> replay = new CaptureReplay<>("test", 0, new RecordingProtocol(), settings,
                new CaptureReplay.Counters(r.counters), new NamedCounters(), r.errors);
        replay.open(new BytesChannel(capture), "test.pcap", from, (record, captureMillis, anchor, connections, senders, after) -> {
            r.records.add(record);
            r.positions.add(new ReplayPosition(anchor, connections, senders, after));
        });
        while (replay.advance(3, 1 << 20) != CaptureReplay.Progress.END) {
            // small batches: positions cross batch boundaries
        }
        replay.close();
        return r;
    }

    static Replayed replay(byte[] capture) throws IOException {
        return replay(capture, ReplaySettings.builder().build(), ReplayPosition.START);
    }

    static byte[] capture(Consumer<CaptureWriter> body, boolean pcapng, int linkType, ByteOrder order) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CaptureWriter w = pcapng ? CaptureWriter.pcapng(out, linkType, order) : CaptureWriter.pcap(out, linkType, order)) {
            body.accept(w);
        }
        return out.toByteArray();
    }

    interface Body {
        void write(CaptureWriter w) throws IOException;
    }

    static Consumer<CaptureWriter> unchecked(Body body) {
        return w -> {
            try {
                body.write(w);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    static InetSocketAddress at(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * Two UDP senders to one endpoint, a TCP connection whose segments arrive out of order with a
     * retransmission and whose sequence numbers wrap, and traffic the filter or the parser drops.
     */
    static Body mixedTraffic(String local, String a, String b) {
        return w -> {
            InetSocketAddress endpoint = at(local, 7148);
            w.udp(at(a, 5001), endpoint, bytes(10, 1));
            w.udp(at(b, 5002), endpoint, bytes(20, 2));
            InetSocketAddress server = at(local, 7149);
            InetSocketAddress client = at(a, 40000);
            byte[] stream = bytes(64, 3);
            long isn = 0xFFFFFFF0L; // wraps inside the stream
            w.tcp(client, server, isn, PacketHeaders.SYN, stream, 0, 0);
            w.tcp(server, client, 77, PacketHeaders.SYN | PacketHeaders.ACK, stream, 0, 0); // the answer: not input
            w.tcp(client, server, isn + 1, PacketHeaders.ACK, stream, 0, 16);
            w.tcp(client, server, isn + 1 + 32, PacketHeaders.ACK, stream, 32, 16); // early
            w.udp(at(a, 5001), endpoint, bytes(30, 4)); // interleaved datagram
            w.tcp(client, server, isn + 1 + 16, PacketHeaders.ACK, stream, 16, 16); // fills the hole
            w.tcp(client, server, isn + 1 + 8, PacketHeaders.ACK, stream, 8, 16); // retransmission, overlapping
            w.tcp(client, server, isn + 1 + 48, PacketHeaders.ACK, stream, 48, 16);
            w.tcp(client, server, isn + 1 + 64, PacketHeaders.FIN | PacketHeaders.ACK, stream, 0, 0);
            w.udp(at(a, 5001), at(local, 9999), bytes(5, 5)); // another port: kept unless filtered
        };
    }

    static List<String> expectedMixed(String local, String a, String b) {
        List<String> e = new ArrayList<>();
        String ep = local + ":7148";
        e.add("udp " + a + ":5001->" + ep + " " + hex(bytes(10, 1)));
        e.add("udp " + b + ":5002->" + ep + " " + hex(bytes(20, 2)));
        String tcp = "tcp #1 " + a + ":40000->" + local + ":7149";
        byte[] stream = bytes(64, 3);
        for (int i = 0; i < 4; i++) {
            e.add(tcp + " word " + hex(java.util.Arrays.copyOfRange(stream, i * 4, i * 4 + 4)));
        }
        e.add("udp " + a + ":5001->" + ep + " " + hex(bytes(30, 4)));
        for (int i = 4; i < 16; i++) {
            e.add(tcp + " word " + hex(java.util.Arrays.copyOfRange(stream, i * 4, i * 4 + 4)));
        }
        e.add(tcp + " " + hex(stream));
        e.add("udp " + a + ":5001->" + local + ":9999 " + hex(bytes(5, 5)));
        e.add("end " + a + ":5001->" + ep);
        e.add("end " + b + ":5002->" + ep);
        e.add("end " + a + ":5001->" + local + ":9999");
        return e;
    }

    static List<Arguments> formats() {
        List<Arguments> a = new ArrayList<>();
        int[] links = {LinkTypes.ETHERNET, LinkTypes.LINUX_SLL, LinkTypes.LINUX_SLL2, LinkTypes.NULL, LinkTypes.RAW};
        for (int link : links) {
            for (boolean ng : new boolean[] {false, true}) {
                for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                    a.add(Arguments.of(link, ng, order, false));
                    a.add(Arguments.of(link, ng, order, true));
                }
            }
        }
        return a;
    }

    @ParameterizedTest(name = "link {0} pcapng {1} {2} ipv6 {3}")
    @MethodSource("formats")
    void everyFormatLinkTypeAndFamilyReplaysTheSameRecords(int link, boolean pcapng, ByteOrder order, boolean ipv6)
            throws IOException {
        String local = ipv6 ? "0:0:0:0:0:0:0:1" : "127.0.0.1";
        String a = ipv6 ? "0:0:0:0:0:0:0:2" : "127.0.0.2";
        String b = ipv6 ? "0:0:0:0:0:0:0:3" : "127.0.0.3";
        Replayed r = replay(capture(unchecked(mixedTraffic(local, a, b)), pcapng, link, order));
        assertThat(r.records).containsExactlyElementsOf(expectedMixed(local, a, b));
        assertThat(r.count("tcpConnectionsOpened")).isEqualTo(1);
        assertThat(r.count("tcpConnectionsClosed")).isEqualTo(1);
        assertThat(r.count("tcpRetransmittedBytes")).isEqualTo(16);
        assertThat(r.count("tcpGaps")).isZero();
        assertThat(r.count("filesRead")).isEqualTo(1);
    }

    @Test
    void restoringFromAnyPositionContinuesWithExactlyTheRecordsThatFollow() throws IOException {
        for (boolean pcapng : new boolean[] {false, true}) {
            byte[] capture = capture(unchecked(mixedTraffic("127.0.0.1", "127.0.0.2", "127.0.0.3")), pcapng,
                    LinkTypes.ETHERNET, ByteOrder.LITTLE_ENDIAN);
            Replayed full = replay(capture);
            for (int i = 0; i < full.records.size(); i++) {
                Replayed rest = replay(capture, ReplaySettings.builder().build(), full.positions.get(i));
                assertThat(rest.records).as("after record %d (%s)", i, full.positions.get(i))
                        .containsExactlyElementsOf(full.records.subList(i + 1, full.records.size()));
            }
            // UDP only before the connection: each datagram starts at an anchor of its own.
            assertThat(full.positions.get(1).recordsAfterAnchor()).isEqualTo(1);
            assertThat(full.positions.get(1).anchorOffset()).isGreaterThan(full.positions.get(0).anchorOffset());
        }
    }

    @Test
    void filtersByDestinationPortHostAndTransport() throws IOException {
        byte[] capture = capture(unchecked(mixedTraffic("127.0.0.1", "127.0.0.2", "127.0.0.3")), false,
                LinkTypes.ETHERNET, ByteOrder.LITTLE_ENDIAN);
        Replayed port = replay(capture, ReplaySettings.builder().destinationPort(7148).build(), ReplayPosition.START);
        assertThat(port.records).hasSize(5).allMatch(s -> s.contains("->127.0.0.1:7148"));
        Replayed tcp = replay(capture, ReplaySettings.builder().transports(false, true).build(), ReplayPosition.START);
        assertThat(tcp.records).hasSize(17).allMatch(s -> s.startsWith("tcp"));
        Replayed host = replay(capture, ReplaySettings.builder().destinationHost("127.0.0.9").build(), ReplayPosition.START);
        assertThat(host.records).isEmpty();
        assertThat(host.count("packetsFiltered")).isEqualTo(12);
    }

    @Test
    void aCaptureCutShortEndsCleanlyAtEveryLength() throws IOException {
        byte[] capture = capture(unchecked(mixedTraffic("127.0.0.1", "127.0.0.2", "127.0.0.3")), true,
                LinkTypes.ETHERNET, ByteOrder.BIG_ENDIAN);
        for (int len = 28; len < capture.length; len++) {
            Replayed r = replay(java.util.Arrays.copyOf(capture, len));
            assertThat(r.count("filesRead")).isEqualTo(1);
        }
        Replayed cut = replay(java.util.Arrays.copyOf(capture, capture.length - 3));
        assertThat(cut.count("filesCutShort")).isEqualTo(1);
        // The connection was still open at the cut: it is ended (flushed), nothing is lost silently.
        Replayed midConnection = replay(java.util.Arrays.copyOf(capture, capture.length / 2));
        assertThat(midConnection.count("tcpConnectionsOpenAtEnd")).isEqualTo(1);
    }

    @Test
    void notACaptureAndUnsupportedLinkTypesAreClearErrors() throws IOException {
        assertThatThrownBy(() -> replay("hello, world".getBytes()))
                .isInstanceOf(CaptureFormatException.class).hasMessageContaining("not a pcap or pcapng file");
        assertThatThrownBy(() -> replay(new byte[2])).isInstanceOf(CaptureFormatException.class);
        ByteBuffer radiotap = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        radiotap.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(127);
        assertThatThrownBy(() -> replay(radiotap.array())).isInstanceOf(CaptureFormatException.class)
                .hasMessageContaining("IEEE802_11_RADIOTAP is not supported");
        // pcapng: the link type is per interface, so such packets are counted and skipped.
        byte[] ng = capture(unchecked(w -> w.frame(new byte[40], 40)), true, 127, ByteOrder.LITTLE_ENDIAN);
        Replayed r = replay(ng);
        assertThat(r.records).isEmpty();
        assertThat(r.count("packetsUnsupportedLinkType")).isEqualTo(1);
    }

    @Test
    void corruptFramingEndsTheFileAsCorruptAndKeepsWhatCameBefore() throws IOException {
        byte[] capture = capture(unchecked(mixedTraffic("127.0.0.1", "127.0.0.2", "127.0.0.3")), false,
                LinkTypes.ETHERNET, ByteOrder.LITTLE_ENDIAN);
        // The 3rd record's captured length: huge.
        int third = 24;
        for (int i = 0; i < 2; i++) {
            third += 16 + ByteBuffer.wrap(capture, third + 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }
        ByteBuffer.wrap(capture, third + 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7FFFFFFF);
        Replayed r = replay(capture);
        assertThat(r.count("filesCorrupt")).isEqualTo(1);
        assertThat(r.records).hasSize(4).startsWith(expectedMixed("127.0.0.1", "127.0.0.2", "127.0.0.3").get(0));
    }

    @Test
    void packetsWithoutDecodableTransportAreCountedByReason() throws IOException {
        byte[] capture = capture(unchecked(w -> {
            byte[] arp = new byte[42];
            arp[12] = 0x08;
            arp[13] = 0x06;
            w.frame(arp, arp.length); // ARP: not IP
            byte[] fragment = new byte[14 + 28];
            fragment[12] = 0x08;
            fragment[14] = 0x45;
            fragment[17] = 28;
            fragment[20] = 0x20; // more fragments
            fragment[23] = 17;
            w.frame(fragment, fragment.length);
            byte[] icmp = fragment.clone();
            icmp[20] = 0;
            icmp[23] = 1;
            w.frame(icmp, icmp.length);
            byte[] shortFrame = new byte[10];
            w.frame(shortFrame, shortFrame.length);
            w.step(1);
        }), false, LinkTypes.ETHERNET, ByteOrder.LITTLE_ENDIAN);
        Replayed r = replay(capture);
        assertThat(r.records).isEmpty();
        assertThat(r.count("packetsNotIp")).isEqualTo(1);
        assertThat(r.count("packetsIpFragment")).isEqualTo(1);
        assertThat(r.count("packetsNotUdpOrTcp")).isEqualTo(1);
        assertThat(r.count("packetsMalformed")).isEqualTo(1);
    }

    @Test
    void aMissingSegmentEndsTheConnectionAtTheGapAndCountsIt() throws IOException {
        byte[] stream = bytes(48, 9);
        byte[] capture = capture(unchecked(w -> {
            InetSocketAddress c = at("127.0.0.2", 40001);
            InetSocketAddress s = at("127.0.0.1", 7149);
            w.tcp(c, s, 100, PacketHeaders.SYN, stream, 0, 0);
            w.tcp(c, s, 101, PacketHeaders.ACK, stream, 0, 16);
            w.tcp(c, s, 101 + 32, PacketHeaders.ACK, stream, 32, 16); // 16..32 never captured
            w.tcp(c, s, 101 + 48, PacketHeaders.FIN | PacketHeaders.ACK, stream, 0, 0);
            w.tcp(at("127.0.0.2", 40002), s, 5, PacketHeaders.ACK, stream, 0, 8); // no SYN seen
        }), false, LinkTypes.ETHERNET, ByteOrder.LITTLE_ENDIAN);
        Replayed r = replay(capture);
        assertThat(r.count("tcpGaps")).isEqualTo(1);
        assertThat(r.count("tcpBytesAfterGap")).isEqualTo(16);
        assertThat(r.count("tcpSegmentsWithoutConnection")).isEqualTo(1);
        assertThat(r.records).last().asString().endsWith(hex(java.util.Arrays.copyOf(stream, 16)));
    }

    @Test
    void theReorderBoundEndsAConnectionThatWaitsTooLong() throws IOException {
        byte[] stream = bytes(4000, 7);
        byte[] capture = capture(unchecked(w -> {
            InetSocketAddress c = at("127.0.0.2", 40001);
            InetSocketAddress s = at("127.0.0.1", 7149);
            w.tcp(c, s, 0, PacketHeaders.SYN, stream, 0, 0);
            for (int off = 1000; off < 4000; off += 1000) {
                w.tcp(c, s, 1 + off, PacketHeaders.ACK, stream, off, 1000); // the first 1000 bytes never come
            }
        }), false, LinkTypes.ETHERNET, ByteOrder.LITTLE_ENDIAN);
        Replayed r = replay(capture, ReplaySettings.builder().maxReorderBytes(1500).build(), ReplayPosition.START);
        assertThat(r.count("tcpGaps")).isEqualTo(1);
        assertThat(r.count("tcpBytesAfterGap")).isEqualTo(2000);
        assertThat(r.count("tcpSegmentsWithoutConnection")).isEqualTo(1); // the third, after the connection ended
    }

    /**
     * A capture of a segmenting sender on loopback (or of what GRO merged) holds several datagrams
     * in one UDP packet, of one size but the last: where the protocol tells the first one's length,
     * the replay cuts the packet as the kernel would for a socket; otherwise it is one datagram.
     */
    @Test
    void mergedDatagramsAreCutWhereTheProtocolTellsTheirLength() throws IOException {
        byte[] merged = new byte[3 * 40 + 7];
        for (int at = 0; at < merged.length; at += 40) {
            byte[] d = bytes(Math.min(40, merged.length - at), at);
            d[0] = RecordingProtocol.SIZED;
            d[1] = (byte) d.length;
            System.arraycopy(d, 0, merged, at, d.length);
        }
        byte[] single = bytes(50, 9); // its first byte is not SIZED: no length known
        byte[] sized = java.util.Arrays.copyOf(merged, 40); // one datagram as long as it says
        InetSocketAddress from = at("127.0.0.2", 5001);
        InetSocketAddress to = at("127.0.0.1", 7148);
        Replayed r = replay(capture(unchecked(w -> {
            w.udp(from, to, merged);
            w.udp(from, to, single);
            w.udp(from, to, sized);
        }), false, LinkTypes.ETHERNET, ByteOrder.LITTLE_ENDIAN));
        String prefix = "udp 127.0.0.2:5001->127.0.0.1:7148 ";
        assertThat(r.records).containsExactly(
                prefix + hex(java.util.Arrays.copyOfRange(merged, 0, 40)),
                prefix + hex(java.util.Arrays.copyOfRange(merged, 40, 80)),
                prefix + hex(java.util.Arrays.copyOfRange(merged, 80, 120)),
                prefix + hex(java.util.Arrays.copyOfRange(merged, 120, 127)),
                prefix + hex(single),
                prefix + hex(sized),
                "end 127.0.0.2:5001->127.0.0.1:7148");
        assertThat(r.count("udpDatagrams")).isEqualTo(3);
        assertThat(r.count("udpPacketsSplit")).isEqualTo(1);
    }

    @Test
    void snaplenCutDatagramsAreDroppedAndCounted() throws IOException {
        byte[] capture = capture(unchecked(w -> {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            try (CaptureWriter inner = CaptureWriter.pcap(frame, LinkTypes.ETHERNET)) {
                inner.udp(at("127.0.0.2", 1), at("127.0.0.1", 2), bytes(100, 1));
            }
            byte[] whole = java.util.Arrays.copyOfRange(frame.toByteArray(), 24 + 16, frame.size());
            w.frame(java.util.Arrays.copyOf(whole, 60), whole.length);
        }), false, LinkTypes.ETHERNET, ByteOrder.LITTLE_ENDIAN);
        Replayed r = replay(capture);
        assertThat(r.count("packetsTruncated")).isEqualTo(1);
        assertThat(r.records).isEmpty(); // not even a sender: the datagram never counted as received
    }

    @Test
    void aNewSynOnTheSamePortsStartsANewConnection() throws IOException {
        byte[] first = bytes(8, 1);
        byte[] second = bytes(8, 2);
        byte[] capture = capture(unchecked(w -> {
            InetSocketAddress c = at("127.0.0.2", 40001);
            InetSocketAddress s = at("127.0.0.1", 7149);
            w.tcp(c, s, 1000, PacketHeaders.SYN, first, 0, 0);
            w.tcp(c, s, 1001, PacketHeaders.ACK, first, 0, 8);
            w.tcp(c, s, 1000, PacketHeaders.SYN, first, 0, 0); // retransmitted SYN: ignored
            w.tcp(c, s, 9000, PacketHeaders.SYN, second, 0, 0); // FIN never captured, port reused
            w.tcp(c, s, 9001, PacketHeaders.ACK, second, 0, 8);
            w.tcp(c, s, 9009, PacketHeaders.FIN | PacketHeaders.ACK, second, 0, 0);
        }), false, LinkTypes.ETHERNET, ByteOrder.LITTLE_ENDIAN);
        Replayed r = replay(capture);
        assertThat(r.records).filteredOn(x -> !x.contains(" word ")).containsExactly(
                "tcp #1 127.0.0.2:40001->127.0.0.1:7149 " + hex(first),
                "tcp #2 127.0.0.2:40001->127.0.0.1:7149 " + hex(second));
        assertThat(r.count("tcpConnectionsOpened")).isEqualTo(2);
    }
}
