package org.rawstream.core.state;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A state serializer whose layout changes between "releases": format 0 wrote an int, format 1
 * writes a long, format 2 (a future release) a long and a marker byte. Tests set {@link #current}
 * to play each release; this one reads formats 0 and 1. Also used by the job's restore ITCase.
 */
public final class TestCounterSerializer extends VersionedSerializer<Long> {
    private static final long serialVersionUID = 1L;
    public static final TestCounterSerializer INSTANCE = new TestCounterSerializer();

    /** The format the release being played writes. */
    public static volatile int current = 1;

    @Override
    public String stateName() {
        return "test counter state";
    }

    @Override
    public int currentFormat() {
        return current;
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
        if (current == 0) {
            target.writeInt(record.intValue());
            return;
        }
        target.writeLong(record);
        if (current >= 2) {
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
        return new TestCounterSnapshot();
    }

    /** Its snapshot. */
    public static final class TestCounterSnapshot extends VersionedSerializerSnapshot<Long> {
        public TestCounterSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
