package org.rawstream.sources.spead.source;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.SingletonTypeInfo;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.spead.InvalidPacketReason;
import org.rawstream.sources.spead.SpeadByteStreamDecoder;
import org.rawstream.sources.spead.SpeadItemIds;
import org.rawstream.sources.spead.SpeadPacket;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.ByteArrayPool;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.DecodeErrors;
import org.rawstream.sources.transport.RecordCollector;
import org.rawstream.sources.transport.StreamDecoder;

/**
 * SPEAD on the generic network source. UDP: one datagram is one packet, validated here (invalid
 * ones are counted by reason and dropped); the stream is (local endpoint, sender). TCP: packets
 * back to back, one stream per connection; a partial packet at the end is discarded; the end of
 * the connection (or a framing error) sends end-of-stream markers so its live heaps are flushed.
 * A UDP sender's end (known to a capture replay, not to a socket) ends its stream the same way.
 * Each packet goes to substream hash(heap counter) mod {@code substreams}; a stop packet goes to
 * every substream.
 */
public final class SpeadProtocol implements NetworkProtocol<SpeadPacketRecord> {
    /** The explicit Flink type of the records this protocol emits. */
    public static final SingletonTypeInfo<SpeadPacketRecord> PACKET_TYPE =
            new SingletonTypeInfo<>(SpeadPacketRecord.class, SpeadPacketRecordSerializer.INSTANCE);

    private static final long serialVersionUID = 1L;

    /**
     * Packet arrays kept for reuse per UDP endpoint (about what the source's hand-over queue holds
     * at full rate: 2 fetches of 4096 packets of 8972 bytes) and per TCP connection (connections
     * are many and usually slower).
     */
    private static final long POOLED_BYTES_PER_DECODER = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 32);
    private static final long POOLED_BYTES_PER_CONNECTION = Math.min(8L << 20, Runtime.getRuntime().maxMemory() / 256);

    /** Most distinct UDP senders whose stream names are cached per endpoint. */
    private static final int STREAM_NAME_CACHE = 4096;

    private final int substreams;
    private final int maxPacketSize;

    public SpeadProtocol(int substreams, int maxPacketSize) {
        if (substreams < 1) {
            throw new IllegalArgumentException("substreams must be >= 1");
        }
        this.substreams = substreams;
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    public String name() {
        return "spead";
    }

    /** Decode-error kind of an invalid packet, e.g. {@code badMagic}. */
    public static String errorKind(InvalidPacketReason reason) {
        String[] words = reason.metricName().split("_");
        StringBuilder sb = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            sb.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return sb.toString();
    }

    static int substreamOf(long heapCnt, int substreams) {
        if (substreams == 1) {
            return 0;
        }
        long h = heapCnt * 0x9E3779B97F4A7C15L;
        return (int) Math.floorMod(h ^ (h >>> 29), (long) substreams);
    }

    /** A stream's name and its assembly keys (one per substream), built once per stream. */
    private static final class StreamKeys {
        final String stream;
        final String[] keys;

        StreamKeys(String stream, int substreams) {
            this.stream = stream;
            this.keys = new String[substreams];
            for (int s = 0; s < substreams; s++) {
                keys[s] = SpeadPacketRecord.keyOf(stream, s);
            }
        }
    }

    /** Copies the validated packet into a pooled array and emits it (a stop packet to every substream). */
    private static void emit(StreamKeys stream, SpeadPacket packet, ByteArrayPool pool, RecordCollector<SpeadPacketRecord> out) {
        int substreams = stream.keys.length;
        int length = packet.packetLength();
        if (packet.streamControl() == SpeadItemIds.CTRL_STOP && substreams > 1) {
            for (int s = 0; s < substreams; s++) {
                out.collect(SpeadPacketRecord.pooled(stream.stream, s, stream.keys[s], copy(packet, pool), length, pool));
            }
        } else {
            int s = substreamOf(packet.heapCnt(), substreams);
            out.collect(SpeadPacketRecord.pooled(stream.stream, s, stream.keys[s], copy(packet, pool), length, pool));
        }
    }

    private static byte[] copy(SpeadPacket packet, ByteArrayPool pool) {
        byte[] a = pool.take(packet.packetLength());
        packet.buffer().get(packet.start(), a, 0, packet.packetLength());
        return a;
    }

    @Override
    public DatagramDecoder<SpeadPacketRecord> createDatagramDecoder(NetworkSplit split) {
        return new UdpDecoder("udp:" + split.host() + ":" + split.port() + "<-", substreams, maxPacketSize);
    }

    /** One UDP endpoint: validation, one stream per sender; a sender's end sends end-of-stream markers. */
    private static final class UdpDecoder implements DatagramDecoder<SpeadPacketRecord> {
        private final String local;
        private final int substreams;
        private final SpeadPacket packet = new SpeadPacket();
        private final ByteArrayPool pool;
        private final Map<InetSocketAddress, StreamKeys> names = new HashMap<>();

        UdpDecoder(String local, int substreams, int maxPacketSize) {
            this.local = local;
            this.substreams = substreams;
            this.pool = new ByteArrayPool(maxPacketSize, POOLED_BYTES_PER_DECODER);
        }

        private StreamKeys stream(InetSocketAddress sender) {
            if (names.size() > STREAM_NAME_CACHE) {
                names.clear();
            }
            return names.computeIfAbsent(sender,
                    s -> new StreamKeys(local + s.getAddress().getHostAddress() + ":" + s.getPort(), substreams));
        }

        @Override
        public void decode(ByteBuffer datagram, InetSocketAddress sender, RecordCollector<SpeadPacketRecord> out,
                DecodeErrors errors) {
            boolean valid = packet.decodeDatagram(datagram, datagram.position(), datagram.remaining());
            StreamKeys stream = stream(sender);
            if (!valid) {
                errors.error(errorKind(packet.invalidReason()));
                out.collect(SpeadPacketRecord.invalid(stream.stream, 0, stream.keys[0], packet.invalidReason()));
                return;
            }
            emit(stream, packet, pool, out);
        }

        @Override
        public void endOfSender(InetSocketAddress sender, RecordCollector<SpeadPacketRecord> out, DecodeErrors errors) {
            StreamKeys stream = stream(sender);
            for (int s = 0; s < substreams; s++) {
                out.collect(SpeadPacketRecord.endOfStream(stream.stream, s));
            }
        }
    }

    @Override
    public StreamDecoder<SpeadPacketRecord> createStreamDecoder(NetworkSplit split, ConnectionContext connection) {
        InetSocketAddress remote = connection.remote();
        String stream = "tcp:" + split.host() + ":" + split.port() + "<-"
                + (remote == null ? "?" : remote.getAddress().getHostAddress() + ":" + remote.getPort())
                + "#" + connection.connectionId();
        return new TcpDecoder(new StreamKeys(stream, substreams), maxPacketSize);
    }

    /** One TCP connection: framing, validation, end-of-stream markers. */
    private static final class TcpDecoder implements StreamDecoder<SpeadPacketRecord> {
        private final StreamKeys stream;
        private final SpeadByteStreamDecoder framer;
        private final ByteArrayPool pool;
        private boolean ended;
        private RecordCollector<SpeadPacketRecord> out;
        private DecodeErrors errors;
        private final SpeadByteStreamDecoder.PacketHandler handler = new SpeadByteStreamDecoder.PacketHandler() {
            @Override
            public void packet(SpeadPacket packet) {
                emit(stream, packet, pool, out);
            }

            @Override
            public void invalid(InvalidPacketReason reason) {
                errors.error(errorKind(reason));
                out.collect(SpeadPacketRecord.invalid(stream.stream, 0, stream.keys[0], reason));
            }
        };

        TcpDecoder(StreamKeys stream, int maxPacketSize) {
            this.stream = stream;
            this.framer = new SpeadByteStreamDecoder(maxPacketSize);
            this.pool = new ByteArrayPool(maxPacketSize, POOLED_BYTES_PER_CONNECTION);
        }

        @Override
        public boolean feed(ByteBuffer chunk, RecordCollector<SpeadPacketRecord> collector, DecodeErrors errs) {
            out = collector;
            errors = errs;
            boolean ok = framer.feed(chunk, handler);
            if (!ok) {
                // The server closes the connection without an endOfStream call: end it here.
                end(collector);
            }
            return ok;
        }

        @Override
        public boolean hasPartialRecord() {
            return framer.partialBytes() > 0;
        }

        @Override
        public void endOfStream(RecordCollector<SpeadPacketRecord> collector, DecodeErrors errs) {
            if (framer.endOfStream()) {
                errs.error("partialPacket");
            }
            end(collector);
        }

        private void end(RecordCollector<SpeadPacketRecord> collector) {
            if (ended) {
                return;
            }
            ended = true;
            for (int s = 0; s < stream.keys.length; s++) {
                collector.collect(SpeadPacketRecord.endOfStream(stream.stream, s));
            }
        }
    }
}
