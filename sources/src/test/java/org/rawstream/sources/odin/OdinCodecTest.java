package org.rawstream.sources.odin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OdinCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void crcIsCcittFalse() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(OdinCrc16.compute(check, 0, check.length)).isEqualTo(0x29B1);
        assertThat(OdinCrc16.compute(ByteBuffer.wrap(check))).isEqualTo(0x29B1);
        assertThat(OdinCrc16.compute(new byte[0], 0, 0)).isEqualTo(0xFFFF);
    }

    @Test
    void vectorIdentifiersAreTheConventionalCrcOfTheirIndices() {
        assertThat(OdinPackets.conventionalIdentifier(new long[] {0x10010001L, 0x10010002L, 0x10020001L, 0x10030001L}))
                .isEqualTo(27829);
        assertThat(OdinPackets.conventionalIdentifier(new long[] {0x20000001L, 0x20000002L})).isEqualTo(46931);
    }

    @Test
    void identifierParsesAndEncodesBackToTheSameBytes() throws Exception {
        byte[] packet = HEX.parseHex("01b56c000100feca010001100400020001100400010002100200010003100400");
        OdinSchema schema = OdinPackets.parseIdentifier(ByteBuffer.wrap(packet), 100);
        assertThat(schema.identifier()).isEqualTo(27829);
        assertThat(schema.definition()).isEqualTo(0xCAFE0001L);
        assertThat(schema.entryCount()).isEqualTo(4);
        assertThat(schema.valuesLength()).isEqualTo(14);
        assertThat(schema.dataPacketLength()).isEqualTo(24);
        assertThat(schema.offset(3)).isEqualTo(10);
        assertThat(OdinPacketWriter.identifier(schema)).isEqualTo(packet);
    }

    @Test
    void identifierRejections() {
        assertReason("01b56c000100feca", OdinInvalidReason.NO_ENTRIES);
        assertReason("01b56c", OdinInvalidReason.TOO_SHORT);
        assertReason("01b56c000100fe", OdinInvalidReason.TOO_SHORT);
        assertReason("01dc18000200feca010000200800020000200100030000200000", OdinInvalidReason.ZERO_SIZE_ENTRY);
        assertReason("01000000000000000100000004000100000002000000", OdinInvalidReason.DUPLICATE_INDEX);
        ByteBuffer threeEntries = ByteBuffer.wrap(HEX.parseHex("01b56c000100feca010001100400020001100400010002100200"));
        assertThatThrownBy(() -> OdinPackets.parseIdentifier(threeEntries, 2))
                .isInstanceOfSatisfying(OdinFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(OdinInvalidReason.TOO_MANY_ENTRIES));
    }

    @Test
    void headerChecks() {
        assertThat(OdinPackets.checkHeader(ByteBuffer.allocate(0))).isEqualTo(OdinInvalidReason.TOO_SHORT);
        assertThat(check("02")).isEqualTo(OdinInvalidReason.TOO_SHORT);
        assertThat(check("00")).isEqualTo(OdinInvalidReason.TYPE_ZERO);
        assertThat(check("ff00000000")).isEqualTo(OdinInvalidReason.UNKNOWN_TYPE);
        assertThat(check("02b56c00640000000000")).isNull();
        assertThat(check("02b56c006400000000")).isEqualTo(OdinInvalidReason.TOO_SHORT);
        assertThat(check("0b050000000000000000")).isNull();
        assertThat(check("0b0500000000000000")).isEqualTo(OdinInvalidReason.TOO_SHORT);
        assertThat(check("03b56c000100feca0400")).isEqualTo(OdinInvalidReason.TOO_SHORT);
        assertThat(check("04b56c0001000400")).isEqualTo(OdinInvalidReason.TOO_SHORT);
        // the reserved byte is ignored
        assertThat(OdinPackets.identifier(ByteBuffer.wrap(HEX.parseHex("02b56cff")))).isEqualTo(27829);
    }

    @Test
    void headerAccessorsHonourTheBufferPosition() {
        ByteBuffer buffer = ByteBuffer.wrap(HEX.parseHex("ffff" + "02b56c0065000000ffff0000"));
        buffer.position(2);
        assertThat(OdinPackets.checkHeader(buffer)).isNull();
        assertThat(OdinPackets.identifier(buffer)).isEqualTo(27829);
        assertThat(OdinPackets.timestamp(buffer)).isEqualTo(101);
        assertThat(OdinPackets.sequence(buffer)).isEqualTo(65535);
        assertThat(buffer.position()).isEqualTo(2);
    }

    @Test
    void dataAndEventEncodeAsTheVectors() {
        assertThat(HEX.formatHex(OdinPacketWriter.data(27829, 101, 65535, HEX.parseHex("0000ac4100507d44070002000000")))).isEqualTo("02b56c0065000000ffff0000ac4100507d44070002000000");
        byte[] event = OdinPacketWriter.event(5, 300, 0, HEX.parseHex("deadbeef"));
        assertThat(HEX.formatHex(event)).isEqualTo("0b0500002c0100000000deadbeef");
        OdinEvent parsed = OdinPackets.parseEvent(ByteBuffer.wrap(event));
        assertThat(parsed).isEqualTo(new OdinEvent(5, 300, 0, HEX.parseHex("deadbeef")));
    }

    @Test
    void extendedIdentifierOfTheVectorsEncodesBack() throws Exception {
        OdinSchema named = namedVectorSchema();
        List<byte[]> chunks = List.of(
                OdinPacketWriter.extendedIdentifierChunk(named, 0, 2),
                OdinPacketWriter.extendedIdentifierChunk(named, 2, 2));
        assertThat(HEX.formatHex(chunks.get(0))).isEqualTo("03b56c000100feca040000000100011004000a12000073656e736f722e74656d70657261747572650200011004000a0f000073656e736f722e7072657373757265");
        assertThat(HEX.formatHex(chunks.get(1))).isEqualTo("03b56c000100feca04000200010002100200030c00007374617475732e666c616773010003100400040e00007374617475732e636f756e746572");
        OdinExtendedChunk first = OdinPackets.parseExtendedChunk(ByteBuffer.wrap(chunks.get(0)), 100);
        assertThat(first.totalCount()).isEqualTo(4);
        assertThat(first.startOrdinal()).isZero();
        assertThat(first.itemCount()).isEqualTo(2);
        assertThat(first.name(1)).isEqualTo("sensor.pressure");
        assertThat(first.elementType(0)).isEqualTo(OdinElementType.F32);

        // Splitting by packet length gives chunks that reassemble to the same schema.
        List<byte[]> split = OdinPacketWriter.extendedIdentifier(named, 40);
        assertThat(split).hasSize(4);
        OdinExtendedAssembly assembly = null;
        for (byte[] chunk : split) {
            OdinExtendedChunk c = OdinPackets.parseExtendedChunk(ByteBuffer.wrap(chunk), 100);
            if (assembly == null) {
                assembly = OdinExtendedAssembly.start(c);
            } else {
                assertThat(assembly.add(c)).isTrue();
            }
        }
        assertThat(assembly.isComplete()).isTrue();
        assertThat(assembly.toSchema()).isEqualTo(named);
        assertThat(OdinPacketWriter.extendedIdentifier(named, 1000)).hasSize(1);
    }

    @Test
    void extendedIdentifierRejections() {
        // total_count 0
        assertReason("03b56c000100feca00000000" + "01000110" + "0400" + "0a" + "00" + "0000", OdinInvalidReason.NO_ENTRIES);
        // no items
        assertReason("03b56c000100feca04000000", OdinInvalidReason.NO_ENTRIES);
        // start 3 + 2 items > 4
        assertReason("03b56c000100feca04000300" + "010001100400" + "0a000000" + "020001100400" + "0a000000", OdinInvalidReason.ORDINAL_OUT_OF_RANGE);
        // item cut off
        assertReason("03b56c000100feca04000000" + "0100011004000a", OdinInvalidReason.TRUNCATED);
        // name runs past the end
        assertReason("03b56c000100feca04000000" + "0100011004000a05000041", OdinInvalidReason.TRUNCATED);
        // element type 14
        assertReason("03b56c000100feca04000000" + "0100011004000e000000", OdinInvalidReason.BAD_ELEMENT_TYPE);
        // F32 of size 6
        assertReason("03b56c000100feca04000000" + "0100011006000a000000", OdinInvalidReason.ELEMENT_SIZE_MISMATCH);
        // size 0
        assertReason("03b56c000100feca04000000" + "0100011000000a000000", OdinInvalidReason.ZERO_SIZE_ENTRY);
        // same index twice in one chunk
        assertReason("03b56c000100feca04000000" + "0100011004000a000000" + "0100011004000a000000", OdinInvalidReason.DUPLICATE_INDEX);
    }

    @Test
    void typeDescriptorsRoundTripAndDecodeCustomValues() throws Exception {
        OdinTypeDescriptor point = new OdinTypeDescriptor(7, 12, "point", List.of(
                new OdinTypeDescriptor.Field(OdinElementType.F32, 4, 0, "x"),
                new OdinTypeDescriptor.Field(OdinElementType.F32, 4, 4, "y"),
                new OdinTypeDescriptor.Field(OdinElementType.I16, 2, 8, "flags"),
                new OdinTypeDescriptor.Field(OdinElementType.CHAR, 2, 10, "tag")));
        byte[] packet = OdinPacketWriter.typeDescriptors(27829, List.of(point));
        List<OdinTypeDescriptor> parsed = OdinPackets.parseTypeDescriptors(ByteBuffer.wrap(packet));
        assertThat(parsed).containsExactly(point);

        ByteBuffer value = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        value.putFloat(1.5f).putFloat(-2f).putShort((short) -3).put((byte) 'A').put((byte) 0);
        value.putFloat(0f).putFloat(1f).putShort((short) 1).put((byte) 'B').put((byte) 'C');
        assertThat(OdinValueDecoder.decode(OdinElementType.CUSTOM, value, 0, 12, point))
                .isEqualTo(Map.of("x", 1.5, "y", -2.0, "flags", -3L, "tag", "A"));
        assertThat((List<?>) OdinValueDecoder.decode(OdinElementType.CUSTOM, value, 0, 24, point)).hasSize(2);
        assertThat(OdinValueDecoder.decode(OdinElementType.CUSTOM, value, 0, 12, null)).isEqualTo("0000c03f000000c0fdff4100");
    }

    @Test
    void typeDescriptorRejections() {
        // struct of size 0
        assertReason("04000000" + "0700" + "0000" + "01" + "00" + "0a" + "0400" + "0000" + "00", OdinInvalidReason.ZERO_SIZE_ENTRY);
        // no fields
        assertReason("04000000" + "0700" + "0400" + "00" + "00", OdinInvalidReason.NO_ENTRIES);
        // field beyond the struct
        assertReason("04000000" + "0700" + "0400" + "01" + "00" + "0a" + "0400" + "0200" + "00", OdinInvalidReason.FIELD_OUT_OF_RANGE);
        // CUSTOM inside a struct
        assertReason("04000000" + "0700" + "0400" + "01" + "00" + "0d" + "0400" + "0000" + "00", OdinInvalidReason.BAD_ELEMENT_TYPE);
        // field header cut off
        assertReason("04000000" + "0700" + "0400" + "01" + "00" + "0a04", OdinInvalidReason.TRUNCATED);
        // type header cut off after a complete type
        assertReason("04000000" + "0700" + "0400" + "01" + "00" + "0a" + "0400" + "0000" + "00" + "0800", OdinInvalidReason.TRUNCATED);
    }

    @Test
    void valueDecoderCoversEveryElementType() {
        ByteBuffer b = ByteBuffer.wrap(HEX.parseHex("ffffffffffffffff"));
        assertThat(OdinValueDecoder.scalar(OdinElementType.BOOL, b, 0)).isEqualTo(true);
        assertThat(OdinValueDecoder.scalar(OdinElementType.U8, b, 0)).isEqualTo(255L);
        assertThat(OdinValueDecoder.scalar(OdinElementType.I8, b, 0)).isEqualTo(-1L);
        assertThat(OdinValueDecoder.scalar(OdinElementType.U16, b, 0)).isEqualTo(65535L);
        assertThat(OdinValueDecoder.scalar(OdinElementType.I16, b, 0)).isEqualTo(-1L);
        assertThat(OdinValueDecoder.scalar(OdinElementType.U32, b, 0)).isEqualTo(4294967295L);
        assertThat(OdinValueDecoder.scalar(OdinElementType.I32, b, 0)).isEqualTo(-1L);
        assertThat(OdinValueDecoder.scalar(OdinElementType.I64, b, 0)).isEqualTo(-1L);
        assertThat(OdinValueDecoder.scalar(OdinElementType.U64, b, 0)).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(OdinValueDecoder.scalar(OdinElementType.U64, ByteBuffer.wrap(HEX.parseHex("0100000000000000")), 0)).isEqualTo(1L);
        assertThat(OdinValueDecoder.scalar(OdinElementType.F32, ByteBuffer.wrap(HEX.parseHex("000020c2")), 0)).isEqualTo(-40.0);
        assertThat(OdinValueDecoder.scalar(OdinElementType.F64, ByteBuffer.wrap(HEX.parseHex("0000000000000a40")), 0)).isEqualTo(3.25);
        assertThat(OdinValueDecoder.scalar(OdinElementType.BOOL, ByteBuffer.wrap(new byte[1]), 0)).isEqualTo(false);
        assertThat(OdinValueDecoder.decode(OdinElementType.HEX, b, 0, 3, null)).isEqualTo("ffffff");
        assertThat(OdinValueDecoder.decode(OdinElementType.CHAR, ByteBuffer.wrap("ab\0cd".getBytes(StandardCharsets.UTF_8)), 0, 5, null))
                .isEqualTo("ab");
        assertThat(OdinValueDecoder.decode(OdinElementType.U16, ByteBuffer.wrap(HEX.parseHex("01000200")), 0, 4, null))
                .isEqualTo(List.of(1L, 2L));
        assertThatThrownBy(() -> OdinValueDecoder.scalar(OdinElementType.HEX, b, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void schemaAndEventStateRoundTrip() throws Exception {
        OdinSchema named = namedVectorSchema();
        assertThat(roundTrip(named)).isEqualTo(named);
        OdinSchema plain = OdinSchema.of(1, 2, new int[] {3}, new int[] {4});
        assertThat(roundTrip(plain)).isEqualTo(plain);
        assertThat(plain.sameLayout(OdinSchema.of(1, 2, new int[] {3}, new int[] {5}))).isFalse();
        assertThat(named.toString()).contains("sensor.temperature");
    }

    static OdinSchema namedVectorSchema() {
        return OdinSchema.named(27829, 0xCAFE0001L,
                new int[] {0x10010001, 0x10010002, 0x10020001, 0x10030001},
                new int[] {4, 4, 2, 4},
                new String[] {"sensor.temperature", "sensor.pressure", "status.flags", "status.counter"},
                new OdinElementType[] {OdinElementType.F32, OdinElementType.F32, OdinElementType.U16, OdinElementType.U32},
                new int[4]);
    }

    private static OdinSchema roundTrip(OdinSchema schema) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        schema.writeTo(new java.io.DataOutputStream(bytes));
        return OdinSchema.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
    }

    private static OdinInvalidReason check(String hex) {
        return OdinPackets.checkHeader(ByteBuffer.wrap(HEX.parseHex(hex)));
    }

    /** The reason a receiver gives the packet: header check, else the type's parser. */
    private static void assertReason(String hex, OdinInvalidReason expected) {
        RecordingOutput out = new RecordingOutput();
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
        receiver.accept(ByteBuffer.wrap(HEX.parseHex(hex)), 0);
        assertThat(receiver.statistics().invalidByReason()).as(hex).isEqualTo(Map.of(expected, 1L));
        assertThat(out.raw).isEmpty();
    }
}
