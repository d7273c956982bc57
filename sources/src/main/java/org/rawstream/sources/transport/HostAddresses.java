package org.rawstream.sources.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What an endpoint's address says about where it can be received, decided from the text alone
 * (no name lookups): a wildcard or loopback address can be bound on every host; any other
 * address belongs to one host.
 */
public final class HostAddresses {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private HostAddresses() {}

    /** True for an IPv4 or IPv6 literal (IPv6 possibly in brackets). */
    public static boolean isLiteral(String host) {
        String h = host.trim();
        return IPV4.matcher(h).matches() || h.indexOf(':') >= 0;
    }

    /** 0.0.0.0, ::, loopback (127/8, ::1) or "localhost": every host has it. */
    public static boolean isAnyHost(String host) {
        String h = unbracket(host.trim()).toLowerCase(Locale.ROOT);
        return h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0")
                || h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    /** Comma-separated entries, trimmed, empty ones dropped. */
    public static List<String> list(String commaSeparated) {
        List<String> out = new ArrayList<>();
        if (commaSeparated != null) {
            for (String s : commaSeparated.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
