package org.rawstream.job.source;

import java.util.ArrayList;
import java.util.List;
import org.rawstream.job.config.Setting;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.sources.transport.EndpointOptions;

/**
 * A source kind listening on UDP or TCP: type {@code <protocol>-udp} or {@code <protocol>-tcp},
 * the shared endpoint settings ({@link NetworkKindOptions}) followed by the protocol's own, and
 * endpoints derived from them. A subclass adds its protocol's settings, checks and the stream.
 */
public abstract class NetworkSourceKind implements SourceKind {
    private final String protocol;
    private final boolean tcp;
    private final int defaultPort;

    /**
     * @param protocol the {@code protocol} written to /meta, and the type's prefix
     * @param tcp TCP (else UDP)
     * @param defaultPort the {@code port} when the source sets none
     */
    protected NetworkSourceKind(String protocol, boolean tcp, int defaultPort) {
        this.protocol = protocol;
        this.tcp = tcp;
        this.defaultPort = defaultPort;
    }

    /** Whether this kind listens on TCP (else UDP). */
    protected final boolean isTcp() {
        return tcp;
    }

    @Override
    public final String type() {
        return protocol + (tcp ? "-tcp" : "-udp");
    }

    @Override
    public final String defaultProtocol() {
        return protocol;
    }

    @Override
    public final List<Setting<?>> settings() {
        List<Setting<?>> settings = new ArrayList<>(NetworkKindOptions.settings(defaultPort, tcp));
        settings.addAll(protocolSettings());
        return settings;
    }

    /** The protocol's own settings, listed after the endpoint settings. */
    protected abstract List<Setting<?>> protocolSettings();

    @Override
    public List<EndpointOptions> endpoints(SourceConfig source) {
        return NetworkKindOptions.endpoints(source, tcp);
    }

    /** Checks the endpoints, then the protocol's settings ({@link #validateProtocol}). */
    @Override
    public final void validate(SourceConfig source) {
        endpoints(source);
        validateProtocol(source);
    }

    /** Checks the protocol's own settings together (one clear line for a bad combination). */
    protected abstract void validateProtocol(SourceConfig source);
}
