package org.rawstream.sources.msgpack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Plain-Java MessagePack sender (the core of {@code send-msgpack}): writes whole values back to
 * back over TCP, as a {@code Packer} on a socket does, or packs as many whole values as fit into
 * each UDP datagram; cycles through the given values up to a count, at an optional rate.
 */
public final class MsgpackSender {
    /** How the values travel. */
    public enum Transport { TCP, UDP }

    /** Largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;

    private final InetSocketAddress target;
    private final Transport transport;
    private final List<byte[]> values;
    private final long count;
    private final double rate;
    private final int maxDatagramBytes;

    private MsgpackSender(Builder b) {
        this.target = new InetSocketAddress(b.host, b.port);
        this.transport = b.transport;
        this.values = b.values;
        this.count = b.count;
        this.rate = b.rate;
        this.maxDatagramBytes = b.maxDatagramBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sample instrument-like records, seeded: maps with a sequence number, a timestamp, a name,
     * an array of floats and a small binary blob.
     */
    public static List<byte[]> sampleValues(int n, long seed) {
        Random random = new Random(seed);
        List<byte[]> values = new ArrayList<>(n);
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            for (int i = 0; i < n; i++) {
                packer.clear();
                packer.packMapHeader(5);
                packer.packString("seq").packLong(i);
                packer.packString("time").packTimestamp(Instant.ofEpochSecond(1_763_640_000L + i, random.nextInt(1_000_000_000)));
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
            throw new UncheckedIOException(e); // in-memory packing does not do I/O
        }
        return values;
    }

    /** Sends {@code count} values (cycling through the list) and returns what was sent. */
    public MsgpackSenderResult run() throws IOException {
        long start = System.nanoTime();
        return transport == Transport.TCP ? sendTcp(start) : sendUdp(start);
    }

    private MsgpackSenderResult sendTcp(long start) throws IOException {
        long bytes = 0;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(target, 10_000);
            OutputStream out = socket.getOutputStream();
            ByteBuffer batch = ByteBuffer.allocate(64 * 1024);
            for (long n = 0; n < count; n++) {
                byte[] value = values.get((int) (n % values.size()));
                if (pace(start, n) || batch.remaining() < value.length) {
                    out.write(batch.array(), 0, batch.position());
                    batch.clear();
                }
                if (value.length > batch.capacity()) {
                    out.write(value);
                } else {
                    batch.put(value);
                }
                bytes += value.length;
            }
            out.write(batch.array(), 0, batch.position());
            out.flush();
            socket.shutdownOutput(); // a clean end: the receiver has every value whole
        }
        return new MsgpackSenderResult(count, bytes, 0, System.nanoTime() - start);
    }

    private MsgpackSenderResult sendUdp(long start) throws IOException {
        long bytes = 0;
        long datagrams = 0;
        byte[] datagram = new byte[Math.max(maxDatagramBytes, largestValue())];
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(target);
            int filled = 0;
            for (long n = 0; n < count; n++) {
                byte[] value = values.get((int) (n % values.size()));
                boolean paced = pace(start, n);
                if (filled > 0 && (paced || filled + value.length > maxDatagramBytes)) {
                    socket.send(new DatagramPacket(datagram, filled));
                    datagrams++;
                    filled = 0;
                }
                System.arraycopy(value, 0, datagram, filled, value.length);
                filled += value.length;
                bytes += value.length;
            }
            if (filled > 0) {
                socket.send(new DatagramPacket(datagram, filled));
                datagrams++;
            }
        }
        return new MsgpackSenderResult(count, bytes, datagrams, System.nanoTime() - start);
    }

    /** Waits until value {@code n} is due; true when it had to wait (so what is batched should go now). */
    private boolean pace(long start, long n) {
        if (rate <= 0) {
            return false;
        }
        long due = start + (long) (n * 1e9 / rate);
        boolean waited = false;
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
            waited = true;
        }
        return waited;
    }

    private int largestValue() {
        int largest = 0;
        for (byte[] v : values) {
            largest = Math.max(largest, v.length);
        }
        return largest;
    }

    /** What a run sent. */
    public static final class MsgpackSenderResult {
        private final long values;
        private final long bytes;
        private final long datagrams;
        private final long elapsedNanos;

        MsgpackSenderResult(long values, long bytes, long datagrams, long elapsedNanos) {
            this.values = values;
            this.bytes = bytes;
            this.datagrams = datagrams;
            this.elapsedNanos = elapsedNanos;
        }

        public long values() {
            return values;
        }

        public long bytes() {
            return bytes;
        }

        /** Datagrams sent (UDP only). */
        public long datagrams() {
            return datagrams;
        }

        public long elapsedNanos() {
            return elapsedNanos;
        }

        @Override
        public String toString() {
            double seconds = elapsedNanos / 1e9;
            return String.format(Locale.ROOT, "values=%d bytes=%d datagrams=%d elapsed=%.3fs rate=%.0f/s", values, bytes,
                    datagrams, seconds, seconds > 0 ? values / seconds : 0.0);
        }
    }

    /** Builder of {@link MsgpackSender}; defaults: 127.0.0.1, TCP, 1000 values, unthrottled, 8 KiB datagrams. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = -1;
        private Transport transport = Transport.TCP;
        private List<byte[]> values;
        private long count = 1000;
        private double rate;
        private int maxDatagramBytes = 8192;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /** The values to send, each the exact bytes of one whole MessagePack value (checked). */
        public Builder values(List<byte[]> values) {
            MsgpackDatagramSplitter check = new MsgpackDatagramSplitter(MsgpackLimits.builder()
                    .maxValueBytes(Integer.MAX_VALUE).build());
            List<byte[]> copies = new ArrayList<>(values.size());
            for (byte[] v : values) {
                int[] found = {0};
                MsgpackErrorKind kind = check.split(ByteBuffer.wrap(v), x -> found[0]++);
                if (kind != null || found[0] != 1) {
                    throw new IllegalArgumentException("not exactly one valid MessagePack value: "
                            + (kind != null ? kind.metricName() : found[0] + " values"));
                }
                copies.add(v.clone());
            }
            this.values = copies;
            return this;
        }

        /** Values in total (the list is cycled). */
        public Builder count(long count) {
            if (count < 0) {
                throw new IllegalArgumentException("count must be >= 0");
            }
            this.count = count;
            return this;
        }

        /** Values per second; 0 = as fast as possible. */
        public Builder rate(double valuesPerSecond) {
            if (valuesPerSecond < 0) {
                throw new IllegalArgumentException("rate must be >= 0");
            }
            this.rate = valuesPerSecond;
            return this;
        }

        /** UDP: whole values are packed into datagrams up to this size (a larger value goes alone). */
        public Builder maxDatagramBytes(int bytes) {
            if (bytes < 1 || bytes > MAX_UDP_PAYLOAD) {
                throw new IllegalArgumentException("maxDatagramBytes must be in 1.." + MAX_UDP_PAYLOAD);
            }
            this.maxDatagramBytes = bytes;
            return this;
        }

        public MsgpackSender build() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be set (0..65535)");
            }
            if (values == null) {
                values(sampleValues(100, 1));
            }
            if (values.isEmpty() && count > 0) {
                throw new IllegalArgumentException("no values to send");
            }
            if (transport == Transport.UDP) {
                for (byte[] v : values) {
                    if (v.length > MAX_UDP_PAYLOAD) {
                        throw new IllegalArgumentException("a " + v.length + "-byte value does not fit a datagram");
                    }
                }
            }
            return new MsgpackSender(this);
        }
    }
}
