package org.rawstream.sinks.sink;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information for {@link RawMessage}: always {@link RawMessageSerializer}, never Kryo/POJO. */
public final class RawMessageTypeInfo extends TypeInformation<RawMessage> {
    private static final long serialVersionUID = 1L;

    public static final RawMessageTypeInfo INSTANCE = new RawMessageTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<RawMessage> getTypeClass() {
        return RawMessage.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<RawMessage> createSerializer(SerializerConfig config) {
        return RawMessageSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "RawMessage";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof RawMessageTypeInfo;
    }

    @Override
    public int hashCode() {
        return RawMessageTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof RawMessageTypeInfo;
    }
}
