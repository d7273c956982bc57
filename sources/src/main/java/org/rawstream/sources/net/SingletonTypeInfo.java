package org.rawstream.sources.net;

import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Old name of {@link org.rawstream.core.types.SingletonTypeInfo}, kept only while the SPEAD
 * classes that are being reworked still import it; new code uses the core class, and this alias
 * goes once those imports move.
 */
public final class SingletonTypeInfo<T> extends org.rawstream.core.types.SingletonTypeInfo<T> {
    private static final long serialVersionUID = 1L;

    public SingletonTypeInfo(Class<T> type, TypeSerializer<T> serializer) {
        super(type, serializer);
    }
}
