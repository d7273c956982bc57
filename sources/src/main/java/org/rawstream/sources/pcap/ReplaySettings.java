package org.rawstream.sources.pcap;

import static org.rawstream.core.config.ConfigChecks.atLeast;
import static org.rawstream.core.config.ConfigChecks.inRange;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a capture replay keeps and drops, and its bounds. Immutable; build with {@link #builder()}.
 * Defaults: every destination, UDP and TCP, as fast as possible, 1024 TCP connections open at
 * once, 64 MiB of out-of-order TCP bytes held, 4096 UDP senders tracked per file.
 */
public final class ReplaySettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final long DEFAULT_MAX_REORDER_BYTES = 64L << 20;
    public static final int DEFAULT_MAX_UDP_SENDERS = 4096;

    private final List<byte[]> destinationHosts;
    private final int destinationPort;
    private final boolean udp;
    private final boolean tcp;
    private final double speed;
    private final int maxConnections;
    private final long maxReorderBytes;
    private final int maxUdpSenders;

    private ReplaySettings(Builder b) {
        this.destinationHosts = b.hosts;
        this.destinationPort = b.port;
        this.udp = b.udp;
        this.tcp = b.tcp;
        this.speed = b.speed;
        this.maxConnections = b.maxConnections;
        this.maxReorderBytes = b.maxReorderBytes;
        this.maxUdpSenders = b.maxUdpSenders;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether a packet to this destination is replayed. */
    public boolean accepts(PacketHeaders h) {
        if (h.transport() == PacketHeaders.UDP ? !udp : !tcp) {
            return false;
        }
        if (destinationPort != 0 && h.destinationPort() != destinationPort) {
            return false;
        }
        if (destinationHosts.isEmpty()) {
            return true;
        }
        byte[] dst = h.destination();
        int len = h.addressLength();
        for (byte[] host : destinationHosts) {
            if (host.length == len && Arrays.equals(host, 0, len, dst, 0, len)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a TCP packet travels from a replayed endpoint back to its client. */
    public boolean acceptsReverse(PacketHeaders h) {
        if (!tcp || destinationPort != 0 && h.sourcePort() != destinationPort) {
            return false;
        }
        if (destinationHosts.isEmpty()) {
            return true;
        }
        for (byte[] host : destinationHosts) {
            if (host.length == h.addressLength() && Arrays.equals(host, 0, host.length, h.source(), 0, host.length)) {
                return true;
            }
        }
        return false;
    }

    /** 0 = as fast as possible; else the recorded inter-packet times divided by this factor. */
    public double speed() { return speed; }
    public int maxConnections() { return maxConnections; }
    public long maxReorderBytes() { return maxReorderBytes; }
    public int maxUdpSenders() { return maxUdpSenders; }

    @Override
    public String toString() {
        List<String> hosts = new ArrayList<>();
        for (byte[] h : destinationHosts) {
            try {
                hosts.add(InetAddress.getByAddress(h).getHostAddress());
            } catch (UnknownHostException e) {
                hosts.add("?");
            }
        }
        return "ReplaySettings{hosts=" + (hosts.isEmpty() ? "any" : hosts) + ", port=" + (destinationPort == 0 ? "any" : destinationPort)
                + ", udp=" + udp + ", tcp=" + tcp + ", speed=" + (speed == 0 ? "max" : speed) + ", maxConnections="
                + maxConnections + ", maxReorderBytes=" + maxReorderBytes + ", maxUdpSenders=" + maxUdpSenders + "}";
    }

    /** Builder of {@link ReplaySettings}. */
    public static final class Builder {
        private final List<byte[]> hosts = new ArrayList<>();
        private int port;
        private boolean udp = true;
        private boolean tcp = true;
        private double speed;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private long maxReorderBytes = DEFAULT_MAX_REORDER_BYTES;
        private int maxUdpSenders = DEFAULT_MAX_UDP_SENDERS;

        private Builder() {
        }

        /** Keep only packets to this address (repeatable); none = every address. A literal IP address. */
        public Builder destinationHost(String host) {
            try {
                hosts.add(InetAddress.getByName(host.trim()).getAddress());
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address: " + host, e);
            }
            return this;
        }

        /** Keep only packets to this port; 0 = every port. */
        public Builder destinationPort(int destinationPort) {
            this.port = inRange(destinationPort, 0, 65535, "destinationPort");
            return this;
        }

        public Builder transports(boolean withUdp, boolean withTcp) {
            if (!withUdp && !withTcp) {
                throw new IllegalArgumentException("replay UDP, TCP or both");
            }
            this.udp = withUdp;
            this.tcp = withTcp;
            return this;
        }

        public Builder speed(double factor) {
            if (!(factor >= 0) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("speed must be >= 0 (0 = as fast as possible), got " + factor);
            }
            this.speed = factor;
            return this;
        }

        public Builder maxConnections(int max) {
            this.maxConnections = atLeast(max, 1, "maxConnections");
            return this;
        }

        public Builder maxReorderBytes(long max) {
            this.maxReorderBytes = atLeast(max, 0, "maxReorderBytes");
            return this;
        }

        public Builder maxUdpSenders(int max) {
            this.maxUdpSenders = atLeast(max, 1, "maxUdpSenders");
            return this;
        }

        public ReplaySettings build() {
            return new ReplaySettings(this);
        }
    }
}
