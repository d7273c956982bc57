package org.rawstream.sources.pcap;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The link, IP and UDP/TCP headers of one captured packet, parsed in place (one reusable instance,
 * no allocation). {@link #parse} returns {@link Result#OK} with the addresses, ports and payload
 * range set, or why the packet carries nothing to decode. Checksums are not checked: captures on
 * loopback and with offloading hold packets whose checksums the kernel never filled in.
 */
public final class PacketHeaders {
    /** What a packet turned out to be. */
    public enum Result {
        OK("packets"),
        UNSUPPORTED_LINK_TYPE("packetsUnsupportedLinkType"),
        NOT_IP("packetsNotIp"),
        NOT_UDP_OR_TCP("packetsNotUdpOrTcp"),
        IP_FRAGMENT("packetsIpFragment"),
        MALFORMED("packetsMalformed");

        private final String metricName;

        Result(String metricName) {
            this.metricName = metricName;
        }

        /** The counter of packets dropped for this reason. */
        public String metricName() {
            return metricName;
        }
    }

    public static final int UDP = 17;
    public static final int TCP = 6;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int ACK = 0x10;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;

    private int ipVersion;
    private final byte[] source = new byte[16];
    private final byte[] destination = new byte[16];
    private int transport;
    private int sourcePort;
    private int destinationPort;
    private long sequence;
    private int tcpFlags;
    private int payloadIndex;
    private int payloadLength;

    /**
     * @param b the packet's buffer, {@code index}/{@code length} its captured bytes
     */
    public Result parse(int linkType, ByteBuffer b, int index, int length) {
        int end = index + length;
        int p;
        int etherType;
        switch (linkType) {
            case LinkTypes.ETHERNET:
                if (length < 14) {
                    return Result.MALFORMED;
                }
                p = index + 12;
                etherType = u16(b, p);
                p += 2;
                while ((etherType == 0x8100 || etherType == 0x88A8) && p + 4 <= end) { // VLAN tags
                    etherType = u16(b, p + 2);
                    p += 4;
                }
                break;
            case LinkTypes.LINUX_SLL:
                if (length < 16) {
                    return Result.MALFORMED;
                }
                etherType = u16(b, index + 14);
                p = index + 16;
                break;
            case LinkTypes.LINUX_SLL2:
                if (length < 20) {
                    return Result.MALFORMED;
                }
                etherType = u16(b, index);
                p = index + 20;
                break;
            case LinkTypes.NULL:
            case LinkTypes.LOOP: {
                if (length < 4) {
                    return Result.MALFORMED;
                }
                int family = nullFamily(b, index);
                etherType = family == 2 ? ETHERTYPE_IPV4 : family == 24 || family == 28 || family == 30 || family == 10
                        ? ETHERTYPE_IPV6 : -1;
                p = index + 4;
                break;
            }
            case LinkTypes.RAW:
            case LinkTypes.IPV4:
            case LinkTypes.IPV6:
                if (length < 1) {
                    return Result.MALFORMED;
                }
                int v = (b.get(index) & 0xF0) >> 4;
                etherType = v == 4 ? ETHERTYPE_IPV4 : v == 6 ? ETHERTYPE_IPV6 : -1;
                p = index;
                break;
            default:
                return Result.UNSUPPORTED_LINK_TYPE;
        }
        if (etherType == ETHERTYPE_IPV4) {
            return ipv4(b, p, end);
        }
        if (etherType == ETHERTYPE_IPV6) {
            return ipv6(b, p, end);
        }
        return Result.NOT_IP;
    }

    /** A NULL/LOOP header's address family, whichever byte order the capturing host wrote it in. */
    private static int nullFamily(ByteBuffer b, int index) {
        int big = ((b.get(index) & 0xFF) << 24) | ((b.get(index + 1) & 0xFF) << 16) | ((b.get(index + 2) & 0xFF) << 8)
                | (b.get(index + 3) & 0xFF);
        // Families are small numbers: whichever reading is small is the right one.
        return (big & 0xFFFF0000) != 0 ? Integer.reverseBytes(big) : big;
    }

    private Result ipv4(ByteBuffer b, int p, int end) {
        if (p + 20 > end || (b.get(p) & 0xF0) != 0x40) {
            return Result.MALFORMED;
        }
        int ihl = (b.get(p) & 0x0F) * 4;
        int total = u16(b, p + 2);
        if (ihl < 20 || total < ihl || p + ihl > end) {
            return Result.MALFORMED;
        }
        int ipEnd = Math.min(end, p + total); // Ethernet pads short frames: the IP length rules
        int fragment = u16(b, p + 6);
        if ((fragment & 0x3FFF) != 0) { // more fragments, or an offset
            return Result.IP_FRAGMENT;
        }
        ipVersion = 4;
        Arrays.fill(source, (byte) 0);
        Arrays.fill(destination, (byte) 0);
        b.get(p + 12, source, 0, 4);
        b.get(p + 16, destination, 0, 4);
        return transport(b, b.get(p + 9) & 0xFF, p + ihl, ipEnd);
    }

    private Result ipv6(ByteBuffer b, int p, int end) {
        if (p + 40 > end || (b.get(p) & 0xF0) != 0x60) {
            return Result.MALFORMED;
        }
        int ipEnd = Math.min(end, p + 40 + u16(b, p + 4));
        int next = b.get(p + 6) & 0xFF;
        ipVersion = 6;
        b.get(p + 8, source, 0, 16);
        b.get(p + 24, destination, 0, 16);
        int q = p + 40;
        for (int headers = 0; headers < 8; headers++) {
            switch (next) {
                case 0: // hop-by-hop
                case 43: // routing
                case 60: // destination options
                    if (q + 8 > ipEnd) {
                        return Result.MALFORMED;
                    }
                    next = b.get(q) & 0xFF;
                    q += ((b.get(q + 1) & 0xFF) + 1) * 8;
                    break;
                case 51: // authentication header
                    if (q + 8 > ipEnd) {
                        return Result.MALFORMED;
                    }
                    next = b.get(q) & 0xFF;
                    q += ((b.get(q + 1) & 0xFF) + 2) * 4;
                    break;
                case 44:
                    return Result.IP_FRAGMENT;
                default:
                    return transport(b, next, q, ipEnd);
            }
        }
        return Result.MALFORMED;
    }

    private Result transport(ByteBuffer b, int protocol, int p, int ipEnd) {
        if (protocol == UDP) {
            if (p + 8 > ipEnd) {
                return Result.MALFORMED;
            }
            int udpLength = u16(b, p + 4);
            if (udpLength < 8 || p + udpLength > ipEnd) {
                return Result.MALFORMED;
            }
            transport = UDP;
            sourcePort = u16(b, p);
            destinationPort = u16(b, p + 2);
            tcpFlags = 0;
            sequence = 0;
            payloadIndex = p + 8;
            payloadLength = udpLength - 8;
            return Result.OK;
        }
        if (protocol == TCP) {
            if (p + 20 > ipEnd) {
                return Result.MALFORMED;
            }
            int dataOffset = ((b.get(p + 12) & 0xF0) >> 4) * 4;
            if (dataOffset < 20 || p + dataOffset > ipEnd) {
                return Result.MALFORMED;
            }
            transport = TCP;
            sourcePort = u16(b, p);
            destinationPort = u16(b, p + 2);
            sequence = ((long) u16(b, p + 4) << 16) | u16(b, p + 6); // network order, whatever the buffer's
            tcpFlags = b.get(p + 13) & 0x3F;
            payloadIndex = p + dataOffset;
            payloadLength = ipEnd - payloadIndex;
            return Result.OK;
        }
        return Result.NOT_UDP_OR_TCP;
    }

    private static int u16(ByteBuffer b, int i) {
        return ((b.get(i) & 0xFF) << 8) | (b.get(i + 1) & 0xFF);
    }

    public int ipVersion() { return ipVersion; }
    /** Source address: 4 bytes (IPv4) or 16 (IPv6) of a 16-byte array; valid until the next parse. */
    public byte[] source() { return source; }
    public byte[] destination() { return destination; }
    public int addressLength() { return ipVersion == 4 ? 4 : 16; }
    /** {@link #UDP} or {@link #TCP}. */
    public int transport() { return transport; }
    public int sourcePort() { return sourcePort; }
    public int destinationPort() { return destinationPort; }
    /** TCP sequence number (unsigned 32 bits). */
    public long sequence() { return sequence; }
    public int tcpFlags() { return tcpFlags; }
    public int payloadIndex() { return payloadIndex; }
    public int payloadLength() { return payloadLength; }
}
