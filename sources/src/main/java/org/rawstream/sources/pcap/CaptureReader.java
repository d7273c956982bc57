package org.rawstream.sources.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;

/**
 * Reads the packet records of a pcap or pcapng file, one at a time, through one reusable buffer:
 * no allocation per packet. Classic pcap (microsecond and nanosecond, either byte order) and
 * pcapng (sections of either byte order, several interfaces with their own link type and
 * timestamp resolution; enhanced, simple and obsolete packet blocks; other blocks skipped).
 *
 * <p>A file that ends inside a record (a capture cut short) ends cleanly: {@link #next()} returns
 * false and {@link #truncatedBytes()} says how many bytes were left over. Framing that cannot be
 * right (a length beyond {@link #MAX_RECORD_BYTES}, a pcapng block whose trailing length differs)
 * throws {@link CaptureFormatException} naming the file and offset: after that nothing in the
 * file can be trusted to be a record boundary.
 */
public final class CaptureReader implements Closeable {
    /** Largest record or block accepted (tcpdump's snaplen is 262144; jumbo TSO segments fit). */
    public static final int MAX_RECORD_BYTES = 16 << 20;
    /** Interfaces per pcapng section kept; packets of further ones count as unknown link type. */
    static final int MAX_INTERFACES = 1024;
    /** Link type reported for a packet of an interface the section never described. */
    public static final int UNKNOWN_INTERFACE = -1;

    private static final int PCAP_MAGIC_MICROS = 0xA1B2C3D4;
    private static final int PCAP_MAGIC_NANOS = 0xA1B23C4D;
    private static final int PCAPNG_SHB = 0x0A0D0D0A;
    private static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int BLOCK_IDB = 1;
    private static final int BLOCK_PB = 2;
    private static final int BLOCK_SPB = 3;
    private static final int BLOCK_EPB = 6;

    private final SeekableByteChannel channel;
    private final String name;
    private final boolean pcapng;
    private ByteBuffer buf;
    /** File offset of buf[0]; buf holds [0, limit) of the file window, pos is the read pointer. */
    private long bufStart;
    private int pos;
    private boolean eof;

    private ByteOrder order;
    private long pcapUnitsPerSecond;
    private int pcapLinkType;
    private int[] ifLinkType = new int[4];
    private long[] ifUnitsPerSecond = new long[4];
    private int[] ifSnaplen = new int[4];
    private int interfaces;

    private long recordOffset;
    private int linkType;
    private long timestampNanos;
    private int capturedLength;
    private int originalLength;
    private int dataIndex;
    private long truncatedBytes;

    private CaptureReader(SeekableByteChannel channel, String name, boolean pcapng) {
        this.channel = channel;
        this.name = name;
        this.pcapng = pcapng;
        this.buf = ByteBuffer.allocate(1 << 20);
        buf.limit(0);
    }

    /**
     * Reads the file header (pcap) or the first section header (pcapng).
     *
     * @param name for messages (the file name)
     * @throws CaptureFormatException if the file is neither pcap nor pcapng, or uses a link type
     *     this reader cannot parse (classic pcap: one link type for the whole file)
     */
    public static CaptureReader open(SeekableByteChannel channel, String name) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(4);
        channel.position(0);
        while (magic.hasRemaining() && channel.read(magic) >= 0) {
            // read the 4 magic bytes
        }
        if (magic.hasRemaining()) {
            throw new CaptureFormatException(name + ": not a capture file (" + magic.position() + " bytes)");
        }
        int m = magic.getInt(0);
        channel.position(0);
        if (m == PCAPNG_SHB) {
            CaptureReader r = new CaptureReader(channel, name, true);
            if (!r.ensure(12)) {
                throw new CaptureFormatException(name + ": pcapng section header cut short");
            }
            return r;
        }
        ByteOrder order;
        long units;
        if (m == PCAP_MAGIC_MICROS || m == PCAP_MAGIC_NANOS) {
            order = ByteOrder.BIG_ENDIAN;
            units = m == PCAP_MAGIC_NANOS ? 1_000_000_000L : 1_000_000L;
        } else if (Integer.reverseBytes(m) == PCAP_MAGIC_MICROS || Integer.reverseBytes(m) == PCAP_MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
            units = Integer.reverseBytes(m) == PCAP_MAGIC_NANOS ? 1_000_000_000L : 1_000_000L;
        } else {
            throw new CaptureFormatException(name + ": not a pcap or pcapng file (magic 0x"
                    + Integer.toHexString(m) + ")");
        }
        CaptureReader r = new CaptureReader(channel, name, false);
        if (!r.ensure(24)) {
            throw new CaptureFormatException(name + ": pcap file header cut short");
        }
        r.order = order;
        r.buf.order(order);
        r.pcapUnitsPerSecond = units;
        r.pcapLinkType = r.buf.getInt(20) & 0xFFFF; // the upper bits carry FCS information
        if (!LinkTypes.supported(r.pcapLinkType)) {
            throw new CaptureFormatException(name + ": " + LinkTypes.name(r.pcapLinkType)
                    + " is not supported (supported: " + LinkTypes.supportedList() + ")");
        }
        r.pos = 24;
        return r;
    }

    public boolean isPcapng() {
        return pcapng;
    }

    /** The link type of a classic pcap file; -1 for pcapng (per interface). */
    public int fileLinkType() {
        return pcapng ? -1 : pcapLinkType;
    }

    /** File offset of the next record to read: a position {@link #skipTo} accepts. */
    public long offset() {
        return bufStart + pos;
    }

    /**
     * Continue at {@code target}, a value {@link #offset()} returned while reading this file.
     * pcap seeks; pcapng reads the blocks before it (to learn the section's interfaces).
     *
     * @throws CaptureFormatException if the file has no record boundary there (it changed)
     */
    public void skipTo(long target) throws IOException {
        if (target == offset()) {
            return;
        }
        if (!pcapng) {
            if (target < 24 || target > channel.size()) {
                throw new CaptureFormatException(name + ": offset " + target + " is outside the file (it changed?)");
            }
            seek(target);
            return;
        }
        if (target < offset()) {
            throw new CaptureFormatException(name + ": cannot go back to " + target);
        }
        while (offset() < target) {
            if (!nextBlock(false)) {
                throw new CaptureFormatException(name + ": the file ends before offset " + target + " (it changed?)");
            }
        }
        if (offset() != target) {
            throw new CaptureFormatException(name + ": no record boundary at offset " + target + " (the file changed?)");
        }
    }

    private void seek(long target) throws IOException {
        channel.position(target);
        bufStart = target;
        pos = 0;
        buf.limit(0);
        eof = false;
    }

    /**
     * Reads the next packet record.
     *
     * @return false at the end of the file (also when it ends inside a record: see
     *     {@link #truncatedBytes()})
     */
    public boolean next() throws IOException {
        return pcapng ? nextBlock(true) : nextPcapRecord();
    }

    private boolean nextPcapRecord() throws IOException {
        if (!ensure(16)) {
            return truncatedEnd();
        }
        long caplen = buf.getInt(pos + 8) & 0xFFFFFFFFL;
        if (caplen > MAX_RECORD_BYTES) {
            throw corrupt("record length " + caplen);
        }
        if (!ensure(16 + (int) caplen)) {
            return truncatedEnd();
        }
        recordOffset = offset();
        long seconds = buf.getInt(pos) & 0xFFFFFFFFL;
        long fraction = buf.getInt(pos + 4) & 0xFFFFFFFFL;
        timestampNanos = seconds * 1_000_000_000L + fraction * (1_000_000_000L / pcapUnitsPerSecond);
        capturedLength = (int) caplen;
        originalLength = buf.getInt(pos + 12);
        linkType = pcapLinkType;
        dataIndex = pos + 16;
        pos += 16 + (int) caplen;
        return true;
    }

    private boolean nextBlock(boolean stopAtPacket) throws IOException {
        while (true) {
            if (!ensure(8)) {
                return truncatedEnd();
            }
            int type = buf.getInt(pos);
            if (type == PCAPNG_SHB) {
                if (!ensure(12)) {
                    return truncatedEnd();
                }
                int bom = buf.order(ByteOrder.BIG_ENDIAN).getInt(pos + 8);
                if (bom == PCAPNG_BYTE_ORDER_MAGIC) {
                    order = ByteOrder.BIG_ENDIAN;
                } else if (Integer.reverseBytes(bom) == PCAPNG_BYTE_ORDER_MAGIC) {
                    order = ByteOrder.LITTLE_ENDIAN;
                } else {
                    throw corrupt("section header with byte-order magic 0x" + Integer.toHexString(bom));
                }
                buf.order(order);
                interfaces = 0;
            } else if (order == null) {
                throw corrupt("pcapng data before the first section header");
            }
            long total = buf.getInt(pos + 4) & 0xFFFFFFFFL;
            if (total < 12 || total % 4 != 0 || total > MAX_RECORD_BYTES) {
                throw corrupt("block length " + total);
            }
            int length = (int) total;
            if (!ensure(length)) {
                return truncatedEnd();
            }
            if (buf.getInt(pos + length - 4) != length) {
                throw corrupt("block trailing length " + (buf.getInt(pos + length - 4) & 0xFFFFFFFFL) + " != " + length);
            }
            long blockOffset = offset();
            boolean packet = false;
            switch (type) {
                case BLOCK_IDB:
                    interfaceBlock(length);
                    break;
                case BLOCK_EPB:
                case BLOCK_PB:
                    packet = packetBlock(type, length);
                    break;
                case BLOCK_SPB:
                    packet = simplePacketBlock(length);
                    break;
                default:
                    break; // section header, statistics, name resolution, custom: nothing to read
            }
            pos += length;
            if (packet) {
                recordOffset = blockOffset;
                if (stopAtPacket) {
                    return true;
                }
            }
            if (!stopAtPacket) {
                return true;
            }
        }
    }

    private void interfaceBlock(int length) throws CaptureFormatException {
        if (length < 20) {
            throw corrupt("interface description of " + length + " bytes");
        }
        int link = buf.getShort(pos + 8) & 0xFFFF;
        int snaplen = buf.getInt(pos + 12);
        long units = 1_000_000L;
        int o = pos + 16;
        int end = pos + length - 4;
        while (o + 4 <= end) {
            int code = buf.getShort(o) & 0xFFFF;
            int len = buf.getShort(o + 2) & 0xFFFF;
            if (code == 0 || o + 4 + len > end) {
                break;
            }
            if (code == 9 && len >= 1) { // if_tsresol
                int v = buf.get(o + 4) & 0xFF;
                if ((v & 0x80) == 0 && v <= 18) {
                    units = pow10(v);
                } else if ((v & 0x80) != 0 && (v & 0x7F) <= 62) {
                    units = 1L << (v & 0x7F);
                }
            }
            o += 4 + ((len + 3) & ~3);
        }
        if (interfaces >= MAX_INTERFACES) {
            return; // its packets count as unknown interface
        }
        if (interfaces == ifLinkType.length) {
            ifLinkType = java.util.Arrays.copyOf(ifLinkType, interfaces * 2);
            ifUnitsPerSecond = java.util.Arrays.copyOf(ifUnitsPerSecond, interfaces * 2);
            ifSnaplen = java.util.Arrays.copyOf(ifSnaplen, interfaces * 2);
        }
        ifLinkType[interfaces] = link;
        ifUnitsPerSecond[interfaces] = units;
        ifSnaplen[interfaces] = snaplen;
        interfaces++;
    }

    private static long pow10(int v) {
        long r = 1;
        for (int i = 0; i < v; i++) {
            r *= 10;
        }
        return r;
    }

    private boolean packetBlock(int type, int length) throws CaptureFormatException {
        if (length < 32) {
            throw corrupt("packet block of " + length + " bytes");
        }
        int iface = type == BLOCK_EPB ? buf.getInt(pos + 8) : buf.getShort(pos + 8) & 0xFFFF;
        long ts = ((buf.getInt(pos + 12) & 0xFFFFFFFFL) << 32) | (buf.getInt(pos + 16) & 0xFFFFFFFFL);
        long caplen = buf.getInt(pos + 20) & 0xFFFFFFFFL;
        if (caplen > length - 32) {
            throw corrupt("packet of " + caplen + " bytes in a block of " + length);
        }
        capturedLength = (int) caplen;
        originalLength = buf.getInt(pos + 24);
        dataIndex = pos + 28;
        if (iface < 0 || iface >= interfaces) {
            linkType = UNKNOWN_INTERFACE;
            timestampNanos = 0;
        } else {
            linkType = ifLinkType[iface];
            timestampNanos = toNanos(ts, ifUnitsPerSecond[iface]);
        }
        return true;
    }

    private boolean simplePacketBlock(int length) throws CaptureFormatException {
        if (length < 16) {
            throw corrupt("simple packet block of " + length + " bytes");
        }
        long orig = buf.getInt(pos + 8) & 0xFFFFFFFFL;
        long caplen = Math.min(orig, length - 16);
        if (interfaces > 0 && ifSnaplen[0] > 0) {
            caplen = Math.min(caplen, ifSnaplen[0]);
        }
        capturedLength = (int) caplen;
        originalLength = (int) orig;
        dataIndex = pos + 12;
        linkType = interfaces > 0 ? ifLinkType[0] : UNKNOWN_INTERFACE;
        // No timestamp in a simple packet block: keep the previous one (pacing treats it as "now").
        return true;
    }

    static long toNanos(long ts, long unitsPerSecond) {
        long seconds = Long.divideUnsigned(ts, unitsPerSecond);
        long rest = Long.remainderUnsigned(ts, unitsPerSecond);
        return seconds * 1_000_000_000L + (long) (rest * (1e9 / unitsPerSecond));
    }

    private boolean truncatedEnd() {
        truncatedBytes = buf.limit() - pos;
        return false;
    }

    private CaptureFormatException corrupt(String what) {
        return new CaptureFormatException(name + ": corrupt at offset " + offset() + ": " + what);
    }

    /** Makes {@code n} bytes from the read pointer available in the buffer; false at end of file. */
    private boolean ensure(int n) throws IOException {
        if (pos + n <= buf.limit()) {
            return true;
        }
        if (n > buf.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(n, Math.min(MAX_RECORD_BYTES + 64, buf.capacity() * 2)));
            bigger.put(buf.array(), pos, buf.limit() - pos);
            bigger.flip();
            bigger.order(buf.order());
            bufStart += pos;
            pos = 0;
            buf = bigger;
        } else if (pos > 0) {
            int remaining = buf.limit() - pos;
            System.arraycopy(buf.array(), pos, buf.array(), 0, remaining);
            bufStart += pos;
            pos = 0;
            buf.limit(remaining);
        }
        while (buf.limit() < n && !eof) {
            int limit = buf.limit();
            buf.limit(buf.capacity());
            buf.position(limit);
            int r = channel.read(buf);
            buf.limit(buf.position());
            buf.position(0);
            if (r < 0) {
                eof = true;
            }
        }
        return buf.limit() >= n;
    }

    /** The link type of the current packet ({@link #UNKNOWN_INTERFACE} if pcapng never described it). */
    public int linkType() {
        return linkType;
    }

    public long timestampNanos() {
        return timestampNanos;
    }

    public int capturedLength() {
        return capturedLength;
    }

    /** The packet's length on the wire; more than {@link #capturedLength()} when the snaplen cut it. */
    public int originalLength() {
        return originalLength;
    }

    /** File offset of the current record (its header). */
    public long recordOffset() {
        return recordOffset;
    }

    /** The buffer holding the current packet's bytes (valid until the next call). */
    public ByteBuffer buffer() {
        return buf;
    }

    /** Index of the current packet's first byte in {@link #buffer()}. */
    public int dataIndex() {
        return dataIndex;
    }

    /** Bytes after the last complete record (a capture cut short), once {@link #next()} returned false. */
    public long truncatedBytes() {
        return truncatedBytes;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
