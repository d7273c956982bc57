package org.rawstream.sources.net;

import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

/**
 * What every protocol source holds (the live {@link NetworkSource} and the capture replay): its
 * settings, the protocol that turns bytes into records and the records' type information. Built by
 * a {@link ProtocolSourceBuilder}.
 *
 * @param <T> the records the protocol produces
 * @param <C> the source's settings
 */
public abstract class ProtocolSource<T, C extends Serializable> implements ResultTypeQueryable<T>, Serializable {
    private static final long serialVersionUID = 1L;

    private final C config;
    private final NetworkProtocol<T> protocol;
    private final TypeInformation<T> typeInfo;

    protected ProtocolSource(C config, NetworkProtocol<T> protocol, TypeInformation<T> typeInfo) {
        this.config = config;
        this.protocol = protocol;
        this.typeInfo = typeInfo;
    }

    public final C config() {
        return config;
    }

    public final NetworkProtocol<T> protocol() {
        return protocol;
    }

    @Override
    public final TypeInformation<T> getProducedType() {
        return typeInfo;
    }
}
