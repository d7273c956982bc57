package org.rawstream.sources.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes small pcap or pcapng files of UDP datagrams and TCP connections (synthesised IPv4/IPv6
 * and link headers; checksums left zero, as on loopback). For tests and benchmarks that need a
 * capture with exactly known content; real captures come from tcpdump.
 */
public final class CaptureWriter implements Closeable {
    private final OutputStream out;
    private final boolean pcapng;
    private final int linkType;
    private final ByteOrder order;
    private long timestampNanos = 1_700_000_000_000_000_000L;
    private long stepNanos = 1_000;

    private CaptureWriter(OutputStream out, boolean pcapng, int linkType, ByteOrder order) throws IOException {
        this.out = out;
        this.pcapng = pcapng;
        this.linkType = linkType;
        this.order = order;
        if (pcapng) {
            ByteBuffer shb = block(0x0A0D0D0A, 16);
            shb.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
            finish(shb);
            ByteBuffer idb = block(1, 8 + 8); // link type, snaplen, if_tsresol = 9 (ns), end of options
            idb.putShort((short) linkType).putShort((short) 0).putInt(262144);
            idb.putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]);
            finish(idb);
        } else {
            ByteBuffer h = ByteBuffer.allocate(24).order(order);
            h.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(linkType);
            out.write(h.array());
        }
    }

    /** Classic pcap, nanosecond timestamps, little-endian. */
    public static CaptureWriter pcap(OutputStream out, int linkType) throws IOException {
        return new CaptureWriter(out, false, linkType, ByteOrder.LITTLE_ENDIAN);
    }

    public static CaptureWriter pcap(OutputStream out, int linkType, ByteOrder order) throws IOException {
        return new CaptureWriter(out, false, linkType, order);
    }

    /** pcapng, one interface with nanosecond timestamps. */
    public static CaptureWriter pcapng(OutputStream out, int linkType, ByteOrder order) throws IOException {
        return new CaptureWriter(out, true, linkType, order);
    }

    /** Time between packets (default 1 µs). */
    public CaptureWriter step(long nanos) {
        this.stepNanos = nanos;
        return this;
    }

    private ByteBuffer block(int type, int bodyLength) {
        int total = 12 + ((bodyLength + 3) & ~3);
        ByteBuffer b = ByteBuffer.allocate(total).order(order);
        b.putInt(type).putInt(total);
        return b;
    }

    private void finish(ByteBuffer b) throws IOException {
        b.position(b.capacity() - 4);
        b.putInt(b.capacity());
        out.write(b.array());
    }

    public void udp(InetSocketAddress from, InetSocketAddress to, byte[] payload) throws IOException {
        ByteBuffer l4 = ByteBuffer.allocate(8 + payload.length);
        l4.putShort((short) from.getPort()).putShort((short) to.getPort()).putShort((short) (8 + payload.length))
                .putShort((short) 0).put(payload);
        packet(from, to, PacketHeaders.UDP, l4.array());
    }

    /** One TCP segment (flags from {@link PacketHeaders}). */
    public void tcp(InetSocketAddress from, InetSocketAddress to, long sequence, int flags, byte[] payload, int offset,
            int length) throws IOException {
        ByteBuffer l4 = ByteBuffer.allocate(20 + length);
        l4.putShort((short) from.getPort()).putShort((short) to.getPort()).putInt((int) sequence).putInt(0)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putInt(0).put(payload, offset, length);
        packet(from, to, PacketHeaders.TCP, l4.array());
    }

    /**
     * A whole client connection: SYN, {@code stream} in segments of at most {@code mss} bytes,
     * FIN. The initial sequence number {@code isn} lets tests cross the 2^32 wrap.
     */
    public void tcpConnection(InetSocketAddress from, InetSocketAddress to, long isn, byte[] stream, int mss)
            throws IOException {
        tcp(from, to, isn, PacketHeaders.SYN, stream, 0, 0);
        long seq = isn + 1;
        for (int off = 0; off < stream.length; off += mss) {
            int len = Math.min(mss, stream.length - off);
            tcp(from, to, seq, PacketHeaders.ACK, stream, off, len);
            seq += len;
        }
        tcp(from, to, seq, PacketHeaders.FIN | PacketHeaders.ACK, stream, 0, 0);
    }

    /** Writes a raw link-layer frame as one record (for bad-input tests). */
    public void frame(byte[] frame, int originalLength) throws IOException {
        record(frame, originalLength);
    }

    private void packet(InetSocketAddress from, InetSocketAddress to, int protocol, byte[] l4) throws IOException {
        byte[] src = from.getAddress().getAddress();
        byte[] dst = to.getAddress().getAddress();
        ByteBuffer ip;
        int etherType;
        if (src.length == 4) {
            etherType = 0x0800;
            ip = ByteBuffer.allocate(20 + l4.length);
            ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) 0).putShort((short) 0x4000)
                    .put((byte) 64).put((byte) protocol).putShort((short) 0).put(src).put(dst).put(l4);
        } else {
            etherType = 0x86DD;
            ip = ByteBuffer.allocate(40 + l4.length);
            ip.putInt(0x60000000).putShort((short) l4.length).put((byte) protocol).put((byte) 64).put(src).put(dst).put(l4);
        }
        byte[] l3 = ip.array();
        ByteBuffer frame;
        switch (linkType) {
            case LinkTypes.ETHERNET:
                frame = ByteBuffer.allocate(14 + l3.length);
                frame.put(new byte[12]).putShort((short) etherType);
                break;
            case LinkTypes.LINUX_SLL:
                frame = ByteBuffer.allocate(16 + l3.length);
                frame.putShort((short) 0).putShort((short) 772).putShort((short) 6).put(new byte[8]).putShort((short) etherType);
                break;
            case LinkTypes.LINUX_SLL2:
                frame = ByteBuffer.allocate(20 + l3.length);
                frame.putShort((short) etherType).putShort((short) 0).putInt(1).putShort((short) 772).put((byte) 0)
                        .put((byte) 6).put(new byte[8]);
                break;
            case LinkTypes.NULL:
                frame = ByteBuffer.allocate(4 + l3.length).order(ByteOrder.LITTLE_ENDIAN);
                frame.putInt(etherType == 0x0800 ? 2 : 30);
                break;
            case LinkTypes.RAW:
                frame = ByteBuffer.allocate(l3.length);
                break;
            default:
                throw new IllegalStateException("cannot synthesise " + LinkTypes.name(linkType));
        }
        frame.put(l3);
        record(frame.array(), frame.capacity());
    }

    private void record(byte[] data, int originalLength) throws IOException {
        timestampNanos += stepNanos;
        if (pcapng) {
            ByteBuffer b = block(6, 20 + data.length);
            b.putInt(0).putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos).putInt(data.length)
                    .putInt(originalLength).put(data);
            finish(b);
        } else {
            ByteBuffer h = ByteBuffer.allocate(16).order(order);
            h.putInt((int) (timestampNanos / 1_000_000_000L)).putInt((int) (timestampNanos % 1_000_000_000L))
                    .putInt(data.length).putInt(originalLength);
            out.write(h.array());
            out.write(data);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
