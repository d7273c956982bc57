package org.rawstream.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VersionedSerializerSnapshotTest {

    @AfterEach
    void restoreCurrentFormat() {
        TestCounterSerializer.current = 1;
    }

    /** Writes the snapshot as "version" {@code format} would, and reads it back as Flink does on restore. */
    private static TypeSerializerSnapshot<Long> storedBy(int format) throws IOException {
        TestCounterSerializer.current = format;
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, TestCounterSerializer.INSTANCE.snapshotConfiguration());
        TestCounterSerializer.current = 1;
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), VersionedSerializerSnapshotTest.class.getClassLoader());
    }

    private static TypeSerializerSchemaCompatibility<Long> resolve(TypeSerializerSnapshot<Long> stored) {
        return TestCounterSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(stored);
    }

    private static byte[] write(TypeSerializer<Long> serializer, long value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void sameFormatIsCompatibleAsIs() throws IOException {
        TypeSerializerSnapshot<Long> stored = storedBy(1);
        assertThat(resolve(stored).isCompatibleAsIs()).isTrue();
        assertThat(stored.restoreSerializer()).isSameAs(TestCounterSerializer.INSTANCE);
    }

    @Test
    void olderReadableFormatMigratesThroughAReaderOfThatFormat() throws IOException {
        TestCounterSerializer.current = 0;
        byte[] oldValue = write(TestCounterSerializer.INSTANCE, 42);
        TypeSerializerSnapshot<Long> stored = storedBy(0);

        assertThat(resolve(stored).isCompatibleAfterMigration()).isTrue();
        TypeSerializer<Long> reader = stored.restoreSerializer();
        assertThat(reader.deserialize(new DataInputDeserializer(oldValue))).isEqualTo(42L);
        assertThat(reader.toString()).contains("format 0").contains("format 1");
        assertThatThrownBy(() -> reader.serialize(1L, new DataOutputSerializer(8)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(reader.snapshotConfiguration()).isInstanceOf(TestCounterSerializer.TestCounterSnapshot.class);
        assertThat(((VersionedSerializerSnapshot<Long>) reader.snapshotConfiguration()).format()).isZero();
    }

    @Test
    void newerFormatIsIncompatibleAndTheRestoreSerializerSaysWhy() throws IOException {
        TypeSerializerSnapshot<Long> stored = storedBy(2);

        assertThat(resolve(stored).isIncompatible()).isTrue();
        TypeSerializer<Long> reader = stored.restoreSerializer();
        String expected = "cannot restore test counter state: the checkpoint/savepoint holds format 2 and it was"
                + " written by a newer RawStream version (this version reads formats 0..1)";
        assertThat(reader.toString()).startsWith(expected);
        assertThatThrownBy(() -> reader.deserialize(new DataInputDeserializer(new byte[9])))
                .isInstanceOf(IOException.class).hasMessageStartingWith(expected);
    }

    @Test
    void simpleTypeSerializerSnapshotsOfTodayAreFormatZero() throws IOException {
        // What SimpleTypeSerializerSnapshot wrote: version 3, no payload; version 2 a class name.
        TestCounterSerializer.TestCounterSnapshot v3 = new TestCounterSerializer.TestCounterSnapshot();
        v3.readSnapshot(3, new DataInputDeserializer(new byte[0]), getClass().getClassLoader());
        assertThat(v3.format()).isZero();
        assertThat(resolve(v3).isCompatibleAfterMigration()).isTrue();

        DataOutputSerializer name = new DataOutputSerializer(64);
        name.writeUTF(TestCounterSerializer.class.getName());
        TestCounterSerializer.TestCounterSnapshot v2 = new TestCounterSerializer.TestCounterSnapshot();
        v2.readSnapshot(2, new DataInputDeserializer(name.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(v2.format()).isZero();

        assertThat(new TestCounterSerializer.TestCounterSnapshot().getCurrentVersion())
                .isGreaterThan(new SimpleTypeSerializerSnapshot<Long>(() -> LongSerializer.INSTANCE) {}.getCurrentVersion());
    }

    @Test
    void aSnapshotVersionFromTheFutureFailsWithTheStateName() {
        TestCounterSerializer.TestCounterSnapshot snapshot = new TestCounterSerializer.TestCounterSnapshot();
        assertThatThrownBy(() -> snapshot.readSnapshot(9, new DataInputDeserializer(new byte[4]), getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot restore test counter state")
                .hasMessageContaining("version 9");
    }

    @Test
    void anotherSnapshotClassIsIncompatible() {
        TypeSerializerSnapshot<Long> other = LongSerializer.INSTANCE.snapshotConfiguration();
        assertThat(resolve(other).isIncompatible()).isTrue();
    }

    /** A SimpleVersionedSerializer that added a field in version 2 and still reads version 1. */
    private static final class Pair extends VersionedBytesSerializer<long[]> {
        Pair() {
            super("test split", 2, 1);
        }

        @Override
        protected void write(long[] value, DataOutputStream out) throws IOException {
            out.writeLong(value[0]);
            out.writeLong(value[1]);
        }

        @Override
        protected long[] read(int version, DataInputStream in) throws IOException {
            return new long[] {in.readLong(), version >= 2 ? in.readLong() : -1};
        }
    }

    @Test
    void bytesSerializerReadsItsVersionsAndRefusesOthersAndLeftovers() throws IOException {
        Pair pair = new Pair();
        assertThat(pair.deserialize(2, pair.serialize(new long[] {1, 2}))).containsExactly(1, 2);
        assertThat(pair.deserialize(1, new byte[8])).containsExactly(0, -1);
        assertThatThrownBy(() -> pair.deserialize(3, new byte[16]))
                .hasMessageStartingWith("cannot restore test split: the checkpoint/savepoint holds format 3 and it was"
                        + " written by a newer RawStream version (this version reads formats 1..2)");
        assertThatThrownBy(() -> pair.deserialize(0, new byte[16])).hasMessageContaining("no longer reads it");
        assertThatThrownBy(() -> pair.deserialize(1, new byte[16])).hasMessageContaining("8 bytes after the value");
    }
}
