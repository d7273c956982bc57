package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The writer against a real loopback socket: whether the kernel cuts its buffers (GSO) or each
 * datagram takes its own call, the receiver gets the same datagrams in the same order.
 */
class SegmentedDatagramWriterTest {

    private static final int SEGMENT = 1000;
    /** {@code SO_NO_CHECK}: no UDP checksums; the kernel then refuses segmented sends (EINVAL). */
    private static final int SO_NO_CHECK = 11;

    /**
     * 5 full and a short one; 3 full, then a flush; 130 full (more than one call holds); a lone
     * short one; 2 full, then a flush.
     */
    private static List<byte[]> datagrams() {
        List<byte[]> all = new ArrayList<>();
        int[][] shape = {{5, 300}, {3, 0}, {130, 0}, {0, 700}, {2, 0}};
        for (int[] s : shape) {
            for (int i = 0; i < s[0]; i++) {
                all.add(pattern(SEGMENT, all.size()));
            }
            if (s[1] > 0) {
                all.add(pattern(s[1], all.size()));
            }
            all.add(null); // flush here
        }
        return all;
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    @Test
    void segmentedWritesDeliverTheSameDatagramsInFewerCalls() throws Exception {
        try (DatagramSocket receiver = receiver(); DatagramChannel channel = connectedTo(receiver)) {
            SegmentedDatagramWriter writer = SegmentedDatagramWriter.open(channel, SEGMENT);
            Assumptions.assumeTrue(writer.segmenting(), () -> "no segmentation here: " + writer.refusal());
            List<byte[]> expected = send(writer, datagrams());
            assertThat(receive(receiver, expected.size())).containsExactlyElementsOf(expected);
            // 5+1 | 3 | 64 + 64 + 2 | 1 | 2
            assertThat(writer.writeCalls()).isEqualTo(7);
            assertThat(writer.refusal()).isNull();
        }
    }

    @Test
    void unsegmentedWritesTakeOneCallPerDatagram() throws Exception {
        try (DatagramSocket receiver = receiver(); DatagramChannel channel = connectedTo(receiver)) {
            SegmentedDatagramWriter writer = SegmentedDatagramWriter.unsegmented(channel, SEGMENT, "asked");
            List<byte[]> expected = send(writer, datagrams());
            assertThat(receive(receiver, expected.size())).containsExactlyElementsOf(expected);
            assertThat(writer.writeCalls()).isEqualTo(expected.size());
            assertThat(writer.segmenting()).isFalse();
        }
    }

    /**
     * A socket without UDP checksums cannot segment: the kernel refuses the first write; the
     * writer sends that buffer's datagrams one by one and goes on without segmentation, losing none.
     */
    @Test
    void aRefusedSegmentedWriteIsSentDatagramByDatagram() throws Exception {
        try (DatagramSocket receiver = receiver(); DatagramChannel channel = connectedTo(receiver)) {
            SegmentedDatagramWriter writer = SegmentedDatagramWriter.open(channel, SEGMENT);
            Assumptions.assumeTrue(writer.segmenting(), () -> "no segmentation here: " + writer.refusal());
            assertThat(LinuxSocketCalls.setIntOption(LinuxSocketCalls.fd(channel), LinuxSocketCalls.SOL_SOCKET, SO_NO_CHECK, 1))
                    .isZero();
            List<byte[]> expected = send(writer, datagrams());
            assertThat(receive(receiver, expected.size())).containsExactlyElementsOf(expected);
            assertThat(writer.segmenting()).isFalse();
            assertThat(writer.refusal()).startsWith("segmented write refused");
            assertThat(writer.writeCalls()).as("the refused call wrote nothing").isEqualTo(expected.size());
        }
    }

    @Test
    void aDatagramLongerThanTheSegmentIsRefused() throws Exception {
        try (DatagramSocket receiver = receiver(); DatagramChannel channel = connectedTo(receiver)) {
            SegmentedDatagramWriter writer = SegmentedDatagramWriter.open(channel, SEGMENT);
            ByteBuffer head = ByteBuffer.allocate(8);
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                    .isThrownBy(() -> writer.add(head, ByteBuffer.allocate(SEGMENT)))
                    .withMessageContaining("1008 bytes");
        }
    }

    /** Adds every datagram (split into a head and a payload), flushing at each null; returns them. */
    private static List<byte[]> send(SegmentedDatagramWriter writer, List<byte[]> plan) throws IOException {
        List<byte[]> sent = new ArrayList<>();
        for (byte[] d : plan) {
            if (d == null) {
                writer.flush();
                continue;
            }
            int cut = Math.min(8, d.length);
            writer.add(ByteBuffer.wrap(d, 0, cut), ByteBuffer.wrap(d, cut, d.length - cut));
            sent.add(d);
        }
        writer.flush();
        return sent;
    }

    private static DatagramSocket receiver() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setReceiveBufferSize(4 << 20);
        s.setSoTimeout((int) PollUntil.DEADLINE.toMillis());
        return s;
    }

    private static DatagramChannel connectedTo(DatagramSocket receiver) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.connect(receiver.getLocalSocketAddress());
        return ch;
    }

    /** Receives {@code count} datagrams, each within the tests' deadline. */
    private static List<byte[]> receive(DatagramSocket receiver, int count) throws IOException {
        List<byte[]> got = new ArrayList<>();
        byte[] buf = new byte[65536];
        for (int i = 0; i < count; i++) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            receiver.receive(p);
            got.add(Arrays.copyOfRange(buf, 0, p.getLength()));
        }
        return got;
    }
}
