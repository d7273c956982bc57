package org.rawstream.sources.spead.source;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.rawstream.sources.net.PooledRecord;
import org.rawstream.sources.spead.InvalidPacketReason;
import org.rawstream.sources.transport.ByteArrayPool;
import org.rawstream.sources.transport.ReceiveArea;

/**
 * One SPEAD packet (or an end-of-stream marker) on its way from the source to heap assembly:
 * the stream it belongs to (UDP: local endpoint + sender; TCP: one connection), the substream
 * (heap counter hashed over the configured substream count) and the packet's bytes.
 *
 * <p>The source's records do not own their bytes: a record holds the datagram where the kernel
 * received it (a loan of the receiver's memory, {@link #lent}) or a copy in a pooled array
 * ({@link #pooled}), either way the {@link #length()} bytes of {@link #buffer()} from
 * {@link #start()}; the loan ends, or the array returns to the decoder's pool, once the record was
 * emitted (see {@link PooledRecord}): heap assembly copies each payload into its heap and keeps
 * nothing else.
 */
public final class SpeadPacketRecord implements PooledRecord {
    /** {@link #length()} of an end-of-stream marker (also its serialized length field). */
    static final int END_OF_STREAM_LENGTH = -1;
    /** {@link #length()} of an invalid-packet notice (also its serialized length field). */
    static final int INVALID_NOTICE_LENGTH = -2;
    /** {@link #length()} of a shed notice (also its serialized length field). */
    static final int SHED_NOTICE_LENGTH = -3;
    /** {@link #length()} of a gap notice (also its serialized length field). */
    static final int GAP_NOTICE_LENGTH = -4;

    private final String stream;
    private final int substream;
    private ByteBuffer packet;
    private final int start;
    private final int length;
    private final ByteArrayPool pool;
    private final ReceiveArea loan;
    /** For an invalid-packet notice: why the source dropped a packet of this stream. */
    private final InvalidPacketReason invalidReason;
    private String assemblyKey;
    /** For a shed notice: whole heaps, and packets, the receiving thread shed. */
    private int shedHeaps;
    private int shedPackets;

    private SpeadPacketRecord(String stream, int substream, ByteBuffer packet, int length, ByteArrayPool pool) {
        this(stream, substream, packet, 0, length, pool, null, null);
    }

    private SpeadPacketRecord(String stream, int substream, ByteBuffer packet, int start, int length, ByteArrayPool pool,
            ReceiveArea loan, InvalidPacketReason invalidReason) {
        this.stream = Objects.requireNonNull(stream);
        this.substream = substream;
        this.packet = packet;
        this.start = start;
        this.length = length;
        this.pool = pool;
        this.loan = loan;
        this.invalidReason = invalidReason;
    }

    /**
     * A packet in the first {@code length} bytes of a buffer taken from {@code pool}, with the
     * assembly key the caller already has (decoders cache one per stream and substream).
     */
    public static SpeadPacketRecord pooled(String stream, int substream, String assemblyKey, ByteBuffer buffer, int length,
            ByteArrayPool pool) {
        if (length > buffer.capacity()) {
            throw new IllegalArgumentException("length " + length + " > buffer " + buffer.capacity());
        }
        SpeadPacketRecord r = new SpeadPacketRecord(stream, substream, buffer, length, Objects.requireNonNull(pool));
        r.assemblyKey = assemblyKey;
        return r;
    }

    /**
     * A packet at {@code [start, start + length)} of the receiver's memory, lent for as long as the
     * record lives (see {@link org.rawstream.sources.net.DecoderContext#lendDatagram()}): no copy.
     */
    public static SpeadPacketRecord lent(String stream, int substream, String assemblyKey, ReceiveArea loan, int start,
            int length) {
        ByteBuffer bytes = loan.bytes();
        Objects.checkFromIndexSize(start, length, bytes.capacity());
        SpeadPacketRecord r = new SpeadPacketRecord(stream, substream, bytes, start, length, null, loan, null);
        r.assemblyKey = assemblyKey;
        return r;
    }

    /** A packet that owns its array (tests, deserialisation). */
    public static SpeadPacketRecord packet(String stream, int substream, byte[] packet) {
        return new SpeadPacketRecord(stream, substream, ByteBuffer.wrap(packet), packet.length, null);
    }

    /**
     * The source dropped an invalid packet of this stream (no bytes travel): heap assembly counts
     * it in the stream's statistics, so invalid packets show per stream, not only per source.
     */
    public static SpeadPacketRecord invalid(String stream, int substream, String assemblyKey, InvalidPacketReason reason) {
        SpeadPacketRecord r = new SpeadPacketRecord(stream, substream, null, 0, INVALID_NOTICE_LENGTH, null, null,
                Objects.requireNonNull(reason));
        r.assemblyKey = assemblyKey;
        return r;
    }

    /**
     * The receiving thread shed {@code heaps} whole heaps ({@code packets} packets) of this stream
     * because the pipeline was behind (no bytes travel): heap assembly counts them per stream.
     */
    public static SpeadPacketRecord shed(String stream, int substream, String assemblyKey, int heaps, int packets) {
        SpeadPacketRecord r = new SpeadPacketRecord(stream, substream, null, SHED_NOTICE_LENGTH, null);
        r.assemblyKey = assemblyKey;
        r.shedHeaps = heaps;
        r.shedPackets = packets;
        return r;
    }

    /**
     * The kernel dropped datagrams of this stream's endpoint here (its receive buffer was full;
     * no bytes travel): the heaps live in this substream may have lost packets, so assembly sheds
     * them whole (the receiving thread sheds their later packets).
     */
    public static SpeadPacketRecord gap(String stream, int substream, String assemblyKey) {
        SpeadPacketRecord r = new SpeadPacketRecord(stream, substream, null, GAP_NOTICE_LENGTH, null);
        r.assemblyKey = assemblyKey;
        return r;
    }

    /** A gap notice ({@link #gap}). */
    public boolean isGapNotice() {
        return length == GAP_NOTICE_LENGTH;
    }

    /** A shed notice ({@link #shedHeaps()}, {@link #shedPackets()}). */
    public boolean isShedNotice() {
        return length == SHED_NOTICE_LENGTH;
    }

    public int shedHeaps() {
        return shedHeaps;
    }

    public int shedPackets() {
        return shedPackets;
    }

    /** The stream ended (TCP connection closed, or the stream was evicted): its substream flushes its live heaps. */
    public static SpeadPacketRecord endOfStream(String stream, int substream) {
        return new SpeadPacketRecord(stream, substream, null, END_OF_STREAM_LENGTH, null);
    }

    public String stream() {
        return stream;
    }

    public int substream() {
        return substream;
    }

    /**
     * The buffer holding the packet at {@link #start()} (null for a notice or an end-of-stream
     * marker; big-endian), to read with absolute indices and not to keep: a pooled array's buffer
     * or the receiver's lent memory. Valid until {@link #release()}.
     */
    public ByteBuffer buffer() {
        if (packet == null && length >= 0) {
            throw new IllegalStateException("packet record used after release");
        }
        return packet;
    }

    /** Where the packet starts in {@link #buffer()}. */
    public int start() {
        return start;
    }

    /** A copy of the packet's bytes. */
    public byte[] toByteArray() {
        byte[] bytes = new byte[length];
        buffer().get(start, bytes, 0, length);
        return bytes;
    }

    /** The packet's length in bytes; negative for an end-of-stream marker or an invalid-packet notice. */
    public int length() {
        return length;
    }

    public boolean isEndOfStream() {
        return length == END_OF_STREAM_LENGTH;
    }

    /** An invalid-packet notice ({@link #invalidReason()} says why). */
    public boolean isInvalidNotice() {
        return invalidReason != null;
    }

    /** Why the source dropped the packet (invalid-packet notices only), else null. */
    public InvalidPacketReason invalidReason() {
        return invalidReason;
    }

    /**
     * A record that stays valid: this one if it owns its bytes (or carries none), else a copy
     * that owns a copy of them. What a serializer's {@code copy} returns.
     */
    public SpeadPacketRecord ownedCopy() {
        if ((pool == null && loan == null) || length < 0) {
            return this;
        }
        SpeadPacketRecord r = packet(stream, substream, toByteArray());
        r.assemblyKey = assemblyKey;
        return r;
    }

    @Override
    public void release() {
        ByteBuffer b = packet;
        if (b == null || (pool == null && loan == null)) {
            return;
        }
        packet = null; // a consumer that kept the record fails loudly instead of reading recycled bytes
        if (loan != null) {
            loan.release();
        } else {
            pool.give(b);
        }
    }

    /** The key of heap assembly: {@code <stream>|<substream>} ('|' never occurs in stream names). */
    public String assemblyKey() {
        String k = assemblyKey;
        if (k == null) {
            k = keyOf(stream, substream);
            assemblyKey = k; // racy but idempotent: the same string every time
        }
        return k;
    }

    public static String keyOf(String stream, int substream) {
        return stream + "|" + substream;
    }

    /** The stream of an assembly key. */
    public static String streamOfKey(String assemblyKey) {
        return assemblyKey.substring(0, assemblyKey.lastIndexOf('|'));
    }

    /** The substream of an assembly key. */
    public static int substreamOfKey(String assemblyKey) {
        return Integer.parseInt(assemblyKey.substring(assemblyKey.lastIndexOf('|') + 1));
    }

    @Override
    public String toString() {
        return "SpeadPacketRecord{" + stream + "#" + substream + (invalidReason != null ? ", invalid " + invalidReason
                : isGapNotice() ? ", gap" : isShedNotice() ? ", shed " + shedHeaps : length < 0 ? ", end" : ", " + length + " B") + "}";
    }
}
