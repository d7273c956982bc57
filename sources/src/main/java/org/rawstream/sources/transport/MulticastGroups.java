package org.rawstream.sources.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Multicast groups as instruments name them: a comma-separated list whose entries are a group
 * ({@code 239.2.1.150}) or a range in the SPEAD/MeerKAT notation {@code base+n} — the base and
 * the {@code n} groups after it ({@code 239.2.1.150+15} = 16 groups, .150 to .165).
 */
public final class MulticastGroups {
    /** More groups than any one source should join (a typo guard: the kernel allows 20 per socket by default). */
    public static final int MAX_GROUPS = 1024;

    private MulticastGroups() {}

    /** The groups, in order, without duplicates; empty for a blank spec. */
    public static List<String> parse(String spec) {
        Set<String> groups = new LinkedHashSet<>();
        for (String entry : HostAddresses.list(spec)) {
            int plus = entry.indexOf('+');
            String base = plus < 0 ? entry : entry.substring(0, plus).trim();
            int count = 1;
            if (plus >= 0) {
                try {
                    count = Integer.parseInt(entry.substring(plus + 1).trim()) + 1;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("multicast group range " + entry + ": expected ADDRESS+N");
                }
                if (count < 1 || count > MAX_GROUPS) {
                    throw new IllegalArgumentException("multicast group range " + entry + ": N must be 0.." + (MAX_GROUPS - 1));
                }
            }
            byte[] address = multicastAddress(entry, base);
            if (plus >= 0 && address.length != 4) {
                throw new IllegalArgumentException("multicast group range " + entry + ": ranges are IPv4 only");
            }
            for (int i = 0; i < count; i++) {
                byte[] a = address.clone();
                if (i > 0) {
                    long v = ((a[0] & 0xffL) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff)) + i;
                    a = new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
                }
                groups.add(checked(entry, a).getHostAddress());
            }
            if (groups.size() > MAX_GROUPS) {
                throw new IllegalArgumentException("more than " + MAX_GROUPS + " multicast groups: " + spec);
            }
        }
        return new ArrayList<>(groups);
    }

    private static byte[] multicastAddress(String entry, String base) {
        if (!HostAddresses.isLiteral(base)) {
            throw new IllegalArgumentException("multicast group " + entry + ": not an IP address");
        }
        try {
            return InetAddress.getByName(HostAddresses.unbracket(base)).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("multicast group " + entry + ": not an IP address", e);
        }
    }

    private static InetAddress checked(String entry, byte[] address) {
        try {
            InetAddress a = InetAddress.getByAddress(address);
            if (!a.isMulticastAddress()) {
                throw new IllegalArgumentException("multicast group " + entry + ": " + a.getHostAddress()
                        + " is not a multicast address");
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("multicast group " + entry, e);
        }
    }
}
