package org.rawstream.sources.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rawstream.core.state.VersionedSerializer;
import org.rawstream.sources.odin.source.OdinTypes;
import org.rawstream.sources.spead.source.SpeadPacketRecordSerializer;

/**
 * The sources' serializer snapshots as the first release stored them in savepoints (class name,
 * SimpleTypeSerializerSnapshot's version 3, no payload) resolve to format 0, compatible as is;
 * and a snapshot of today's format reads back as itself.
 */
class LegacySnapshotsTest {

    static Stream<VersionedSerializer<?>> serializers() {
        return Stream.of(OdinTypes.PacketSerializer.INSTANCE, OdinTypes.NamedValuesSerializer.INSTANCE,
                OdinTypes.IdentifierStateSerializer.INSTANCE, SpeadPacketRecordSerializer.INSTANCE);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    <T> void firstReleaseSnapshotIsFormatZeroAndCompatibleAsIs(VersionedSerializer<T> serializer) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        // TypeSerializerSnapshot.writeVersionedSnapshot of a SimpleTypeSerializerSnapshot subclass.
        out.writeUTF(serializer.snapshotConfiguration().getClass().getName());
        out.writeInt(3);

        TypeSerializerSnapshot<T> stored = read(out);
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(stored).isCompatibleAsIs()).isTrue();
        assertThat(stored.restoreSerializer()).isSameAs(serializer);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    <T> void todaysSnapshotRoundTrips(VersionedSerializer<T> serializer) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());

        TypeSerializerSnapshot<T> stored = read(out);
        assertThat(stored).isEqualTo(serializer.snapshotConfiguration());
        TypeSerializer<T> restore = stored.restoreSerializer();
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(stored).isCompatibleAsIs()).isTrue();
        assertThat(restore).isSameAs(serializer);
    }

    private static <T> TypeSerializerSnapshot<T> read(DataOutputSerializer out) throws IOException {
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()),
                LegacySnapshotsTest.class.getClassLoader());
    }
}
