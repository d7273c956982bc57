package org.rawstream.sources.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OdinReceiverTest {

    private static final int ID = 0x1234;

    private final RecordingOutput out = new RecordingOutput();

    private static OdinSchema schema(int identifier, int... sizes) {
        int[] indices = new int[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            indices[i] = 0x1000 + i;
        }
        return OdinSchema.of(identifier, 0xD0, indices, sizes);
    }

    private static byte[] data(int identifier, int sequence, int valuesLength) {
        byte[] values = new byte[valuesLength];
        values[0] = (byte) sequence;
        return OdinPacketWriter.data(identifier, 1000 + sequence, sequence, values);
    }

    private static void feed(OdinReceiver receiver, long now, byte[]... packets) {
        for (byte[] p : packets) {
            receiver.accept(ByteBuffer.wrap(p), now);
        }
    }

    @Test
    void changedSchemaReplacesTheOldOneAndIsCounted() {
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
        OdinSchema first = schema(ID, 4);
        OdinSchema second = schema(ID, 2, 2);
        OdinSchema third = schema(ID, 4, 1);
        feed(receiver, 0, OdinPacketWriter.identifier(first), data(ID, 0, 4), data(ID, 2, 4));
        assertThat(out.sequences(ID)).containsExactly(0);
        feed(receiver, 0, OdinPacketWriter.identifier(first));
        assertThat(receiver.statistics().schemasRepeated()).isEqualTo(1);
        // the replacement releases what waited under the old schema first
        feed(receiver, 0, OdinPacketWriter.identifier(second), data(ID, 3, 4));
        assertThat(out.sequences(ID)).containsExactly(0, 2, 3);
        assertThat(out.data.get(2).schema()).isEqualTo(second);
        assertThat(receiver.statistics().schemasReplaced()).isEqualTo(1);
        assertThat(receiver.statistics().schemasKnown()).isEqualTo(1);
        // old-length data is now rejected
        feed(receiver, 0, OdinPacketWriter.identifier(third), data(ID, 4, 4));
        assertThat(receiver.statistics().invalid(OdinInvalidReason.DATA_LENGTH_MISMATCH)).isEqualTo(1);
        assertThat(receiver.statistics().schemasReplaced()).isEqualTo(2);
        assertThat(receiver.schema(ID)).isEqualTo(third);
    }

    @Test
    void heldDataExpiresByTimeAndByCountPerIdentifier() {
        OdinReceiverConfig config = OdinReceiverConfig.builder().maxHeldPerIdentifier(3).heldTimeoutMillis(100).build();
        OdinReceiver receiver = new OdinReceiver(config, out);
        feed(receiver, 0, data(1, 0, 4), data(1, 1, 4));
        feed(receiver, 50, data(2, 0, 4), data(2, 1, 4), data(2, 2, 4), data(2, 3, 4));
        OdinStatistics stats = receiver.statistics();
        assertThat(stats.dataHeld()).isEqualTo(6);
        assertThat(stats.dataExpired(2)).as("overflow drops the oldest").isEqualTo(1);
        assertThat(receiver.nextDeadline()).isEqualTo(100);
        receiver.advanceTime(100);
        assertThat(stats.dataExpired(1)).isEqualTo(2);
        assertThat(stats.dataExpired(2)).isEqualTo(1);
        feed(receiver, 120, OdinPacketWriter.identifier(schema(2, 4)));
        assertThat(out.sequences(2)).containsExactly(1, 2, 3);
        assertThat(stats.dataResolved()).isEqualTo(3);
        receiver.advanceTime(1_000_000);
        assertThat(stats.dataExpired()).isEqualTo(3);
        assertThat(stats.expiredByIdentifier()).isEqualTo(Map.of(1, 2L, 2, 1L));
        // identifier 1 had nothing but expired data: forgotten
        feed(receiver, 2_000_000, data(1, 5, 4));
        receiver.flush();
        assertThat(stats.dataExpired(1)).isEqualTo(3);
    }

    @Test
    void heldDataIsBoundedInBytesAcrossIdentifiersAndRefusedPastTheBudget() {
        int packet = data(1, 0, 90).length;
        OdinReceiverConfig config = OdinReceiverConfig.builder().maxHeldBytes(5L * packet).heldTimeoutMillis(100).build();
        OdinReceiver receiver = new OdinReceiver(config, out);
        feed(receiver, 0, data(1, 0, 90), data(1, 1, 90), data(2, 0, 90), data(3, 0, 90), data(3, 1, 90));
        assertThat(receiver.heldBytes()).isEqualTo(5L * packet);
        feed(receiver, 10, data(4, 0, 90), data(1, 2, 90));
        OdinStatistics stats = receiver.statistics();
        assertThat(stats.dataHeld()).isEqualTo(5);
        assertThat(stats.dataRefused()).isEqualTo(2);
        assertThat(receiver.heldBytes()).isEqualTo(5L * packet);
        // The schema resolves what identifier 1 held, which frees its share of the budget.
        feed(receiver, 20, OdinPacketWriter.identifier(schema(1, 90)));
        assertThat(out.sequences(1)).containsExactly(0, 1);
        assertThat(receiver.heldBytes()).isEqualTo(3L * packet);
        feed(receiver, 30, data(4, 0, 90));
        assertThat(stats.dataHeld()).isEqualTo(6);
        receiver.advanceTime(1_000);
        assertThat(receiver.heldBytes()).isZero();
        assertThat(stats.dataExpired()).isEqualTo(4);
    }

    @Test
    void expiriesAreCountedPerIdentifierForAtMostTheFirst256Identifiers() {
        OdinReceiverConfig config = OdinReceiverConfig.builder().maxPendingIdentifiers(1000).heldTimeoutMillis(10).build();
        OdinReceiver receiver = new OdinReceiver(config, out);
        List<Integer> named = new java.util.ArrayList<>();
        receiver.statistics().onFirstExpiry(named::add);
        for (int id = 0; id < 300; id++) {
            feed(receiver, 0, data(id, 0, 4), data(id, 1, 4));
        }
        receiver.advanceTime(100);
        OdinStatistics stats = receiver.statistics();
        assertThat(stats.dataExpired()).isEqualTo(600);
        assertThat(named).hasSize(OdinStatistics.MAX_EXPIRY_IDENTIFIERS);
        assertThat(stats.expiredByIdentifier()).hasSize(OdinStatistics.MAX_EXPIRY_IDENTIFIERS);
        assertThat(stats.dataExpiredOtherIdentifiers()).isEqualTo(2L * (300 - OdinStatistics.MAX_EXPIRY_IDENTIFIERS));
        assertThat(stats.dataExpired(named.get(0))).isEqualTo(2);
    }

    @Test
    void heldDataOfTheWrongLengthIsRejectedWhenTheSchemaArrives() {
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
        feed(receiver, 0, data(ID, 0, 4), data(ID, 1, 6), data(ID, 2, 4), OdinPacketWriter.identifier(schema(ID, 4)));
        assertThat(out.sequences(ID)).containsExactly(0, 2);
        assertThat(receiver.statistics().invalid(OdinInvalidReason.DATA_LENGTH_MISMATCH)).isEqualTo(1);
        assertThat(receiver.statistics().lost()).isZero();
        assertThat(out.raw).hasSize(3);
    }

    @Test
    void atMostTheConfiguredNumberOfSchemas() {
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.builder().maxSchemas(2).build(), out);
        feed(receiver, 0, OdinPacketWriter.identifier(schema(1, 4)), OdinPacketWriter.identifier(schema(2, 4)),
                OdinPacketWriter.identifier(schema(3, 4)));
        assertThat(receiver.statistics().schemasKnown()).isEqualTo(2);
        assertThat(receiver.statistics().invalid(OdinInvalidReason.SCHEMA_LIMIT)).isEqualTo(1);
        assertThat(receiver.schema(3)).isNull();
        // replacing a known schema is still allowed
        feed(receiver, 0, OdinPacketWriter.identifier(schema(2, 8)));
        assertThat(receiver.statistics().schemasReplaced()).isEqualTo(1);
        assertThat(OdinReceiverConfig.defaults().maxSchemas()).isEqualTo(256);
    }

    @Test
    void atMostTheConfiguredNumberOfPendingIdentifiers() {
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.builder().maxPendingIdentifiers(2).build(), out);
        feed(receiver, 0, data(1, 0, 4), data(2, 0, 4), data(3, 0, 4), data(1, 1, 4));
        assertThat(receiver.statistics().invalid(OdinInvalidReason.PENDING_LIMIT)).isEqualTo(1);
        assertThat(receiver.statistics().dataHeld()).isEqualTo(3);
        feed(receiver, 0, OdinPacketWriter.identifier(schema(1, 4)), data(3, 1, 4));
        assertThat(receiver.statistics().dataHeld()).isEqualTo(4);
        // a schema for a new identifier is not pending, so it is taken even now
        feed(receiver, 0, data(4, 0, 4), OdinPacketWriter.identifier(schema(4, 4)));
        assertThat(receiver.statistics().invalid(OdinInvalidReason.PENDING_LIMIT)).isEqualTo(2);
        assertThat(receiver.schema(4)).isNotNull();
    }

    @Test
    void extendedIdentifierAloneDefinesANamedSchemaAndAPlainRepeatKeepsTheNames() {
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
        OdinSchema named = OdinCodecTest.namedVectorSchema();
        for (byte[] chunk : OdinPacketWriter.extendedIdentifier(named, 40)) {
            feed(receiver, 0, chunk);
        }
        assertThat(receiver.schema(named.identifier())).isEqualTo(named);
        OdinSchema plain = OdinSchema.of(named.identifier(), named.definition(),
                new int[] {0x10010001, 0x10010002, 0x10020001, 0x10030001}, new int[] {4, 4, 2, 4});
        feed(receiver, 0, OdinPacketWriter.identifier(plain));
        assertThat(receiver.schema(named.identifier())).isEqualTo(named);
        assertThat(receiver.statistics().schemasRepeated()).isEqualTo(1);
        feed(receiver, 0, OdinTestVectors.packets().get(19).bytes);
        assertThat(out.data.get(0).namedValues()).containsEntry("status.flags", 65535L);
        // a different plain layout replaces it, names and all
        feed(receiver, 0, OdinPacketWriter.identifier(schema(named.identifier(), 4)));
        assertThat(receiver.schema(named.identifier()).isNamed()).isFalse();
        assertThat(receiver.statistics().schemasReplaced()).isEqualTo(1);
        assertThat(receiver.statistics().extendedCompleted()).isEqualTo(1);
    }

    @Test
    void contradictingChunkRestartsTheAssembly() {
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
        OdinSchema named = OdinCodecTest.namedVectorSchema();
        OdinSchema renamed = OdinSchema.named(named.identifier(), named.definition(),
                new int[] {0x10010001, 0x10010002, 0x10020001, 0x10030001}, new int[] {4, 4, 2, 4},
                new String[] {"t", "p", "f", "c"},
                new OdinElementType[] {OdinElementType.F32, OdinElementType.F32, OdinElementType.U16, OdinElementType.U32},
                new int[4]);
        feed(receiver, 0, OdinPacketWriter.extendedIdentifierChunk(named, 0, 2),
                OdinPacketWriter.extendedIdentifierChunk(renamed, 0, 2),
                OdinPacketWriter.extendedIdentifierChunk(renamed, 2, 2));
        assertThat(receiver.statistics().extendedRestarted()).isEqualTo(1);
        assertThat(receiver.schema(named.identifier())).isEqualTo(renamed);
        // a later complete extended identifier with other names on the same layout renames
        feed(receiver, 0, OdinPacketWriter.extendedIdentifierChunk(named, 2, 2),
                OdinPacketWriter.extendedIdentifierChunk(named, 0, 2));
        assertThat(receiver.schema(named.identifier())).isEqualTo(named);
        assertThat(receiver.statistics().schemasReplaced()).isZero();
    }

    @Test
    void duplicateIndexAcrossChunksRejectsTheSchema() {
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
        OdinSchema twice = OdinSchema.named(9, 1, new int[] {5, 5}, new int[] {1, 1}, new String[] {"a", "b"},
                new OdinElementType[] {OdinElementType.U8, OdinElementType.U8}, new int[2]);
        feed(receiver, 0, OdinPacketWriter.extendedIdentifierChunk(twice, 0, 1), OdinPacketWriter.extendedIdentifierChunk(twice, 1, 1));
        assertThat(receiver.statistics().invalid(OdinInvalidReason.DUPLICATE_INDEX)).isEqualTo(1);
        assertThat(receiver.schema(9)).isNull();
    }

    @Test
    void customValuesDecodeThroughTheirTypeDescriptor() {
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
        OdinTypeDescriptor vec = new OdinTypeDescriptor(3, 4, "vec", List.of(
                new OdinTypeDescriptor.Field(OdinElementType.I16, 2, 0, "x"),
                new OdinTypeDescriptor.Field(OdinElementType.I16, 2, 2, "y")));
        OdinSchema named = OdinSchema.named(ID, 7, new int[] {1, 2}, new int[] {4, 8}, new String[] {"pos", "path"},
                new OdinElementType[] {OdinElementType.CUSTOM, OdinElementType.CUSTOM}, new int[] {3, 3});
        feed(receiver, 0, OdinPacketWriter.typeDescriptors(ID, List.of(vec)));
        for (byte[] chunk : OdinPacketWriter.extendedIdentifier(named, 1500)) {
            feed(receiver, 0, chunk);
        }
        ByteBuffer values = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        values.putShort((short) 1).putShort((short) -2).putShort((short) 3).putShort((short) 4).putShort((short) 5).putShort((short) 6);
        feed(receiver, 0, OdinPacketWriter.data(ID, 0, 0, values.array()));
        Map<String, Object> named0 = out.data.get(0).namedValues();
        assertThat(named0.get("pos")).isEqualTo(Map.of("x", 1L, "y", -2L));
        assertThat(named0.get("path")).isEqualTo(List.of(Map.of("x", 3L, "y", 4L), Map.of("x", 5L, "y", 6L)));
        assertThat(receiver.statistics().typeDescriptors()).isEqualTo(1);
        // too many types for one identifier
        OdinReceiver limited = new OdinReceiver(OdinReceiverConfig.builder().maxTypesPerIdentifier(1).build(), out);
        OdinTypeDescriptor other = new OdinTypeDescriptor(4, 1, "o", List.of(new OdinTypeDescriptor.Field(OdinElementType.U8, 1, 0, "v")));
        feed(limited, 0, OdinPacketWriter.typeDescriptors(ID, List.of(vec, other)));
        assertThat(limited.statistics().invalid(OdinInvalidReason.TOO_MANY_ENTRIES)).isEqualTo(1);
    }

    @Test
    void untypedValuesReadAsHex() {
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
        feed(receiver, 0, OdinPacketWriter.identifier(schema(ID, 2)), OdinPacketWriter.data(ID, 0, 0, new byte[] {(byte) 0xAB, 1}));
        OdinDataValues values = out.data.get(0);
        assertThat(values.value(0)).isEqualTo("ab01");
        assertThat(values.rawValue(0)).containsExactly(0xAB, 1);
        assertThat(values.namedValues()).containsEntry("0x1000", "ab01");
        assertThat(values.toString()).contains("0x1000");
    }

    @Test
    void stateRoundTripMidStreamGivesTheSameResultAsUninterrupted() {
        OdinSchema named = OdinCodecTest.namedVectorSchema();
        List<byte[]> chunks = OdinPacketWriter.extendedIdentifier(named, 40);
        byte[][] first = {data(named.identifier(), 7, 14), chunks.get(0), chunks.get(1),
            OdinPacketWriter.typeDescriptors(named.identifier(), List.of(new OdinTypeDescriptor(1, 1, "b",
                    List.of(new OdinTypeDescriptor.Field(OdinElementType.U8, 1, 0, "v")))))};
        byte[][] second = {chunks.get(2), chunks.get(3), data(named.identifier(), 9, 14), data(named.identifier(), 8, 14),
            data(named.identifier(), 11, 14)};

        OdinReceiverConfig config = OdinReceiverConfig.defaults();
        OdinStatistics stats = new OdinStatistics();
        RecordingOutput uninterrupted = new RecordingOutput();
        OdinReceiverContext context = new OdinReceiverContext(config, stats);
        OdinIdentifierState state = new OdinIdentifierState(named.identifier());
        for (byte[] p : first) {
            state.accept(ByteBuffer.wrap(p), 0, context, uninterrupted);
        }
        OdinIdentifierState copy = roundTrip(state);
        for (byte[] p : second) {
            state.accept(ByteBuffer.wrap(p), 0, context, uninterrupted);
        }
        state.flush(context, uninterrupted);

        RecordingOutput restored = new RecordingOutput();
        OdinReceiverContext context2 = new OdinReceiverContext(config, new OdinStatistics());
        copy = roundTrip(copy);
        for (byte[] p : second) {
            copy.accept(ByteBuffer.wrap(p), 0, context2, restored);
        }
        copy.flush(context2, restored);

        assertThat(restored.sequences(named.identifier())).containsExactly(7, 8, 9, 11)
                .isEqualTo(uninterrupted.sequences(named.identifier()));
        assertThat(copy.schema()).isEqualTo(state.schema()).isEqualTo(named);
        assertThat(copy.types()).isEqualTo(state.types());
        assertThat(restored.data.get(1).namedValues()).isEqualTo(uninterrupted.data.get(1).namedValues());
        // the state after the run round-trips too (tracker history, no held data)
        OdinIdentifierState after = roundTrip(state);
        after.accept(ByteBuffer.wrap(data(named.identifier(), 9, 14)), 0, context, uninterrupted);
        assertThat(stats.duplicates()).isEqualTo(1);
    }

    private static OdinIdentifierState roundTrip(OdinIdentifierState state) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            state.writeTo(new DataOutputStream(bytes));
            return OdinIdentifierState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
