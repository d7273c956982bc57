package org.rawstream.sources.net;

import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What every builder of a protocol source shares (the live {@link NetworkSource} and the capture
 * replay): the protocol, the type information of its records and the source's name.
 *
 * @param <T> the records the protocol produces
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ProtocolSourceBuilder<T, B extends ProtocolSourceBuilder<T, B>> {
    private String name;
    private NetworkProtocol<T> protocol;
    private TypeInformation<T> typeInfo;

    protected ProtocolSourceBuilder() {
    }

    /** This builder, as its concrete type. */
    protected abstract B self();

    /** Metric group ({@code rawstream.<name>}) and log name; defaults to the protocol's name. */
    public B name(String sourceName) {
        this.name = Objects.requireNonNull(sourceName, "name");
        return self();
    }

    public B protocol(NetworkProtocol<T> networkProtocol) {
        this.protocol = Objects.requireNonNull(networkProtocol, "protocol");
        return self();
    }

    public B typeInfo(TypeInformation<T> producedType) {
        this.typeInfo = Objects.requireNonNull(producedType, "typeInfo");
        return self();
    }

    /** The protocol; fails when protocol or type information is missing (call first in build()). */
    protected final NetworkProtocol<T> requiredProtocol() {
        if (protocol == null || typeInfo == null) {
            throw new IllegalStateException("protocol and typeInfo are required");
        }
        return protocol;
    }

    /** The type information (after {@link #requiredProtocol()}). */
    protected final TypeInformation<T> requiredTypeInfo() {
        requiredProtocol();
        return typeInfo;
    }

    /** The name set, else the protocol's. */
    protected final String sourceName() {
        return name != null ? name : requiredProtocol().name();
    }
}
