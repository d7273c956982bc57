package org.rawstream.sources.spead.source;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.rawstream.core.types.SingletonTypeInfo;
import org.rawstream.sources.net.DecoderContext;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.spead.InvalidPacketReason;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadByteStreamDecoder;
import org.rawstream.sources.spead.SpeadItemIds;
import org.rawstream.sources.spead.SpeadPacket;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.ByteArrayPool;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.DecodeErrors;
import org.rawstream.sources.transport.LongCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.rawstream.sources.transport.ReceiveArea;
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
 *
 * <p>Bounds and shedding, on the receiving thread: at most {@code maxStreams} UDP senders per
 * endpoint are streams at once — a new one ends the least recently active (end-of-stream markers:
 * assembly flushes its live heaps as incomplete; counted in {@code streamsEvicted}); and while the
 * pipeline is behind ({@link DecoderContext#overloaded()}) whole new heaps of UDP streams are shed
 * ({@link HeapAdmission}; {@code heapsShed}/{@code packetsShed} here, {@code heaps_shed} per
 * stream through a shed notice to assembly). Where the kernel dropped datagrams (a full receive
 * buffer, located by the socket reader), the heaps each stream of the endpoint has open are shed
 * whole: assembly sheds what it holds of them on a gap notice, the receiving thread their later
 * packets, and a heap that began in the gap (its first packet received is not its start).
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

    /** Most heap counters remembered per stream for shedding decisions (each of admitted and shed). */
    private static final int MAX_ADMISSION_MEMORY = 1024;

    private final int substreams;
    private final int maxPacketSize;
    private final int maxStreams;
    private final int admissionMemory;

    public SpeadProtocol(int substreams, int maxPacketSize) {
        this(substreams, SpeadAssemblyConfig.builder().maxPacketSize(maxPacketSize).build());
    }

    /** Packet size, stream cap and live-heap window from the assembly configuration. */
    public SpeadProtocol(int substreams, SpeadAssemblyConfig config) {
        if (substreams < 1) {
            throw new IllegalArgumentException("substreams must be >= 1");
        }
        this.substreams = substreams;
        this.maxPacketSize = config.maxPacketSize();
        this.maxStreams = config.maxStreams();
        // At least the assembly's window: a heap forgotten here is gone from assembly too.
        this.admissionMemory = (int) Math.min(MAX_ADMISSION_MEMORY, Math.max(16L, (long) config.maxLiveHeaps() * substreams));
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

    /** A stream's name, its assembly keys (one per substream) and its shedding state, built once per stream. */
    private static final class StreamKeys {
        final String stream;
        final String[] keys;
        final HeapAdmission admission;

        StreamKeys(String stream, int substreams, int admissionMemory) {
            this.stream = stream;
            this.keys = new String[substreams];
            for (int s = 0; s < substreams; s++) {
                keys[s] = SpeadPacketRecord.keyOf(stream, s);
            }
            this.admission = new HeapAdmission(admissionMemory);
        }

        /**
         * The kernel dropped datagrams of the endpoint: the heaps admitted so far are shed from now
         * on, and every substream's assembly sheds what it holds (gap notices) — only where a heap
         * was admitted since the previous gap, so that gaps cost no records for idle streams (a
         * sender cannot make each gap cost max-streams notices).
         */
        void gap(RecordCollector<SpeadPacketRecord> out) {
            if (admission.gap()) {
                for (int s = 0; s < keys.length; s++) {
                    out.collect(SpeadPacketRecord.gap(stream, s, keys[s]));
                }
            }
        }

        /** End-of-stream markers: assembly flushes the stream's live heaps, ordering its reorder buffer. */
        void end(RecordCollector<SpeadPacketRecord> out) {
            for (int s = 0; s < keys.length; s++) {
                out.collect(SpeadPacketRecord.endOfStream(stream, s));
            }
        }
    }

    /** The shedding counters of one subtask (protocol counters, fetcher thread). */
    private static final class ShedCounters {
        final LongCounter heapsShed;
        final LongCounter packetsShed;
        final BooleanSupplier overloaded;
        final DecoderContext context;

        ShedCounters(DecoderContext context, boolean shed) {
            this.heapsShed = context.counters().counter("heapsShed");
            this.packetsShed = context.counters().counter("packetsShed");
            this.overloaded = shed ? context::overloaded : () -> false;
            this.context = context;
        }
    }

    /** Admits (emits) or sheds the packet; a newly shed heap is announced to assembly. */
    private static void admit(StreamKeys stream, SpeadPacket packet, ShedCounters shed, ByteArrayPool pool,
            RecordCollector<SpeadPacketRecord> out) {
        boolean stop = packet.streamControl() == SpeadItemIds.CTRL_STOP;
        switch (stream.admission.decide(packet.heapCnt(), stop, packet.heapOffset() == 0, shed.overloaded)) {
            case ADMIT:
                emit(stream, packet, shed.context, pool, out);
                return;
            case SHED_NEW:
                shed.heapsShed.increment();
                shed.packetsShed.increment();
                shed.context.shed(packet.packetLength());
                int s = substreamOf(packet.heapCnt(), stream.keys.length);
                out.collect(SpeadPacketRecord.shed(stream.stream, s, stream.keys[s], 1, stream.admission.takePendingPackets()));
                return;
            default:
                shed.packetsShed.increment();
                shed.context.shed(packet.packetLength());
        }
    }

    /**
     * Emits the validated packet (a stop packet to every substream): where the receiver lends the
     * datagram's memory the record carries the packet where it was received, else a copy in a
     * pooled array.
     */
    private static void emit(StreamKeys stream, SpeadPacket packet, DecoderContext context, ByteArrayPool pool,
            RecordCollector<SpeadPacketRecord> out) {
        int substreams = stream.keys.length;
        if (packet.streamControl() == SpeadItemIds.CTRL_STOP && substreams > 1) {
            for (int s = 0; s < substreams; s++) {
                out.collect(record(stream, s, packet, context, pool));
            }
        } else {
            out.collect(record(stream, substreamOf(packet.heapCnt(), substreams), packet, context, pool));
        }
    }

    private static SpeadPacketRecord record(StreamKeys stream, int s, SpeadPacket packet, DecoderContext context,
            ByteArrayPool pool) {
        int length = packet.packetLength();
        ReceiveArea loan = context.lendDatagram();
        if (loan != null) {
            return SpeadPacketRecord.lent(stream.stream, s, stream.keys[s], loan, packet.start(), length);
        }
        ByteBuffer b = pool.take(length);
        packet.buffer().get(packet.start(), b.array(), 0, length);
        return SpeadPacketRecord.pooled(stream.stream, s, stream.keys[s], b, length, pool);
    }

    @Override
    public DatagramDecoder<SpeadPacketRecord> createDatagramDecoder(NetworkSplit split) {
        return createDatagramDecoder(new DecoderContext(name(), 0, split, new NamedCounters()));
    }

    @Override
    public DatagramDecoder<SpeadPacketRecord> createDatagramDecoder(DecoderContext context) {
        NetworkSplit split = context.split();
        return new UdpDecoder("udp:" + split.host() + ":" + split.port() + "<-", substreams, maxPacketSize, maxStreams,
                admissionMemory, context);
    }

    /**
     * One UDP endpoint: validation, one stream per sender (at most {@code maxStreams}, the least
     * recently active ended beyond), whole-heap shedding; a sender's end sends end-of-stream markers.
     */
    private static final class UdpDecoder implements DatagramDecoder<SpeadPacketRecord> {
        private final String local;
        private final int substreams;
        private final int maxStreams;
        private final int admissionMemory;
        private final SpeadPacket packet = new SpeadPacket();
        private final ByteArrayPool pool;
        private final ShedCounters shed;
        private final LongCounter streamsEvicted;
        /** Access order: the first entry is the least recently active stream. */
        private final Map<InetSocketAddress, StreamKeys> streams = new LinkedHashMap<>(16, 0.75f, true);

        UdpDecoder(String local, int substreams, int maxPacketSize, int maxStreams, int admissionMemory,
                DecoderContext context) {
            this.local = local;
            this.substreams = substreams;
            this.maxStreams = maxStreams;
            this.admissionMemory = admissionMemory;
            this.pool = new ByteArrayPool(maxPacketSize, POOLED_BYTES_PER_DECODER);
            this.shed = new ShedCounters(context, true);
            this.streamsEvicted = context.counters().counter("streamsEvicted");
        }

        private StreamKeys stream(InetSocketAddress sender, RecordCollector<SpeadPacketRecord> out) {
            StreamKeys stream = streams.get(sender);
            if (stream == null) {
                if (streams.size() >= maxStreams) {
                    Iterator<StreamKeys> eldest = streams.values().iterator();
                    StreamKeys evicted = eldest.next();
                    eldest.remove();
                    evicted.end(out);
                    streamsEvicted.increment();
                }
                stream = new StreamKeys(local + sender.getAddress().getHostAddress() + ":" + sender.getPort(), substreams,
                        admissionMemory);
                streams.put(sender, stream);
            }
            return stream;
        }

        @Override
        public void decode(ByteBuffer datagram, InetSocketAddress sender, RecordCollector<SpeadPacketRecord> out,
                DecodeErrors errors) {
            boolean valid = packet.decodeDatagram(datagram, datagram.position(), datagram.remaining());
            StreamKeys stream = stream(sender, out);
            if (!valid) {
                errors.error(errorKind(packet.invalidReason()));
                out.collect(SpeadPacketRecord.invalid(stream.stream, 0, stream.keys[0], packet.invalidReason()));
                return;
            }
            admit(stream, packet, shed, pool, out);
        }

        /** A SPEAD packet's header says its length (as on TCP). */
        @Override
        public int firstDatagramLength(ByteBuffer buffer) {
            return packet.decodeFramed(buffer, buffer.position(), buffer.remaining()) ? packet.packetLength() : 0;
        }

        /**
         * Drops in the kernel come from senders unknown: every stream of the endpoint may have lost
         * packets of the heaps it has open.
         */
        @Override
        public void dropped(long datagrams, RecordCollector<SpeadPacketRecord> out, DecodeErrors errors) {
            for (StreamKeys stream : streams.values()) {
                stream.gap(out);
            }
        }

        @Override
        public void endOfSender(InetSocketAddress sender, RecordCollector<SpeadPacketRecord> out, DecodeErrors errors) {
            StreamKeys stream = streams.remove(sender);
            if (stream == null) {
                stream = new StreamKeys(local + sender.getAddress().getHostAddress() + ":" + sender.getPort(), substreams,
                        admissionMemory);
            }
            stream.end(out);
        }
    }

    @Override
    public StreamDecoder<SpeadPacketRecord> createStreamDecoder(NetworkSplit split, ConnectionContext connection) {
        return createStreamDecoder(new DecoderContext(name(), 0, split, new NamedCounters()), connection);
    }

    @Override
    public StreamDecoder<SpeadPacketRecord> createStreamDecoder(DecoderContext context, ConnectionContext connection) {
        NetworkSplit split = context.split();
        InetSocketAddress remote = connection.remote();
        String stream = "tcp:" + split.host() + ":" + split.port() + "<-"
                + (remote == null ? "?" : remote.getAddress().getHostAddress() + ":" + remote.getPort())
                + "#" + connection.connectionId();
        // TCP is never shed: when the pipeline is behind, the receiving thread stops reading and
        // TCP's flow control slows the sender down, so nothing is lost.
        return new TcpDecoder(new StreamKeys(stream, substreams, admissionMemory), maxPacketSize,
                new ShedCounters(context, false));
    }

    /** One TCP connection: framing, validation, end-of-stream markers. */
    private static final class TcpDecoder implements StreamDecoder<SpeadPacketRecord> {
        private final StreamKeys stream;
        private final SpeadByteStreamDecoder framer;
        private final ByteArrayPool pool;
        private final ShedCounters shed;
        private boolean ended;
        private RecordCollector<SpeadPacketRecord> out;
        private DecodeErrors errors;
        private final SpeadByteStreamDecoder.PacketHandler handler = new SpeadByteStreamDecoder.PacketHandler() {
            @Override
            public void packet(SpeadPacket packet) {
                admit(stream, packet, shed, pool, out);
            }

            @Override
            public void invalid(InvalidPacketReason reason) {
                errors.error(errorKind(reason));
                out.collect(SpeadPacketRecord.invalid(stream.stream, 0, stream.keys[0], reason));
            }
        };

        TcpDecoder(StreamKeys stream, int maxPacketSize, ShedCounters shed) {
            this.stream = stream;
            this.shed = shed;
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
            stream.end(collector);
        }
    }
}
