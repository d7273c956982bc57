package org.rawstream.sources.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rawstream.sources.net.DecoderContext;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.PooledRecord;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.DecodeErrors;
import org.rawstream.sources.transport.LongCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.rawstream.sources.transport.RecordCollector;
import org.rawstream.sources.transport.StreamDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays one capture file through a {@link NetworkProtocol}'s own decoders, as its sockets would
 * have received it: one datagram decoder per UDP endpoint (destination address and port) that
 * sees each datagram with its sender; one stream decoder per TCP connection, fed the client's
 * bytes reassembled in sequence order (retransmissions trimmed, out-of-order segments held up to
 * a byte bound). A connection starts at its SYN and ends at its FIN or a reset; at the end of the
 * file every open connection and every UDP sender is ended, so held data is flushed.
 *
 * <p>Positions: see {@link ReplayPosition}. {@link #open} with a position re-reads from its
 * anchor and skips the records emitted after it, so the records that follow are exactly those an
 * uninterrupted replay would have emitted next. Plain Java, one thread; the Flink source runs it
 * on its fetcher thread.
 */
public final class CaptureReplay<T> implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureReplay.class);

    /** What {@link #advance} stopped at. */
    public enum Progress { MORE, PACED, END }

    private final String sourceName;
    private final int subtaskIndex;
    private final NetworkProtocol<T> protocol;
    private final ReplaySettings settings;
    private final DecodeErrors errors;
    private final NamedCounters protocolCounters;
    private final Counters counters;

    private final PacketHeaders headers = new PacketHeaders();
    private final FlowKey probe = new FlowKey();
    private final Map<FlowKey, Sender> senders = new LinkedHashMap<>();
    private final Map<String, DatagramDecoder<T>> endpoints = new HashMap<>();
    private final Map<FlowKey, Connection> connections = new LinkedHashMap<>();
    private final Collector collector = new Collector();
    private List<FlowKey> senderList = List.of();

    private String file;
    private CaptureReader reader;
    private ByteBuffer view;
    private ByteBuffer viewOf;
    private ReplayOutput<T> output;
    private boolean packetPending;
    private boolean ended;
    private long reorderBytes;
    private long connectionCounter;

    private long anchorOffset;
    private long anchorConnections;
    private List<FlowKey> anchorSenders = List.of();
    private long sinceAnchor;
    private long toSkip;

    private long paceStartNanos;
    /** The capture time of the last record emitted (see {@link ReplayOutput}). */
    private long captureMillis = Long.MIN_VALUE;
    private long paceFirstTimestamp = Long.MIN_VALUE;

    /** The replay's counters; looked up once, incremented per packet. */
    public static final class Counters {
        final LongCounter packets;
        final LongCounter bytes;
        final LongCounter filtered;
        final LongCounter truncated;
        final LongCounter udpDatagrams;
        final LongCounter udpPacketsSplit;
        final LongCounter tcpSegments;
        final LongCounter connectionsOpened;
        final LongCounter connectionsClosed;
        final LongCounter connectionsRejected;
        final LongCounter connectionsFramingError;
        final LongCounter connectionsOpenAtEnd;
        final LongCounter segmentsWithoutConnection;
        final LongCounter retransmittedBytes;
        final LongCounter gaps;
        final LongCounter bytesAfterGap;
        final LongCounter responseBytesDiscarded;
        final LongCounter sendersUntracked;
        final LongCounter records;
        final LongCounter recordsSkipped;
        final LongCounter filesRead;
        final LongCounter filesCorrupt;
        final LongCounter filesCutShort;
        final LongCounter[] drops = new LongCounter[PacketHeaders.Result.values().length];

        public Counters(NamedCounters c) {
            packets = c.counter("packetsRead");
            bytes = c.counter("bytesRead");
            filtered = c.counter("packetsFiltered");
            truncated = c.counter("packetsTruncated");
            udpDatagrams = c.counter("udpDatagrams");
            udpPacketsSplit = c.counter("udpPacketsSplit");
            tcpSegments = c.counter("tcpSegments");
            connectionsOpened = c.counter("tcpConnectionsOpened");
            connectionsClosed = c.counter("tcpConnectionsClosed");
            connectionsRejected = c.counter("tcpConnectionsRejected");
            connectionsFramingError = c.counter("tcpConnectionsFramingError");
            connectionsOpenAtEnd = c.counter("tcpConnectionsOpenAtEnd");
            segmentsWithoutConnection = c.counter("tcpSegmentsWithoutConnection");
            retransmittedBytes = c.counter("tcpRetransmittedBytes");
            gaps = c.counter("tcpGaps");
            bytesAfterGap = c.counter("tcpBytesAfterGap");
            responseBytesDiscarded = c.counter("responseBytesDiscarded");
            sendersUntracked = c.counter("udpSendersUntracked");
            records = c.counter("recordsDecoded");
            recordsSkipped = c.counter("recordsSkippedOnRestore");
            filesRead = c.counter("filesRead");
            filesCorrupt = c.counter("filesCorrupt");
            filesCutShort = c.counter("filesCutShort");
            for (PacketHeaders.Result r : PacketHeaders.Result.values()) {
                if (r != PacketHeaders.Result.OK) {
                    drops[r.ordinal()] = c.counter(r.metricName());
                }
            }
        }
    }

    /**
     * @param counters the replay's own counters ({@link Counters}); {@code protocolCounters} go to
     *     the protocol's decoders, {@code errors} get their decode errors
     */
    public CaptureReplay(String sourceName, int subtaskIndex, NetworkProtocol<T> protocol, ReplaySettings settings,
            Counters counters, NamedCounters protocolCounters, DecodeErrors errors) {
        this.sourceName = sourceName;
        this.subtaskIndex = subtaskIndex;
        this.protocol = protocol;
        this.settings = settings;
        this.counters = counters;
        this.protocolCounters = protocolCounters;
        this.errors = errors;
    }

    /** Opens {@code path} and continues at {@code position} ({@link ReplayPosition#START} for a new file). */
    public void open(Path path, ReplayPosition position, ReplayOutput<T> out) throws IOException {
        SeekableByteChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            open(channel, path.toString(), position, out);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** {@link #open(Path, ReplayPosition, ReplayOutput)} over any channel (tests, fuzzing). */
    public void open(SeekableByteChannel channel, String name, ReplayPosition position, ReplayOutput<T> out)
            throws IOException {
        if (reader != null) {
            throw new IllegalStateException("a file is open: " + file);
        }
        this.file = name;
        this.output = out;
        this.reader = CaptureReader.open(channel, name);
        if (position.anchorOffset() > 0) {
            reader.skipTo(position.anchorOffset());
        }
        connectionCounter = position.connectionsBefore();
        for (FlowKey sender : position.udpSenders()) {
            sender(sender.copy());
        }
        toSkip = position.recordsAfterAnchor();
        anchor();
        sinceAnchor = 0; // the skipped records count again as they are re-decoded
        paceFirstTimestamp = Long.MIN_VALUE;
    }

    /** Records from now on go to {@code out} (the Flink reader hands over one batch per fetch). */
    public void redirect(ReplayOutput<T> out) {
        this.output = out;
    }

    /** True once the file is read to its end and everything held was ended. */
    public boolean ended() {
        return ended;
    }

    /**
     * Replays packets until at least {@code maxRecords} records were emitted or {@code maxBytes}
     * captured bytes read, the file ended, or (paced replay) the next packet is not due yet.
     *
     * @return {@link Progress#PACED} when waiting for the next packet's time
     *     ({@link #nanosUntilDue()} says how long)
     */
    public Progress advance(int maxRecords, long maxBytes) throws IOException {
        if (ended) {
            return Progress.END;
        }
        long target = counters.records.get() + maxRecords;
        long byteTarget = counters.bytes.get() + maxBytes;
        while (counters.records.get() < target && counters.bytes.get() < byteTarget) {
            if (!packetPending) {
                boolean more;
                try {
                    more = reader.next();
                } catch (CaptureFormatException e) {
                    counters.filesCorrupt.increment();
                    LOG.error("{}[{}]: {}; the rest of the file is skipped", sourceName, subtaskIndex, e.getMessage());
                    more = false;
                }
                if (!more) {
                    if (reader.truncatedBytes() > 0) {
                        counters.filesCutShort.increment();
                        LOG.warn("{}[{}]: {} ends inside a record ({} bytes left over; a capture cut short?)",
                                sourceName, subtaskIndex, file, reader.truncatedBytes());
                    }
                    endOfFile();
                    return Progress.END;
                }
                packetPending = true;
            }
            // Records a restore skips are caught up with at full speed; pacing starts after them.
            if (settings.speed() > 0 && toSkip == 0 && nanosUntilDue() > 0) {
                return Progress.PACED;
            }
            packetPending = false;
            packet();
            if (connections.isEmpty()) {
                anchor();
            }
        }
        return Progress.MORE;
    }

    /** Paced replay: nanoseconds until the pending packet is due (≤ 0: now). */
    public long nanosUntilDue() {
        if (!packetPending || settings.speed() <= 0) {
            return 0;
        }
        long ts = reader.timestampNanos();
        long now = System.nanoTime();
        if (paceFirstTimestamp == Long.MIN_VALUE) {
            paceFirstTimestamp = ts;
            paceStartNanos = now;
            return 0;
        }
        long due = paceStartNanos + (long) ((ts - paceFirstTimestamp) / settings.speed());
        return due - now;
    }

    private void anchor() {
        anchorOffset = reader.offset();
        anchorConnections = connectionCounter;
        anchorSenders = senderList;
        sinceAnchor = 0;
    }

    private void packet() {
        counters.packets.increment();
        counters.bytes.add(reader.capturedLength());
        ByteBuffer b = reader.buffer();
        int linkType = reader.linkType();
        PacketHeaders.Result result = linkType == CaptureReader.UNKNOWN_INTERFACE
                ? PacketHeaders.Result.UNSUPPORTED_LINK_TYPE
                : headers.parse(linkType, b, reader.dataIndex(), reader.capturedLength());
        boolean cut = reader.capturedLength() < reader.originalLength();
        if (result != PacketHeaders.Result.OK) {
            // A packet the snaplen cut usually fails its length checks: say why it really failed.
            (cut && result == PacketHeaders.Result.MALFORMED ? counters.truncated : counters.drops[result.ordinal()])
                    .increment();
            return;
        }
        if (!settings.accepts(headers)) {
            if (headers.transport() == PacketHeaders.TCP && settings.acceptsReverse(headers)) {
                reverse();
            } else {
                counters.filtered.increment();
            }
            return;
        }
        if (view == null || viewOf != b) {
            view = b.duplicate();
            viewOf = b;
        }
        if (headers.transport() == PacketHeaders.UDP) {
            counters.udpDatagrams.increment();
            if (cut) {
                counters.truncated.increment(); // a datagram without its end is not the datagram
                return;
            }
            datagram();
        } else {
            counters.tcpSegments.increment();
            segment(cut);
        }
    }

    // ---------------------------------------------------------------- UDP

    /** A UDP flow: the sender's address (made once) and its endpoint's decoder. */
    private final class Sender {
        final InetSocketAddress address;
        final DatagramDecoder<T> decoder;

        Sender(FlowKey key) {
            this.address = key.sourceSocket();
            InetSocketAddress local = key.destinationSocket();
            String endpoint = NetworkSplit.endpointKey(NetworkSplit.Transport.UDP, local.getAddress().getHostAddress(),
                    local.getPort());
            DatagramDecoder<T> d = endpoints.get(endpoint);
            if (d == null) {
                NetworkSplit split = new NetworkSplit(NetworkSplit.Transport.UDP, local.getAddress().getHostAddress(),
                        local.getPort(), 0);
                d = protocol.createDatagramDecoder(new DecoderContext(sourceName, subtaskIndex, split, protocolCounters));
                endpoints.put(endpoint, d);
            }
            this.decoder = d;
        }
    }

    private Sender sender(FlowKey key) {
        Sender s = new Sender(key);
        if (senders.size() < settings.maxUdpSenders()) {
            senders.put(key, s);
            List<FlowKey> list = new ArrayList<>(senderList);
            list.add(key);
            senderList = Collections.unmodifiableList(list);
        } else {
            counters.sendersUntracked.increment();
        }
        return s;
    }

    private void datagram() {
        probe.set(headers, false);
        Sender s = senders.get(probe);
        if (s == null) {
            s = sender(probe.copy());
        }
        int start = headers.payloadIndex();
        int end = start + headers.payloadLength();
        view.limit(end).position(start);
        collector.connection = null;
        try {
            int segment = s.decoder.firstDatagramLength(view);
            if (segment <= 0 || segment >= end - start) {
                view.limit(end).position(start);
                s.decoder.decode(view, s.address, collector, errors);
                return;
            }
            // Several datagrams merged (GSO on loopback, GRO): cut as the kernel would have.
            counters.udpPacketsSplit.increment();
            for (int at = start; at < end; at += segment) {
                view.limit(Math.min(at + segment, end)).position(at);
                s.decoder.decode(view, s.address, collector, errors);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}[{}]: decoder threw on a datagram from {}", sourceName, subtaskIndex, s.address, e);
            errors.error("decoderException");
        }
    }

    // ---------------------------------------------------------------- TCP

    /** One TCP connection as the server saw it: the client's bytes in order, its decoder. */
    private final class Connection implements ConnectionContext {
        final FlowKey key;
        final long id;
        final InetSocketAddress remote;
        final long synSequence;
        StreamDecoder<T> decoder;
        /** The next byte's sequence number (unsigned 32 bits) and its offset in the stream. */
        long nextSequence;
        long nextOffset;
        long finOffset = -1;
        /** Out-of-order bytes by stream offset. */
        final TreeMap<Long, byte[]> held = new TreeMap<>();
        long heldBytes;
        boolean closedByDecoder;

        Connection(FlowKey key, long id, long synSequence) {
            this.key = key;
            this.id = id;
            this.synSequence = synSequence;
            this.remote = key.sourceSocket();
            this.nextSequence = (synSequence + 1) & 0xFFFFFFFFL;
        }

        @Override
        public long connectionId() {
            return id;
        }

        @Override
        public InetSocketAddress remote() {
            return remote;
        }

        @Override
        public void send(ByteBuffer bytes) {
            counters.responseBytesDiscarded.add(bytes.remaining()); // nobody to answer in a replay
        }

        @Override
        public void close() {
            closedByDecoder = true;
        }

        /** The stream offset of a segment's first byte, from its sequence number (wraps handled). */
        long offsetOf(long sequence) {
            return nextOffset + (int) (sequence - nextSequence);
        }

        void advanceTo(long offset) {
            nextSequence = (nextSequence + (offset - nextOffset)) & 0xFFFFFFFFL;
            nextOffset = offset;
        }
    }

    private void segment(boolean cut) {
        int flags = headers.tcpFlags();
        probe.set(headers, false);
        Connection c = connections.get(probe);
        if (c == null) {
            if ((flags & PacketHeaders.SYN) != 0 && (flags & PacketHeaders.ACK) == 0) {
                open(probe.copy(), headers.sequence());
            } else if (headers.payloadLength() > 0) {
                counters.segmentsWithoutConnection.increment(); // started before the capture, or after a reset
            }
            return;
        }
        if ((flags & PacketHeaders.SYN) != 0) {
            if (headers.sequence() == c.synSequence) {
                return; // a retransmitted SYN
            }
            // The same addresses and ports again with a new sequence: a new connection whose
            // predecessor's end was not captured. End that one, start this one.
            end(c, true);
            if ((flags & PacketHeaders.ACK) == 0) {
                open(probe.copy(), headers.sequence());
            }
            return;
        }
        long start = c.offsetOf(headers.sequence());
        int length = headers.payloadLength();
        if (cut) {
            // The snaplen cut this segment: its bytes are missing, a gap unless retransmitted whole.
            counters.truncated.increment();
            length = 0;
        }
        if ((flags & PacketHeaders.FIN) != 0) {
            c.finOffset = start + headers.payloadLength();
        }
        if (length > 0) {
            data(c, start, headers.payloadIndex(), length);
        }
        if ((flags & PacketHeaders.RST) != 0) {
            end(c, true);
            return;
        }
        if (c.finOffset >= 0 && c.nextOffset >= c.finOffset) {
            end(c, true);
        } else if (reorderBytes > settings.maxReorderBytes() && c.heldBytes > 0) {
            gap(c); // waited for a missing segment as long as the bound allows
        }
    }

    private void open(FlowKey key, long synSequence) {
        if (connections.size() >= settings.maxConnections()) {
            counters.connectionsRejected.increment();
            return;
        }
        Connection c = new Connection(key, ++connectionCounter, synSequence);
        InetSocketAddress local = key.destinationSocket();
        NetworkSplit split = new NetworkSplit(NetworkSplit.Transport.TCP, local.getAddress().getHostAddress(),
                local.getPort(), 0);
        c.decoder = protocol.createStreamDecoder(new DecoderContext(sourceName, subtaskIndex, split, protocolCounters), c);
        connections.put(key, c);
        counters.connectionsOpened.increment();
    }

    /** A server's reset ends the connection for the server's reader too. */
    private void reverse() {
        if ((headers.tcpFlags() & PacketHeaders.RST) == 0) {
            return; // answers and acknowledgements: not input
        }
        probe.set(headers, true);
        Connection c = connections.get(probe);
        if (c != null) {
            end(c, true);
        }
    }

    private void data(Connection c, long start, int index, int length) {
        long end = start + length;
        if (end <= c.nextOffset) {
            counters.retransmittedBytes.add(length);
            return;
        }
        if (start > c.nextOffset) {
            if (c.held.containsKey(start) && c.held.get(start).length >= length) {
                counters.retransmittedBytes.add(length);
                return;
            }
            byte[] copy = new byte[length];
            reader.buffer().get(index, copy);
            byte[] previous = c.held.put(start, copy);
            long added = length - (previous == null ? 0 : previous.length);
            c.heldBytes += added;
            reorderBytes += added;
            return;
        }
        int skip = (int) (c.nextOffset - start);
        counters.retransmittedBytes.add(skip);
        view.limit(index + length).position(index + skip);
        feed(c, view, end);
        drainHeld(c);
    }

    private void drainHeld(Connection c) {
        while (!c.held.isEmpty() && c.decoder != null) {
            Map.Entry<Long, byte[]> first = c.held.firstEntry();
            long start = first.getKey();
            if (start > c.nextOffset) {
                return;
            }
            byte[] bytes = first.getValue();
            c.held.pollFirstEntry();
            c.heldBytes -= bytes.length;
            reorderBytes -= bytes.length;
            long end = start + bytes.length;
            if (end <= c.nextOffset) {
                counters.retransmittedBytes.add(bytes.length);
                continue;
            }
            int skip = (int) (c.nextOffset - start);
            counters.retransmittedBytes.add(skip);
            feed(c, ByteBuffer.wrap(bytes, skip, bytes.length - skip), end);
        }
    }

    private void feed(Connection c, ByteBuffer bytes, long end) {
        c.advanceTo(end);
        if (c.decoder == null || c.closedByDecoder) {
            return;
        }
        collector.connection = c;
        boolean ok;
        try {
            ok = c.decoder.feed(bytes, collector, errors);
        } catch (RuntimeException e) {
            LOG.warn("{}[{}]: decoder threw on connection {} from {}", sourceName, subtaskIndex, c.id, c.remote, e);
            errors.error("decoderException");
            ok = false;
        }
        if (!ok) {
            counters.connectionsFramingError.increment();
            c.decoder = null; // closed without an end of stream, as the server does
        }
    }

    /** A hole that will not be filled: the stream after it cannot be decoded. */
    private void gap(Connection c) {
        LOG.warn("{}[{}]: {}: connection {} from {}: bytes missing at stream offset {}; ending it there",
                sourceName, subtaskIndex, file, c.id, c.remote, c.nextOffset);
        end(c, true);
    }

    /** Ends the connection; bytes still held behind a hole are a gap (counted with their bytes). */
    private void end(Connection c, boolean closed) {
        if (!c.held.isEmpty()) {
            counters.gaps.increment();
            counters.bytesAfterGap.add(c.heldBytes);
            reorderBytes -= c.heldBytes;
            c.heldBytes = 0;
            c.held.clear();
        }
        connections.remove(c.key);
        if (closed) {
            counters.connectionsClosed.increment();
        } else {
            counters.connectionsOpenAtEnd.increment();
        }
        if (c.decoder != null && !c.closedByDecoder) {
            collector.connection = c;
            try {
                c.decoder.endOfStream(collector, errors);
            } catch (RuntimeException e) {
                LOG.warn("{}[{}]: decoder threw at the end of connection {}", sourceName, subtaskIndex, c.id, e);
                errors.error("decoderException");
            }
        }
        c.decoder = null;
    }

    // ---------------------------------------------------------------- end of file

    private void endOfFile() {
        for (Connection c : new ArrayList<>(connections.values())) {
            end(c, false);
        }
        collector.connection = null;
        for (Sender s : senders.values()) {
            try {
                s.decoder.endOfSender(s.address, collector, errors);
            } catch (RuntimeException e) {
                LOG.warn("{}[{}]: decoder threw at the end of sender {}", sourceName, subtaskIndex, s.address, e);
                errors.error("decoderException");
            }
        }
        counters.filesRead.increment();
        ended = true;
    }

    /** Counts, skips (after a restore) and emits each record with the position after it. */
    private final class Collector implements RecordCollector<T> {
        Connection connection;

        @Override
        public void collect(T record) {
            if (connection != null && connection.closedByDecoder) {
                release(record); // after close(), a server ignores what the decoder still collects
                return;
            }
            counters.records.increment();
            sinceAnchor++;
            if (toSkip > 0) {
                toSkip--;
                counters.recordsSkipped.increment();
                release(record);
                return;
            }
            // Capture time: the packet's timestamp, held when a capture steps back (merged
            // interfaces), so time downstream never runs backwards.
            captureMillis = Math.max(captureMillis, Math.floorDiv(reader.timestampNanos(), 1_000_000L));
            output.emit(record, captureMillis, anchorOffset, anchorConnections, anchorSenders, sinceAnchor);
        }
    }

    private static void release(Object record) {
        if (record instanceof PooledRecord) {
            ((PooledRecord) record).release();
        }
    }

    /** The position after everything emitted so far. */
    public ReplayPosition position() {
        return new ReplayPosition(anchorOffset, anchorConnections, anchorSenders, sinceAnchor);
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
        Iterator<Connection> it = connections.values().iterator();
        while (it.hasNext()) {
            it.next().held.clear();
            it.remove();
        }
        reorderBytes = 0;
    }
}
