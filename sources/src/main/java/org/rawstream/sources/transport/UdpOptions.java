package org.rawstream.sources.transport;

import static org.rawstream.core.config.ConfigChecks.atLeast;
import static org.rawstream.core.config.ConfigChecks.inRange;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** Configuration of one UDP endpoint. Immutable; build with {@link #builder(int)}. */
public final class UdpOptions extends EndpointOptions {
    private static final long serialVersionUID = 1L;

    /**
     * 64 MiB: the receiving thread can stall for a GC pause, a JIT recompilation or a busy core, and
     * every datagram the kernel drops meanwhile leaves a partial heap. In A/B runs at 4–10 Gb/s the
     * kernel dropped datagrams in 4 of 7 rows with 32 MiB and in 1 with 64 MiB (bench/README,
     * session 9). The kernel caps the request at {@code net.core.rmem_max}.
     */
    public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 64 << 20;
    /** The largest UDP payload over IPv4. */
    public static final int DEFAULT_MAX_DATAGRAM_BYTES = 65_507;
    public static final int DEFAULT_BATCH_DATAGRAMS = 64;

    /** How the receiving thread reads the socket. */
    public enum ReceiveMode {
        /** {@link #RECVMMSG} where the platform has it, else {@link #PLAIN} (the log says why). */
        AUTO,
        /**
         * Linux {@code recvmmsg} with UDP GRO (64-bit x86 or ARM, JNA): up to 4 kernel buffers per
         * call, several datagrams of one sender per buffer; opening fails where it is unavailable.
         */
        RECVMMSG,
        /** The JDK's {@code DatagramChannel.receive}: one system call per datagram, everywhere. */
        PLAIN
    }

    private final boolean reusePort;
    private final String multicastGroup;
    private final String multicastInterface;
    private final int receiveBufferBytes;
    private final int maxDatagramBytes;
    private final int batchDatagrams;
    private final ReceiveMode receiveMode;

    private UdpOptions(Builder b) {
        super(b);
        this.reusePort = b.reusePort;
        this.multicastGroup = b.multicastGroup;
        this.multicastInterface = b.multicastInterface;
        this.receiveBufferBytes = b.receiveBufferBytes;
        this.maxDatagramBytes = b.maxDatagramBytes;
        this.batchDatagrams = b.batchDatagrams;
        this.receiveMode = b.receiveMode;
    }

    /** @param port UDP port; 0 binds an ephemeral port (tests) */
    public static Builder builder(int port) {
        return new Builder(port);
    }

    public Builder toBuilder() {
        return new Builder(port()).bindHost(bindHost()).reusePort(reusePort)
                .multicast(multicastGroup, multicastInterface).receiveBufferBytes(receiveBufferBytes)
                .maxDatagramBytes(maxDatagramBytes).batchDatagrams(batchDatagrams).receiveMode(receiveMode);
    }

    public boolean reusePort() { return reusePort; }
    /** Multicast group to join, or null. */
    public String multicastGroup() { return multicastGroup; }
    /**
     * Interface for the multicast join: a name, an address, or a comma-separated list of them
     * (each host joins on the first that it has, so one list of addresses serves several hosts);
     * null = the loopback interface.
     */
    public String multicastInterface() { return multicastInterface; }

    /**
     * A multicast group can be received on any host that joins it: with interfaces given as
     * addresses only (not loopback), on the hosts owning those addresses; otherwise anywhere.
     */
    @Override
    public Set<String> receivingHosts() {
        if (multicastGroup == null) {
            return super.receivingHosts();
        }
        Set<String> hosts = new LinkedHashSet<>();
        for (String entry : HostAddresses.list(multicastInterface)) {
            if (!HostAddresses.isLiteral(entry) || HostAddresses.isAnyHost(entry)) {
                return Set.of(); // an interface name (or loopback) exists on every host
            }
            hosts.add(entry);
        }
        return Set.copyOf(hosts);
    }
    public int receiveBufferBytes() { return receiveBufferBytes; }
    public int maxDatagramBytes() { return maxDatagramBytes; }
    public int batchDatagrams() { return batchDatagrams; }
    public ReceiveMode receiveMode() { return receiveMode; }

    @Override
    public String toString() {
        return "udp://" + bindHost() + ":" + port() + (reusePort ? " reusePort" : "")
                + (multicastGroup != null ? " group=" + multicastGroup + (multicastInterface != null ? "@" + multicastInterface : "") : "")
                + " rcvbuf=" + receiveBufferBytes + " maxDatagram=" + maxDatagramBytes + " batch=" + batchDatagrams
                + (receiveMode != ReceiveMode.AUTO ? " receive=" + receiveMode.name().toLowerCase(Locale.ROOT) : "");
    }

    public static final class Builder extends EndpointOptions.Builder<Builder> {
        private boolean reusePort;
        private String multicastGroup;
        private String multicastInterface;
        private int receiveBufferBytes = DEFAULT_RECEIVE_BUFFER_BYTES;
        private int maxDatagramBytes = DEFAULT_MAX_DATAGRAM_BYTES;
        private int batchDatagrams = DEFAULT_BATCH_DATAGRAMS;
        private ReceiveMode receiveMode = ReceiveMode.AUTO;

        private Builder(int port) {
            super(port);
        }

        @Override
        Builder self() {
            return this;
        }

        /** SO_REUSEPORT, so several subtasks (sockets) share the port; the kernel spreads senders over them. */
        public Builder reusePort(boolean reuse) {
            this.reusePort = reuse;
            return this;
        }

        /** Join {@code group} on {@code networkInterface} (see {@link UdpOptions#multicastInterface()}; null = loopback). */
        public Builder multicast(String group, String networkInterface) {
            this.multicastGroup = group;
            this.multicastInterface = networkInterface;
            return this;
        }

        /** SO_RCVBUF to request; the kernel caps it at net.core.rmem_max (read back after opening). */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBufferBytes = atLeast(bytes, 1, "receiveBufferBytes");
            return this;
        }

        /** Longer datagrams are dropped and counted (never handed on truncated). */
        public Builder maxDatagramBytes(int bytes) {
            this.maxDatagramBytes = inRange(bytes, 1, 65_535, "maxDatagramBytes");
            return this;
        }

        /** At most this many datagrams per receive call, so one busy socket cannot starve others. */
        public Builder batchDatagrams(int count) {
            this.batchDatagrams = atLeast(count, 1, "batchDatagrams");
            return this;
        }

        /** How to read the socket; default {@link ReceiveMode#AUTO}. */
        public Builder receiveMode(ReceiveMode mode) {
            this.receiveMode = Objects.requireNonNull(mode, "receiveMode");
            return this;
        }

        public UdpOptions build() {
            return new UdpOptions(this);
        }
    }
}
