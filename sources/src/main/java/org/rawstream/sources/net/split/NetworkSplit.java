package org.rawstream.sources.net.split;

import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One endpoint (or, for SO_REUSEPORT endpoints, one subtask's share of it). A network endpoint
 * cannot be rewound, so the split is its identity only: no position, nothing to replay.
 * Endpoint options are looked up from the source's configuration by {@link #endpointKey()}, so a
 * restored job uses its current options.
 */
public final class NetworkSplit implements SourceSplit {
    /** The transport of an endpoint. */
    public enum Transport { UDP, TCP }

    private final Transport transport;
    private final String host;
    private final int port;
    private final int replica;
    /** Built once: the reader asks for it on every fetch. */
    private final String splitId;

    public NetworkSplit(Transport transport, String host, int port, int replica) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.host = Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (replica < 0) {
            throw new IllegalArgumentException("replica must be >= 0");
        }
        this.port = port;
        this.replica = replica;
        this.splitId = endpointKey(transport, host, port) + "#" + replica;
    }

    public Transport transport() { return transport; }
    public String host() { return host; }
    public int port() { return port; }
    /** 0, or the index of this subtask's socket on a SO_REUSEPORT endpoint. */
    public int replica() { return replica; }

    /** {@code udp://host:port}: identifies the configured endpoint. */
    public String endpointKey() {
        return endpointKey(transport, host, port);
    }

    public static String endpointKey(Transport transport, String host, int port) {
        return transport.name().toLowerCase(java.util.Locale.ROOT) + "://" + host + ":" + port;
    }

    @Override
    public String splitId() {
        return splitId;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NetworkSplit)) {
            return false;
        }
        NetworkSplit that = (NetworkSplit) o;
        return transport == that.transport && host.equals(that.host) && port == that.port && replica == that.replica;
    }

    @Override
    public int hashCode() {
        return Objects.hash(transport, host, port, replica);
    }

    @Override
    public String toString() {
        return splitId();
    }
}
