package org.rawstream.core.state;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of RawStream's stateless {@link TypeSerializer}s whose layout may change between versions
 * (contract: {@link org.rawstream.core.state package documentation}). A subclass writes its
 * {@link #currentFormat() current format} and reads every format from
 * {@link #oldestReadableFormat()} on; the format of stored data travels in the serializer snapshot
 * ({@link VersionedSerializerSnapshot}), which resolves compatibility on restore.
 *
 * <p>Subclasses are singletons without configuration: {@link #duplicate()} returns {@code this}
 * and two instances of one class are equal.
 */
public abstract class VersionedSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    /** What the state is, for messages: "ODIN identifier state", "RawMessage record". */
    public abstract String stateName();

    /** The format this version writes: 0 for the layout written before formats existed. */
    public abstract int currentFormat();

    /** The oldest format {@link #deserialize(int, DataInputView)} still reads. */
    public int oldestReadableFormat() {
        return currentFormat();
    }

    /** Writes {@code record} in {@link #currentFormat()}. */
    @Override
    public abstract void serialize(T record, DataOutputView target) throws IOException;

    /**
     * Reads one value written in {@code format}, which is within
     * [{@link #oldestReadableFormat()}, {@link #currentFormat()}] (the framework checks before).
     */
    public abstract T deserialize(int format, DataInputView source) throws IOException;

    @Override
    public T deserialize(DataInputView source) throws IOException {
        return deserialize(currentFormat(), source);
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        return this;
    }

    /** The snapshot class of this serializer: a subclass kept under one name forever. */
    @Override
    public abstract VersionedSerializerSnapshot<T> snapshotConfiguration();

    /** True when {@code format} is one this version reads. */
    public final boolean reads(int format) {
        return format >= oldestReadableFormat() && format <= currentFormat();
    }

    @Override
    public boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public String toString() {
        return stateName() + " serializer (format " + currentFormat() + ")";
    }
}
