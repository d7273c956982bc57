package org.rawstream.sinks.sink;

import org.rawstream.core.types.SingletonTypeInfo;

/** Type information for {@link RawMessage}: always {@link RawMessageSerializer}, never Kryo/POJO. */
public final class RawMessageTypeInfo {
    public static final SingletonTypeInfo<RawMessage> INSTANCE =
            new SingletonTypeInfo<>(RawMessage.class, RawMessageSerializer.INSTANCE);

    private RawMessageTypeInfo() {}
}
