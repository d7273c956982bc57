package org.rawstream.sinks.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class RawMessageSerializerTest {
    private static final RawMessageSerializer SERIALIZER = RawMessageSerializer.INSTANCE;

    private static List<RawMessage> samples() {
        byte[] big = new byte[1 << 20];
        new Random(42).nextBytes(big);
        return List.of(
                new RawMessage("gen", 0, new byte[0]),
                new RawMessage("spead-Ä€", 255, new byte[] {0, 1, 2, (byte) 0xff}),
                new RawMessage("s", 17, big));
    }

    private static byte[] serialize(RawMessage m) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(m, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void roundTripsEveryField() throws IOException {
        for (RawMessage m : samples()) {
            RawMessage back = SERIALIZER.deserialize(new DataInputDeserializer(serialize(m)));
            assertThat(back).isEqualTo(m);
            assertThat(back.source()).isEqualTo(m.source());
            assertThat(back.ioGroup()).isEqualTo(m.ioGroup());
            assertThat(back.bytes()).isEqualTo(m.bytes());
            assertThat(SERIALIZER.deserialize(SERIALIZER.createInstance(), new DataInputDeserializer(serialize(m))))
                    .isEqualTo(m);
        }
    }

    @Test
    void manyRecordsInOneStream() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (RawMessage m : samples()) {
            SERIALIZER.serialize(m, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (RawMessage m : samples()) {
            assertThat(SERIALIZER.deserialize(in)).isEqualTo(m);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void copiesRecordsAndSerializedForm() throws IOException {
        for (RawMessage m : samples()) {
            assertThat(SERIALIZER.copy(m)).isEqualTo(m);
            assertThat(SERIALIZER.copy(m, SERIALIZER.createInstance())).isEqualTo(m);
            DataOutputSerializer copied = new DataOutputSerializer(64);
            SERIALIZER.copy(new DataInputDeserializer(serialize(m)), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(serialize(m));
        }
        // Leased messages stop being readable (RawMessageTest): the type is not immutable.
        assertThat(SERIALIZER.isImmutableType()).isFalse();
        assertThat(SERIALIZER.duplicate()).isSameAs(SERIALIZER);
    }

    @Test
    void rejectsCorruptLength() {
        byte[] corrupt = {0, 1, 'a', 3, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> SERIALIZER.deserialize(new DataInputDeserializer(corrupt))).isInstanceOf(IOException.class);
    }

    @Test
    void snapshotRestoresACompatibleSerializer() throws IOException {
        TypeSerializerSnapshot<RawMessage> snapshot = SERIALIZER.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<RawMessage> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored).isInstanceOf(RawMessageSerializerSnapshot.class);
        TypeSerializer<RawMessage> restoredSerializer = restored.restoreSerializer();
        assertThat(restoredSerializer).isSameAs(SERIALIZER);
        TypeSerializerSchemaCompatibility<RawMessage> compatibility =
                SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @Test
    void typeInfoAlwaysGivesTheExplicitSerializer() throws Exception {
        RawMessageTypeInfo info = RawMessageTypeInfo.INSTANCE;
        SerializerConfigImpl noGenerics = new SerializerConfigImpl();
        noGenerics.setGenericTypes(false);
        assertThat(info.createSerializer(noGenerics)).isSameAs(SERIALIZER);
        assertThat(info.getTypeClass()).isEqualTo(RawMessage.class);
        assertThat(InstantiationUtil.clone(info)).isEqualTo(info);
        assertThat(InstantiationUtil.clone(SERIALIZER)).isEqualTo(SERIALIZER);
    }

    @Test
    void rawMessageValidatesIoGroup() {
        assertThatThrownBy(() -> new RawMessage("s", 256, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RawMessage("s", -1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
