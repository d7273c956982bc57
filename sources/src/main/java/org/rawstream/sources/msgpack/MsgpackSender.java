package org.rawstream.sources.msgpack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.rawstream.sources.transport.TcpSender;
import org.rawstream.sources.transport.UdpSender;

/**
 * The MessagePack side of {@code send-msgpack}: what to send (sample records, or the values of a
 * file written by a {@code Packer}), checked as whole valid values, and how: back to back over TCP
 * (as a {@code Packer} on a socket writes them) or packed whole into UDP datagrams. The sockets,
 * pacing and threads are the transport's {@link TcpSender} and {@link UdpSender}.
 */
public final class MsgpackSender {
    /** Largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;

    private MsgpackSender() {
    }

    /** Writes {@code values} back to back on one connection, {@code repeat} times, at a values-per-second rate (0 = unlimited). */
    public static TcpSender.Result sendTcp(String host, int port, List<byte[]> values, long repeat, double valuesPerSecond)
            throws IOException {
        return TcpSender.to(host, port).messagesPerSecond(valuesPerSecond).build().send(values, repeat);
    }

    /**
     * Packs {@code values} into datagrams of at most {@code maxDatagramBytes} and sends them
     * {@code repeat} times at a datagrams-per-second rate (0 = unlimited).
     */
    public static UdpSender.Result sendUdp(String host, int port, List<byte[]> values, long repeat,
            double datagramsPerSecond, int maxDatagramBytes) throws IOException {
        return UdpSender.to(host, port).datagramsPerSecond(datagramsPerSecond).build()
                .send(packDatagrams(values, maxDatagramBytes), repeat);
    }

    /**
     * Sample instrument-like records, seeded: maps with a sequence number, a timestamp, a name,
     * an array of floats and a small binary blob.
     */
    public static List<byte[]> sampleValues(int n, long seed) {
        return sampleValues(n, seed, 0);
    }

    /**
     * Like {@link #sampleValues(int, long)} with sequence numbers (and timestamp seconds) from
     * {@code firstSeq}: consecutive batches with consecutive ranges hold no two equal records.
     */
    public static List<byte[]> sampleValues(int n, long seed, long firstSeq) {
        Random random = new Random(seed);
        List<byte[]> values = new ArrayList<>(n);
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            for (int i = 0; i < n; i++) {
                packer.clear();
                packer.packMapHeader(5);
                packer.packString("seq").packLong(firstSeq + i);
                packer.packString("time").packTimestamp(
                        Instant.ofEpochSecond(1_763_640_000L + firstSeq + i, random.nextInt(1_000_000_000)));
                packer.packString("name").packString("sensor-" + (i % 7));
                int samples = random.nextInt(16);
                packer.packString("samples").packArrayHeader(samples);
                for (int k = 0; k < samples; k++) {
                    packer.packDouble(random.nextGaussian());
                }
                byte[] raw = new byte[random.nextInt(64)];
                random.nextBytes(raw);
                packer.packString("raw").packBinaryHeader(raw.length).writePayload(raw);
                values.add(packer.toByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory packing does no I/O
        }
        return values;
    }

    /**
     * The top-level values of a MessagePack stream (for example a file written by a
     * {@code Packer}), each as its exact bytes.
     *
     * @throws IllegalArgumentException when the stream breaks a receiver rule or ends inside a value
     */
    public static List<byte[]> splitValues(byte[] stream, MsgpackLimits limits) {
        MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(limits);
        List<byte[]> values = new ArrayList<>();
        if (!splitter.feed(ByteBuffer.wrap(stream), v -> values.add(MsgpackValues.copy(v)))) {
            throw new IllegalArgumentException("not a valid MessagePack stream after " + values.size() + " values: "
                    + splitter.protocolError().metricName());
        }
        if (splitter.endOfStream()) {
            throw new IllegalArgumentException("the stream ends inside a value after " + values.size() + " values");
        }
        return values;
    }

    /**
     * Packs whole values, in order, into datagrams of at most {@code maxDatagramBytes} (a larger
     * value goes alone).
     *
     * @throws IllegalArgumentException for a value larger than a UDP datagram can be
     */
    public static List<byte[]> packDatagrams(List<byte[]> values, int maxDatagramBytes) {
        if (maxDatagramBytes < 1 || maxDatagramBytes > MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("maxDatagramBytes must be in 1.." + MAX_UDP_PAYLOAD);
        }
        List<byte[]> datagrams = new ArrayList<>();
        ByteBuffer datagram = ByteBuffer.allocate(MAX_UDP_PAYLOAD);
        for (byte[] value : values) {
            if (value.length > MAX_UDP_PAYLOAD) {
                throw new IllegalArgumentException("a " + value.length + "-byte value does not fit a datagram");
            }
            if (datagram.position() > 0 && datagram.position() + value.length > maxDatagramBytes) {
                datagrams.add(java.util.Arrays.copyOf(datagram.array(), datagram.position()));
                datagram.clear();
            }
            datagram.put(value);
        }
        if (datagram.position() > 0) {
            datagrams.add(java.util.Arrays.copyOf(datagram.array(), datagram.position()));
        }
        return datagrams;
    }
}
