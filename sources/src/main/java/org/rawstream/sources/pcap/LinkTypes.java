package org.rawstream.sources.pcap;

/**
 * The link-layer header types (tcpdump.org LINKTYPE_ values) the reader understands. Anything
 * else is counted as {@code unsupportedLinkType} and skipped.
 */
public final class LinkTypes {
    /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
    public static final int NULL = 0;
    public static final int ETHERNET = 1;
    /** Raw IPv4/IPv6, no link header. */
    public static final int RAW = 101;
    /** OpenBSD loopback: a 4-byte address family, big-endian. */
    public static final int LOOP = 108;
    /** Linux cooked capture v1 ({@code tcpdump -i any} on older libpcap). */
    public static final int LINUX_SLL = 113;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    /** Linux cooked capture v2 ({@code tcpdump -i any} on libpcap ≥ 1.10). */
    public static final int LINUX_SLL2 = 276;

    private LinkTypes() {
    }

    public static boolean supported(int linkType) {
        switch (linkType) {
            case NULL:
            case ETHERNET:
            case RAW:
            case LOOP:
            case LINUX_SLL:
            case IPV4:
            case IPV6:
            case LINUX_SLL2:
                return true;
            default:
                return false;
        }
    }

    /** For messages: the name of a link type. */
    public static String name(int linkType) {
        switch (linkType) {
            case NULL: return "NULL (BSD loopback)";
            case ETHERNET: return "ETHERNET";
            case RAW: return "RAW";
            case LOOP: return "LOOP";
            case LINUX_SLL: return "LINUX_SLL";
            case IPV4: return "IPV4";
            case IPV6: return "IPV6";
            case LINUX_SLL2: return "LINUX_SLL2";
            case 105: return "IEEE802_11";
            case 127: return "IEEE802_11_RADIOTAP";
            default: return "link type " + linkType;
        }
    }

    /** For messages: what is supported. */
    public static String supportedList() {
        return "ETHERNET, LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6";
    }
}
