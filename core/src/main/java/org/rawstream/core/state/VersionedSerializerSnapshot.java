package org.rawstream.core.state;

import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot of a {@link VersionedSerializer}: records the format of the stored data and resolves
 * compatibility on restore (compatible as is, after migration, or incompatible with one clear
 * ERROR line; contract: {@link org.rawstream.core.state package documentation}).
 *
 * <p>Subclasses are public with a public no-arg constructor that passes the serializer's
 * singleton (Flink instantiates them by class name). A subclass may keep the name of a former
 * {@code SimpleTypeSerializerSnapshot} subclass: Flink stored those as snapshot version 3 with no
 * payload (version 2 with a class name), which this class reads as format 0.
 */
public abstract class VersionedSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {
    private static final Logger LOG = LoggerFactory.getLogger(VersionedSerializerSnapshot.class);

    /** Version 4 follows {@code SimpleTypeSerializerSnapshot}'s 3: one int, the format. */
    private static final int SNAPSHOT_VERSION = 4;
    private static final int SIMPLE_SNAPSHOT_VERSION = 3;
    private static final int SIMPLE_SNAPSHOT_VERSION_WITH_CLASS_NAME = 2;

    private final Supplier<? extends VersionedSerializer<T>> serializer;
    private int format;

    protected VersionedSerializerSnapshot(Supplier<? extends VersionedSerializer<T>> serializer) {
        this.serializer = Objects.requireNonNull(serializer);
        this.format = serializer.get().currentFormat();
    }

    /** The format of the data this snapshot describes. */
    public final int format() {
        return format;
    }

    final void setFormat(int format) {
        this.format = format;
    }

    @Override
    public final int getCurrentVersion() {
        return SNAPSHOT_VERSION;
    }

    @Override
    public final void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(format);
    }

    @Override
    public final void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
            throws IOException {
        switch (readVersion) {
            case SIMPLE_SNAPSHOT_VERSION_WITH_CLASS_NAME -> {
                in.readUTF();
                format = 0;
            }
            case SIMPLE_SNAPSHOT_VERSION -> format = 0;
            case SNAPSHOT_VERSION -> format = in.readInt();
            default -> throw new IOException("cannot restore " + serializer.get().stateName()
                    + ": its serializer snapshot has version " + readVersion + ", written by a newer RawStream"
                    + " version (this one reads up to " + SNAPSHOT_VERSION + "); see " + StateFormats.DOCS);
        }
    }

    @Override
    public final TypeSerializer<T> restoreSerializer() {
        VersionedSerializer<T> current = serializer.get();
        return format == current.currentFormat() ? current : new FormatReader<>(current, format);
    }

    @Override
    public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
        VersionedSerializer<T> current = serializer.get();
        if (old == null || old.getClass() != getClass()) {
            LOG.error("cannot restore {}: the checkpoint/savepoint describes it with {}, this version with {}; see {}",
                    current.stateName(), old == null ? "nothing" : old.getClass().getName(), getClass().getName(),
                    StateFormats.DOCS);
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int stored = ((VersionedSerializerSnapshot<T>) old).format;
        if (stored == current.currentFormat()) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        if (current.reads(stored)) {
            LOG.info("{}: migrating from format {} to format {}", current.stateName(), stored, current.currentFormat());
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        LOG.error(StateFormats.cannotRead(current.stateName(), stored, current.oldestReadableFormat(), current.currentFormat()));
        return TypeSerializerSchemaCompatibility.incompatible();
    }

    @Override
    public boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass() && ((VersionedSerializerSnapshot<?>) obj).format == format;
    }

    @Override
    public int hashCode() {
        return 31 * getClass().hashCode() + format;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + serializer.get().stateName() + ", format " + format + ")";
    }
}
