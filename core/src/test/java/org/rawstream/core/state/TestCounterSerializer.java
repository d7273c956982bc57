package org.rawstream.core.state;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** A serializer whose layout changed: format 0 wrote an int, format 1 writes a long; format 2 a long + marker. */
final class TestCounterSerializer extends VersionedSerializer<Long> {
    private static final long serialVersionUID = 1L;
    static final TestCounterSerializer INSTANCE = new TestCounterSerializer();

    /** The format "this version" writes; tests set it to play an older or newer version. */
    static volatile int current = 1;

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
        } else {
            target.writeLong(record);
        }
        if (current >= 2) {
            target.writeByte(2);
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
