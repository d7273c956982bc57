package org.rawstream.sources.spead.source;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of the SPEAD serializers: the value classes write and read themselves (plain Java
 * {@code writeTo(DataOutput)} / {@code readFrom(DataInput)}); this adds Flink's boilerplate.
 */
public abstract class DataCodecSerializer<T> extends TypeSerializerSingleton<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }
}
