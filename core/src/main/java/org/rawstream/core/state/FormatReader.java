package org.rawstream.core.state;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The restore serializer of state stored in a format other than the current one: it reads that
 * format (Flink then rewrites the values with the current serializer) and never writes it. For a
 * format this version cannot read, every read fails with {@link StateFormats#cannotRead}, and
 * {@link #toString()} is that message (Flink quotes it when it refuses the restore).
 */
final class FormatReader<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    private final VersionedSerializer<T> current;
    private final int format;

    FormatReader(VersionedSerializer<T> current, int format) {
        this.current = Objects.requireNonNull(current);
        this.format = format;
    }

    private void checkReadable() throws IOException {
        if (!current.reads(format)) {
            throw new IOException(toString());
        }
    }

    @Override
    public T deserialize(DataInputView source) throws IOException {
        checkReadable();
        return current.deserialize(format, source);
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void serialize(T record, DataOutputView target) {
        throw new UnsupportedOperationException(current.stateName() + " format " + format
                + " is only read (to migrate it to format " + current.currentFormat() + "), never written");
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) {
        serialize(null, target);
    }

    @Override
    public boolean isImmutableType() {
        return current.isImmutableType();
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public T createInstance() {
        return current.createInstance();
    }

    @Override
    public T copy(T from) {
        return current.copy(from);
    }

    @Override
    public T copy(T from, T reuse) {
        return current.copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        VersionedSerializerSnapshot<T> snapshot = current.snapshotConfiguration();
        snapshot.setFormat(format);
        return snapshot;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FormatReader<?> other && other.current.equals(current) && other.format == format;
    }

    @Override
    public int hashCode() {
        return 31 * current.hashCode() + format;
    }

    @Override
    public String toString() {
        if (current.reads(format)) {
            return current.stateName() + " reader of format " + format + " (migrates to format "
                    + current.currentFormat() + ")";
        }
        return StateFormats.cannotRead(current.stateName(), format, current.oldestReadableFormat(), current.currentFormat());
    }
}
