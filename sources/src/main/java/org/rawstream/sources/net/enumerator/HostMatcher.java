package org.rawstream.sources.net.enumerator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether a reader's location (its TaskManager's {@code taskmanager.host}, as Flink reports it)
 * is one of an endpoint's receiving hosts: the same text, or names that resolve to a common
 * address. Lookups are cached: one per distinct name for the enumerator's life.
 */
final class HostMatcher {
    private final Map<String, Set<InetAddress>> resolved = new HashMap<>();

    boolean matches(String location, Set<String> hosts) {
        if (location == null) {
            return false;
        }
        for (String host : hosts) {
            if (host.equalsIgnoreCase(location)) {
                return true;
            }
        }
        Set<InetAddress> here = resolve(location);
        for (String host : hosts) {
            for (InetAddress a : resolve(host)) {
                if (here.contains(a)) {
                    return true;
                }
            }
        }
        return false;
    }

    private Set<InetAddress> resolve(String name) {
        return resolved.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> {
            try {
                String h = n.startsWith("[") && n.endsWith("]") ? n.substring(1, n.length() - 1) : n;
                return Set.of(InetAddress.getAllByName(h));
            } catch (UnknownHostException | SecurityException e) {
                return Set.of();
            }
        });
    }
}
