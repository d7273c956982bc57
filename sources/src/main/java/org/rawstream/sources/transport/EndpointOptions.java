package org.rawstream.sources.transport;

import static org.rawstream.core.config.ConfigChecks.inRange;

import java.io.Serializable;
import java.util.Objects;
import java.util.Set;

/** What every endpoint's options have: the address to bind. Listeners bind loopback unless told otherwise. */
public abstract class EndpointOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_BIND_HOST = "127.0.0.1";

    private final String bindHost;
    private final int port;

    EndpointOptions(Builder<?> b) {
        this.bindHost = b.bindHost;
        this.port = b.port;
    }

    public final String bindHost() {
        return bindHost;
    }

    /** 0 = an ephemeral port (tests). */
    public final int port() {
        return port;
    }

    /**
     * The hosts (addresses or names, as a TaskManager's {@code taskmanager.host} names them) on
     * which this endpoint can be received; empty = on any host. A wildcard or loopback address
     * exists on every host; any other bind address on the one host that owns it.
     */
    public Set<String> receivingHosts() {
        return HostAddresses.isAnyHost(bindHost) ? Set.of() : Set.of(bindHost);
    }

    /** The builder part shared by every endpoint kind. */
    public abstract static class Builder<B extends Builder<B>> {
        private String bindHost = DEFAULT_BIND_HOST;
        private final int port;

        Builder(int port) {
            this.port = inRange(port, 0, 65535, "port");
        }

        /** The local address to bind (default 127.0.0.1; "0.0.0.0" for all interfaces). */
        public final B bindHost(String host) {
            this.bindHost = Objects.requireNonNull(host, "host");
            return self();
        }

        abstract B self();
    }
}
