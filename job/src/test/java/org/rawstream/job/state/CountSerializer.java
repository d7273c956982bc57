package org.rawstream.job.state;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.rawstream.core.state.VersionedSerializer;
import org.rawstream.core.state.VersionedSerializerSnapshot;

/**
 * A keyed-state serializer whose layout changes between "releases": format 0 wrote an int,
 * format 1 writes a long, format 2 (a future release) a long and a marker byte. The test sets
 * {@link #writing} to play each release; this one reads formats 0 and 1.
 */
final class CountSerializer extends VersionedSerializer<Long> {
    private static final long serialVersionUID = 1L;
    static final CountSerializer INSTANCE = new CountSerializer();

    /** The format the release being played writes. */
    static volatile int writing = 1;

    @Override
    public String stateName() {
        return "count test state";
    }

    @Override
    public int currentFormat() {
        return writing;
    }

    @Override
    public int oldestReadableFormat() {
        return 0;
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public Long createInstance() {
        return 0L;
    }

    @Override
    public Long copy(Long from) {
        return from;
    }

    @Override
    public void serialize(Long record, DataOutputView target) throws IOException {
        if (writing == 0) {
            target.writeInt(record.intValue());
            return;
        }
        target.writeLong(record);
        if (writing >= 2) {
            target.writeByte(0x5a);
        }
    }

    @Override
    public Long deserialize(int format, DataInputView source) throws IOException {
        if (format == 0) {
            return (long) source.readInt();
        }
        long value = source.readLong();
        if (format >= 2) {
            source.readByte();
        }
        return value;
    }

    @Override
    public VersionedSerializerSnapshot<Long> snapshotConfiguration() {
        return new CountSnapshot();
    }

    /** Its snapshot. */
    public static final class CountSnapshot extends VersionedSerializerSnapshot<Long> {
        public CountSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
