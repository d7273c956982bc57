package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Descriptors, the numpy header parser, item value decoding, heap encoding and packetising. */
class SpeadItemCodecTest {

    @Test
    void numpyHeadersParse() {
        NumpyHeader h = NumpyHeader.parse("{'descr': '>u4', 'fortran_order': False, 'shape': (4096,)}");
        assertThat(h.shape()).containsExactly(4096);
        assertThat(h.fortranOrder()).isFalse();
        assertThat(h.dtype().field(0).kind()).isEqualTo('u');
        assertThat(h.dtype().field(0).bigEndian()).isTrue();
        assertThat(h.dtype().numpyDescr()).isEqualTo("<u4");
        NumpyHeader s = NumpyHeader.parse("{\"descr\": [('a', '<i2'), ('b', '>f4')], \"shape\": (), \"fortran_order\": True, }");
        assertThat(s.shape()).isEmpty();
        assertThat(s.fortranOrder()).isTrue();
        assertThat(s.dtype().fieldCount()).isEqualTo(2);
        assertThat(s.dtype().numpyDescr()).isEqualTo("|V6");
        assertThat(NumpyHeader.parse("{'descr': '|S8', 'fortran_order': False, 'shape': (2, 3)}").shape()).containsExactly(2, 3);
        assertThat(NumpyHeader.parse("{'descr': '<c16', 'fortran_order': False, 'shape': (1L,)}").dtype().numpyDescr())
                .isEqualTo("<c16");
    }

    @Test
    void badNumpyHeadersAreRejectedWithIllegalArgument() {
        for (String bad : new String[] {"", "{", "{'descr': '>u4'}", "[1, 2]", "{'descr': '>x4', 'fortran_order': False, 'shape': ()}",
                "{'descr': '>u3', 'fortran_order': False, 'shape': ()}", "{'descr': '>u4', 'fortran_order': 1, 'shape': ()}",
                "{'descr': '>u4', 'fortran_order': False, 'shape': (-1,)}", "((((((((((((((((((((1))))))))))))))))))))",
                "{'descr': '>u4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "{'a': 'unterminated"}) {
            assertThatThrownBy(() -> NumpyHeader.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void descriptorsRoundTripInBothFlavours() {
        SpeadDescriptor d = SpeadDescriptor.builder(0x1234, "packed").description("two fields").shape(3, -1)
                .formatField('i', 16).formatField('f', 32).build();
        SpeadDescriptor n = SpeadDescriptor.builder(0x1235, "gains").description("complex")
                .numpyHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (4, 2)}").build();
        for (SpeadFlavour f : new SpeadFlavour[] {SpeadFlavour.SPEAD_64_40, SpeadFlavour.SPEAD_64_48}) {
            for (SpeadDescriptor x : new SpeadDescriptor[] {d, n}) {
                byte[] raw = x.encode(f);
                assertThat(SpeadDescriptor.decode(ByteBuffer.wrap(raw), 0, raw.length)).as(f + " " + x).isEqualTo(x);
            }
        }
        assertThat(d.effectiveShape()).containsExactly(3, -1);
        assertThat(n.effectiveShape()).containsExactly(4, 2);
        assertThat(SpeadDescriptor.decode(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0, 3)).isNull();
    }

    private static SpeadValue decode(SpeadDescriptor d, byte[] bytes, boolean immediate) {
        return ItemValueDecoder.decode(d, ByteBuffer.wrap(bytes), 0, bytes.length, immediate);
    }

    @Test
    void primitiveArraysInEitherByteOrder() {
        ByteBuffer le = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer be = ByteBuffer.allocate(16);
        for (int i = 0; i < 4; i++) {
            le.putInt(-i);
            be.putInt(-i);
        }
        SpeadDescriptor dle = SpeadDescriptor.builder(1, "x").numpyHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (4,)}").build();
        SpeadDescriptor dbe = SpeadDescriptor.builder(1, "x").numpyHeader("{'descr': '>i4', 'fortran_order': False, 'shape': (4,)}").build();
        SpeadValue a = decode(dle, le.array(), false);
        SpeadValue b = decode(dbe, be.array(), false);
        assertThat((int[]) a.column(0)).containsExactly(0, -1, -2, -3);
        assertThat((int[]) b.column(0)).containsExactly(0, -1, -2, -3);
        assertThat(a.littleEndianBytes()).isEqualTo(le.array());
        SpeadDescriptor u16 = SpeadDescriptor.builder(1, "u").formatField('u', 16).shape(2).build();
        SpeadValue u = decode(u16, new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1}, false);
        assertThat(u.longValue(0, 0)).isEqualTo(0xFFFE);
        assertThat(u.longValue(1, 0)).isEqualTo(1);
    }

    @Test
    void bitPackedFormatsAndRightAlignedImmediates() {
        // Two 12-bit unsigned and one 8-bit signed field per element, big-endian bit stream.
        SpeadDescriptor d = SpeadDescriptor.builder(1, "p").formatField('u', 12).formatField('u', 12)
                .formatField('i', 8).build();
        SpeadValue v = decode(d, new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF, (byte) 0xFE}, false);
        assertThat(v.isScalar()).isTrue();
        assertThat(v.longValue(0, 0)).isEqualTo(0xABC);
        assertThat(v.longValue(0, 1)).isEqualTo(0xDEF);
        assertThat(v.longValue(0, 2)).isEqualTo(-2);
        // A u16 immediate in a 48-bit pointer is right-aligned.
        SpeadDescriptor imm = SpeadDescriptor.builder(2, "i").numpyHeader("{'descr': '>u2', 'fortran_order': False, 'shape': ()}").build();
        assertThat(decode(imm, new byte[] {0, 0, 0, 0, 0x12, 0x34}, true).longValue(0, 0)).isEqualTo(0x1234);
        SpeadDescriptor u48 = SpeadDescriptor.builder(3, "t").formatField('u', 48).build();
        assertThat(decode(u48, new byte[] {0, 0, 0, 0, 3, (byte) 0xE8}, true).longValue(0, 0)).isEqualTo(1000);
        SpeadDescriptor b = SpeadDescriptor.builder(4, "b").formatField('b', 8).shape(2).build();
        assertThat((boolean[]) decode(b, new byte[] {0, 5}, false).column(0)).containsExactly(false, true);
    }

    @Test
    void stringsComplexVariableAndFortranOrder() {
        SpeadDescriptor s = SpeadDescriptor.builder(1, "label").formatField('c', 8).shape(8).build();
        SpeadValue label = decode(s, "heap0007".getBytes(StandardCharsets.US_ASCII), false);
        assertThat(label.isString()).isTrue();
        assertThat(label.asString()).isEqualTo("heap0007");
        SpeadDescriptor v = SpeadDescriptor.builder(2, "flags").formatField('u', 8).shape(-1).build();
        assertThat(decode(v, new byte[] {1, 2, 3}, false).shape()).containsExactly(3);
        SpeadDescriptor c = SpeadDescriptor.builder(3, "z").numpyHeader("{'descr': '>c16', 'fortran_order': False, 'shape': (1,)}").build();
        ByteBuffer z = ByteBuffer.allocate(16).putDouble(1.5).putDouble(-2.5);
        SpeadValue zv = decode(c, z.array(), false);
        assertThat(zv.doubleValue(0, 0)).isEqualTo(1.5);
        assertThat(zv.imagValue(0, 0)).isEqualTo(-2.5);
        SpeadDescriptor f = SpeadDescriptor.builder(4, "m").numpyHeader("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3)}").build();
        // Fortran order: columns first. C order of [[0,1,2],[3,4,5]] is 0..5.
        SpeadValue m = decode(f, new byte[] {0, 3, 1, 4, 2, 5}, false);
        assertThat((byte[]) m.column(0)).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void valuesThatDoNotFitAreRejected() {
        SpeadDescriptor d = SpeadDescriptor.builder(1, "x").formatField('u', 32).shape(4).build();
        assertThatThrownBy(() -> decode(d, new byte[8], false)).isInstanceOf(IllegalArgumentException.class);
        SpeadDescriptor huge = SpeadDescriptor.builder(1, "x").formatField('u', 8).shape(1L << 40).build();
        assertThatThrownBy(() -> decode(huge, new byte[8], false)).isInstanceOf(IllegalArgumentException.class);
        SpeadDescriptor twoVar = SpeadDescriptor.builder(1, "x").formatField('u', 8).shape(-1, -1).build();
        assertThatThrownBy(() -> decode(twoVar, new byte[8], false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outgoingHeapsPacketiseAndAssembleBack() throws IOException {
        byte[] data = new byte[100_000];
        SpeadSender.fillData(data, 3);
        SpeadDescriptor desc = SpeadDescriptor.builder(0x1000, "data").numpyHeader(
                "{'descr': '>u4', 'fortran_order': False, 'shape': (25000,)}").build();
        for (SpeadFlavour f : new SpeadFlavour[] {SpeadFlavour.SPEAD_64_40, SpeadFlavour.SPEAD_64_48}) {
            OutgoingHeap heap = OutgoingHeap.builder().descriptor(desc).item(0x1000, data).immediate(0x1001, 77)
                    .item(0x1002, new byte[0]).build();
            OutgoingHeap.Layout layout = heap.layout(f);
            SpeadHeapPacketizer packetizer = new SpeadHeapPacketizer(1472);
            List<byte[]> packets = new ArrayList<>();
            int n = packetizer.packetize(layout, 42, (head, payload) -> {
                byte[] p = new byte[head.remaining() + payload.remaining()];
                head.get(p, 0, head.remaining());
                payload.get(p, p.length - payload.remaining(), payload.remaining());
                assertThat(p.length).isLessThanOrEqualTo(1472);
                packets.add(p);
            });
            assertThat(n).isEqualTo(packets.size()).isEqualTo(packetizer.packetCount(layout));
            packetizer.packetize(OutgoingHeap.stop().layout(f), 43, (head, payload) -> {
                byte[] p = new byte[head.remaining() + payload.remaining()];
                head.get(p, 0, head.remaining());
                payload.get(p, p.length - payload.remaining(), payload.remaining());
                packets.add(p);
            });
            java.util.Collections.reverse(packets); // any order works, the stop heap goes first here
            SpeadStreamAssembler assembler = new SpeadStreamAssembler(SpeadAssemblyConfig.defaults());
            List<ReceivedHeap> out = new ArrayList<>();
            // Keep the stop heap last so that it flushes nothing.
            byte[] stop = packets.remove(0);
            packets.add(stop);
            for (byte[] p : packets) {
                assertThat(assembler.acceptDatagram(ByteBuffer.wrap(p), 0, p.length, 0, out::add)).isTrue();
            }
            assertThat(out).hasSize(1);
            ReceivedHeap h = out.get(0);
            assertThat(h.isComplete()).isTrue();
            assertThat(h.heapCnt()).isEqualTo(42);
            assertThat(h.descriptors()).containsExactly(desc);
            assertThat(h.items()).extracting(SpeadItem::id).containsExactlyInAnyOrder(0x1000L, 0x1001L, 0x1002L);
            SpeadItem dataItem = h.items().stream().filter(i -> i.id() == 0x1000).findFirst().orElseThrow();
            assertThat(dataItem.bytes()).isEqualTo(data);
            SpeadValue v = ItemValueDecoder.decode(desc, dataItem.value(), 0, dataItem.length(), false);
            assertThat(v.longValue(0, 0)).isEqualTo(3 * 25000);
            assertThat(h.items().stream().filter(i -> i.id() == 0x1001).findFirst().orElseThrow().asLong()).isEqualTo(77);
            assertThat(h.items().stream().filter(i -> i.id() == 0x1002).findFirst().orElseThrow().length()).isZero();
            assertThat(assembler.statistics().stops()).isEqualTo(1);
        }
    }

    @Test
    void aStoredIncompleteHeapHoldsOnePacketPerRange() {
        SpeadStreamAssembler assembler = new SpeadStreamAssembler(SpeadAssemblyConfig.defaults());
        List<ReceivedHeap> out = new ArrayList<>();
        for (byte[] p : new byte[][] {SpeadTestPackets.packet(9, 100, 0, 10, SpeadTestPackets.imm(0x1001, 5)),
                SpeadTestPackets.packet(9, 100, 40, 10), SpeadTestPackets.packet(9, 100, 50, 10)}) {
            assembler.acceptDatagram(ByteBuffer.wrap(p), 0, p.length, 0, out::add);
        }
        assembler.endOfStream(0, out::add);
        byte[] msg = StoredHeapCodec.encode(out.get(0));
        List<byte[]> parts = SpeadVectors.packets(msg);
        assertThat(parts).hasSize(2);
        SpeadPacket p = new SpeadPacket();
        assertThat(p.decodeDatagram(ByteBuffer.wrap(parts.get(0)), 0, parts.get(0).length)).isTrue();
        assertThat(p.heapOffset()).isZero();
        assertThat(p.payloadLength()).isEqualTo(10);
        assertThat(p.pointerCount()).isEqualTo(5);
        assertThat(p.decodeDatagram(ByteBuffer.wrap(parts.get(1)), 0, parts.get(1).length)).isTrue();
        assertThat(p.heapOffset()).isEqualTo(40);
        assertThat(p.payloadLength()).isEqualTo(20);
        assertThat(p.pointerCount()).isEqualTo(4);
        ReceivedHeap back = StoredHeapCodec.decode(msg);
        assertThat(back.isComplete()).isFalse();
        assertThat(back.receivedRanges()).containsExactly(0, 10, 40, 60);
        assertThatThrownBy(() -> StoredHeapCodec.decode(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
    }
}
