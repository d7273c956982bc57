package org.rawstream.sources.odin;

import static org.rawstream.core.config.ConfigChecks.atLeast;
import static org.rawstream.core.config.ConfigChecks.inRange;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import org.rawstream.sources.transport.Pacer;
import org.rawstream.sources.transport.SenderChannels;

/**
 * A simulated ODIN-Stream device: sends the packets of an {@link OdinTrafficGenerator} over UDP
 * (one packet per datagram) or TCP (COBS frames with CRC) at a given data-packet rate (paced by
 * the transport's {@link Pacer}). The core of the {@code send-odin} command and of the
 * {@code --local --demo} feed; plain Java. One {@link #run} per instance; {@link #stop} from any thread.
 */
public final class OdinSender {

    /** How packets travel. */
    public enum Transport { UDP, TCP }

    /**
     * Told of every packet just before it is sent (on the sending thread): for tests and feeds
     * that keep a record of their traffic. The packet's bytes are from its position to its limit;
     * read them, do not keep the buffer (it is reused) — position and limit are restored after.
     */
    @FunctionalInterface
    public interface PacketListener {
        void sending(OdinPacketType type, ByteBuffer packet);
    }

    /** What a run sent: packets of each type, bytes of packets (without TCP framing), nanoseconds. */
    public record Result(long dataPackets, long identifierPackets, long extendedPackets, long events, long bytes,
            long nanos) {

        public long packets() {
            return dataPackets + identifierPackets + extendedPackets + events;
        }

        public Duration elapsed() {
            return Duration.ofNanos(nanos);
        }

        /** Data packets per second achieved. */
        public double dataRate() {
            return nanos == 0 ? 0 : dataPackets * 1e9 / nanos;
        }

        @Override
        public String toString() {
            return String.format("sent %d data, %d identifier, %d extended identifier, %d event packets (%d bytes) in %.3f s: %.0f data packets/s",
                    dataPackets, identifierPackets, extendedPackets, events, bytes, nanos / 1e9, dataRate());
        }
    }

    /** What the sender sends, as its {@link Builder} set it. */
    private record Settings(String host, int port, Transport transport, OdinSchema schema, int schemaEvery,
            int eventEvery, double rate, long count, Duration duration, Duration connectTimeout, long firstDataPacket,
            PacketListener listener) {
    }

    private final Settings settings;
    private volatile boolean stopped;

    private OdinSender(Settings settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    public OdinSchema schema() {
        return settings.schema();
    }

    /** Sends until {@code count} data packets are sent, {@code duration} has passed or {@link #stop()}. */
    public Result run() throws IOException {
        OdinTrafficGenerator generator = new OdinTrafficGenerator(settings.schema(), settings.schemaEvery(),
                settings.eventEvery(), settings.firstDataPacket());
        InetSocketAddress target = new InetSocketAddress(settings.host(), settings.port());
        int maxPacket = Math.max(settings.schema().dataPacketLength(), 1500) + 64;
        ByteBuffer packet = ByteBuffer.allocateDirect(maxPacket);
        // High rates go out in small bursts (one pacer wait per ~100 µs, not per packet: a wait per
        // packet would spin a core); a sender that falls behind catches up within 50 ms of credit.
        int burst = (int) Math.max(1, settings.rate() / 10_000);
        Pacer pacer = new Pacer(settings.rate(), 50_000_000L);
        int credit = 0;
        long[] sent = new long[OdinPacketType.values().length];
        long bytes = 0;
        long start = System.nanoTime();
        long end = settings.duration() == null ? Long.MAX_VALUE : start + settings.duration().toNanos();
        try (Channel channel = settings.transport() == Transport.UDP ? new Udp(target)
                : new Tcp(target, maxPacket, settings.connectTimeout())) {
            while (!stopped && generator.dataPackets() < settings.count() && System.nanoTime() < end) {
                if (generator.nextIsData()) {
                    if (credit == 0) {
                        pacer.acquire(burst);
                        credit = burst;
                    }
                    credit--;
                }
                packet.clear();
                OdinPacketType type = generator.next(packet, (System.nanoTime() - start) / 1_000_000);
                packet.flip();
                if (settings.listener() != null) {
                    int length = packet.limit();
                    settings.listener().sending(type, packet);
                    packet.limit(length).position(0);
                }
                bytes += packet.remaining();
                sent[type.ordinal()]++;
                channel.send(packet);
                if (!pacer.unlimited()) {
                    channel.flush(); // paced: each packet leaves now, not with the next batch
                }
            }
            channel.flush();
        }
        return new Result(sent[OdinPacketType.DATA.ordinal()], sent[OdinPacketType.IDENTIFIER.ordinal()],
                sent[OdinPacketType.EXTENDED_IDENTIFIER.ordinal()], sent[OdinPacketType.EVENT.ordinal()],
                bytes, System.nanoTime() - start);
    }

    /** Ends a {@link #run} in progress (from another thread) after the packet being sent. */
    public void stop() {
        stopped = true;
    }

    private interface Channel extends AutoCloseable {
        void send(ByteBuffer packet) throws IOException;

        void flush() throws IOException;

        @Override
        void close() throws IOException;
    }

    private static final class Udp implements Channel {
        private final DatagramChannel channel;

        Udp(InetSocketAddress target) throws IOException {
            channel = SenderChannels.udp(target, 0);
        }

        @Override
        public void send(ByteBuffer packet) throws IOException {
            SenderChannels.send(channel, packet);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Frames packets into a buffer written when full or when the sender waits. */
    private static final class Tcp implements Channel {
        private final SocketChannel channel;
        private final ByteBuffer frames;
        private final int maxFrame;

        Tcp(InetSocketAddress target, int maxPacket, Duration connectTimeout) throws IOException {
            channel = SenderChannels.tcp(target, connectTimeout, () -> false);
            maxFrame = OdinFrameEncoder.maxFrameLength(maxPacket);
            frames = ByteBuffer.allocateDirect(Math.max(64 * 1024, 2 * maxFrame));
        }

        @Override
        public void send(ByteBuffer packet) throws IOException {
            if (frames.remaining() < maxFrame) {
                flush();
            }
            OdinFrameEncoder.encode(packet, frames);
        }

        @Override
        public void flush() throws IOException {
            frames.flip();
            while (frames.hasRemaining()) {
                channel.write(frames);
            }
            frames.clear();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Builder of {@link OdinSender}; defaults: 127.0.0.1, UDP, 64-byte data packets, schema every 100, event every 1000, 1000 packets/s, 10 000 packets. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = -1;
        private Transport transport = Transport.UDP;
        private OdinSchema schema;
        private int dataPacketLength = 64;
        private int schemaEvery = 100;
        private int eventEvery = 1000;
        private double rate = 1000;
        private long count = 10_000;
        private Duration duration;
        private Duration connectTimeout = Duration.ZERO;
        private long firstDataPacket;
        private PacketListener listener;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        public Builder port(int port) {
            this.port = inRange(port, 1, 65535, "port");
            return this;
        }

        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport);
            return this;
        }

        /** The schema to announce and fill; default a named schema of {@link #dataPacketLength}. */
        public Builder schema(OdinSchema schema) {
            this.schema = Objects.requireNonNull(schema);
            return this;
        }

        public Builder dataPacketLength(int length) {
            OdinTrafficGenerator.defaultSchema(length); // validates
            this.dataPacketLength = length;
            return this;
        }

        public Builder schemaEvery(int packets) {
            this.schemaEvery = packets;
            return this;
        }

        /** 0: no events. */
        public Builder eventEvery(int packets) {
            this.eventEvery = packets;
            return this;
        }

        /** Data packets per second; 0 or less: as fast as possible. */
        public Builder rate(double packetsPerSecond) {
            this.rate = packetsPerSecond;
            return this;
        }

        /** Data packets to send. */
        public Builder count(long count) {
            this.count = atLeast(count, 0, "count");
            return this;
        }

        /** Stop after this long even if {@link #count} is not reached; default none. */
        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        /** TCP: keep retrying a refused connection this long (default: fail at once). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * Number of the first data packet (default 0): a feed that reconnects continues where the
         * previous run stopped, so no data packet is sent twice (see {@link OdinTrafficGenerator}).
         */
        public Builder firstDataPacket(long number) {
            this.firstDataPacket = atLeast(number, 0, "firstDataPacket");
            return this;
        }

        /** Told of every packet before it is sent; default none. */
        public Builder onPacket(PacketListener listener) {
            this.listener = Objects.requireNonNull(listener);
            return this;
        }

        public OdinSender build() {
            if (port < 0) {
                throw new IllegalStateException("port not set");
            }
            if (schemaEvery < 1 || eventEvery < 0) {
                throw new IllegalArgumentException("schemaEvery must be >= 1 and eventEvery >= 0");
            }
            return new OdinSender(new Settings(host, port, transport,
                    schema != null ? schema : OdinTrafficGenerator.defaultSchema(dataPacketLength), schemaEvery,
                    eventEvery, rate, count, duration, connectTimeout, firstDataPacket, listener));
        }
    }
}
