package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sources.spead.SpeadTestPackets.addr;
import static org.rawstream.sources.spead.SpeadTestPackets.imm;
import static org.rawstream.sources.spead.SpeadTestPackets.packet;
import static org.rawstream.sources.spead.SpeadTestPackets.raw;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Packet decoding, validation (one test per invalid case), pointers and the TCP framer. */
class SpeadPacketTest {

    private final SpeadPacket packet = new SpeadPacket();

    private InvalidPacketReason datagram(byte[] b) {
        boolean ok = packet.decodeDatagram(ByteBuffer.wrap(b), 0, b.length);
        return ok ? null : packet.invalidReason();
    }

    @Test
    void decodesAValidPacketWithoutCopying() {
        byte[] b = packet(7, 100, 10, 20, imm(0x1001, 42), addr(0x1000, 0));
        ByteBuffer buf = ByteBuffer.allocate(b.length + 5);
        buf.position(5);
        buf.put(b);
        assertThat(packet.decodeDatagram(buf, 5, b.length)).isTrue();
        assertThat(packet.heapCnt()).isEqualTo(7);
        assertThat(packet.heapSize()).isEqualTo(100);
        assertThat(packet.heapOffset()).isEqualTo(10);
        assertThat(packet.payloadLength()).isEqualTo(20);
        assertThat(packet.pointerCount()).isEqualTo(6);
        assertThat(packet.payloadStart()).isEqualTo(5 + 8 + 48);
        assertThat(packet.packetLength()).isEqualTo(b.length);
        assertThat(packet.flavour()).isEqualTo(SpeadFlavour.SPEAD_64_48);
        assertThat(packet.buffer()).isSameAs(buf);
        assertThat(ItemPointers.id(packet.pointer(4), 48)).isEqualTo(0x1001);
        assertThat(ItemPointers.value(packet.pointer(4), 48)).isEqualTo(42);
    }

    @Test
    void byteOrderOfTheCallersBufferDoesNotMatter() {
        byte[] b = packet(7, 100, 10, 20);
        ByteBuffer little = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(packet.decodeDatagram(little, 0, b.length)).isTrue();
        assertThat(packet.heapCnt()).isEqualTo(7);
        assertThat(packet.heapOffset()).isEqualTo(10);
    }

    @Test
    void heapSizeIsOptional() {
        assertThat(datagram(packet(1, -1, 0, 8))).isNull();
        assertThat(packet.heapSize()).isEqualTo(-1);
    }

    @Test
    void bothFlavoursAndOtherWidthsDecode() {
        for (int addressBytes = 1; addressBytes <= 7; addressBytes++) {
            SpeadFlavour f = SpeadFlavour.ofAddressBytes(addressBytes);
            ByteBuffer b = ByteBuffer.allocate(8 + 32 + 4);
            SpeadPacketWriter.writeHeader(b, f, 4);
            SpeadPacketWriter.writePacketPointers(b, f, 3, 4, 0, 4);
            b.putInt(0x01020304);
            assertThat(packet.decodeDatagram(b, 0, b.capacity())).as(f.name()).isTrue();
            assertThat(packet.heapAddressBits()).isEqualTo(addressBytes * 8);
            assertThat(packet.heapCnt()).isEqualTo(3);
        }
    }

    @Test
    void truncatedHeader() {
        assertThat(datagram(new byte[] {0x53, 4, 2, 6, 0, 0, 0})).isEqualTo(InvalidPacketReason.TRUNCATED_HEADER);
        assertThat(datagram(new byte[0])).isEqualTo(InvalidPacketReason.TRUNCATED_HEADER);
    }

    @Test
    void badMagicAndVersion() {
        byte[] b = packet(1, 8, 0, 8);
        b[0] = 0x54;
        assertThat(datagram(b)).isEqualTo(InvalidPacketReason.BAD_MAGIC);
        b = packet(1, 8, 0, 8);
        b[1] = 3;
        assertThat(datagram(b)).isEqualTo(InvalidPacketReason.BAD_VERSION);
    }

    @Test
    void badWidths() {
        for (int[] w : new int[][] {{0, 8}, {8, 0}, {3, 6}, {2, 5}, {4, 5}}) {
            byte[] b = packet(1, 8, 0, 8);
            b[2] = (byte) w[0];
            b[3] = (byte) w[1];
            assertThat(datagram(b)).as(Arrays.toString(w)).isEqualTo(InvalidPacketReason.BAD_WIDTHS);
        }
    }

    @Test
    void truncatedPointers() {
        byte[] b = packet(1, 8, 0, 8);
        b[7] = 50; // claims 50 pointers
        assertThat(datagram(b)).isEqualTo(InvalidPacketReason.TRUNCATED_POINTERS);
        assertThat(datagram(Arrays.copyOf(b, 20))).isEqualTo(InvalidPacketReason.TRUNCATED_POINTERS);
    }

    @Test
    void missingSpecialItems() {
        assertThat(datagram(raw(new long[] {imm(3, 0), imm(4, 1)}, new byte[1])))
                .isEqualTo(InvalidPacketReason.MISSING_HEAP_CNT);
        assertThat(datagram(raw(new long[] {imm(1, 1), imm(4, 1)}, new byte[1])))
                .isEqualTo(InvalidPacketReason.MISSING_HEAP_OFFSET);
        assertThat(datagram(raw(new long[] {imm(1, 1), imm(3, 0)}, new byte[1])))
                .isEqualTo(InvalidPacketReason.MISSING_PAYLOAD_LENGTH);
    }

    @Test
    void specialItemsMustBeImmediate() {
        assertThat(datagram(raw(new long[] {addr(1, 1), imm(3, 0), imm(4, 1)}, new byte[1])))
                .isEqualTo(InvalidPacketReason.SPECIAL_ITEM_NOT_IMMEDIATE);
    }

    @Test
    void payloadLengthMustMatchTheDatagram() {
        byte[] b = packet(1, 100, 0, 50);
        assertThat(datagram(Arrays.copyOf(b, b.length + 1))).isEqualTo(InvalidPacketReason.PAYLOAD_LENGTH_MISMATCH);
        assertThat(datagram(Arrays.copyOf(b, b.length - 1))).isEqualTo(InvalidPacketReason.PAYLOAD_LENGTH_MISMATCH);
        // As a stream, the same short packet is cut.
        assertThat(packet.decodeFramed(ByteBuffer.wrap(b), 0, b.length - 1)).isFalse();
        assertThat(packet.invalidReason()).isEqualTo(InvalidPacketReason.TRUNCATED_PAYLOAD);
    }

    @Test
    void payloadPastHeapSize() {
        assertThat(datagram(packet(1, 100, 90, 20))).isEqualTo(InvalidPacketReason.PAYLOAD_PAST_HEAP_SIZE);
        assertThat(datagram(packet(1, 100, 80, 20))).isNull();
    }

    @Test
    void hugePayloadLengthDoesNotOverflow() {
        byte[] b = raw(new long[] {imm(1, 1), imm(3, 0), imm(4, (1L << 48) - 1)}, new byte[4]);
        assertThat(datagram(b)).isEqualTo(InvalidPacketReason.PAYLOAD_LENGTH_MISMATCH);
        SpeadFramer framer = new SpeadFramer(9000);
        assertThat(framer.nextPacketLength(ByteBuffer.wrap(b), 0, b.length)).isEqualTo(SpeadFramer.FRAMING_ERROR);
        assertThat(framer.error()).isEqualTo(InvalidPacketReason.PACKET_TOO_LARGE);
    }

    @Test
    void framerNeedsHeaderAndPointersThenKnowsTheLength() {
        byte[] b = packet(1, 100, 0, 50, imm(0x1001, 5));
        SpeadFramer framer = new SpeadFramer(9000);
        ByteBuffer buf = ByteBuffer.wrap(b);
        for (int avail = 0; avail < 8 + 5 * 8; avail++) {
            assertThat(framer.nextPacketLength(buf, 0, avail)).as("avail %d", avail).isEqualTo(SpeadFramer.NEED_MORE);
        }
        assertThat(framer.nextPacketLength(buf, 0, 48)).isEqualTo(b.length);
        assertThat(framer.nextPacketLength(buf, 0, b.length)).isEqualTo(b.length);
        b[0] = 0;
        assertThat(framer.nextPacketLength(buf, 0, 1)).isEqualTo(SpeadFramer.FRAMING_ERROR);
        assertThat(framer.error()).isEqualTo(InvalidPacketReason.BAD_MAGIC);
    }

    @Test
    void framerRejectsPacketsAboveTheLimit() {
        byte[] b = packet(1, 10000, 0, 9000);
        SpeadFramer framer = new SpeadFramer(9000);
        assertThat(framer.nextPacketLength(ByteBuffer.wrap(b), 0, 40)).isEqualTo(SpeadFramer.FRAMING_ERROR);
        assertThat(framer.error()).isEqualTo(InvalidPacketReason.PACKET_TOO_LARGE);
    }

    @Test
    void itemPointersRoundTrip() {
        for (SpeadFlavour f : new SpeadFlavour[] {SpeadFlavour.SPEAD_64_40, SpeadFlavour.SPEAD_64_48}) {
            int bits = f.heapAddressBits();
            long p = ItemPointers.immediate(0x1234, f.maxAddress(), f);
            assertThat(ItemPointers.isImmediate(p)).isTrue();
            assertThat(ItemPointers.id(p, bits)).isEqualTo(0x1234);
            assertThat(ItemPointers.value(p, bits)).isEqualTo(f.maxAddress());
            long a = ItemPointers.addressed(f.maxItemId(), 77, f);
            assertThat(ItemPointers.isImmediate(a)).isFalse();
            assertThat(ItemPointers.id(a, bits)).isEqualTo(f.maxItemId());
            assertThat(ItemPointers.value(a, bits)).isEqualTo(77);
            byte[] v = new byte[f.heapAddressBytes()];
            ItemPointers.immediateBytes(ItemPointers.immediate(9, 0x0102, f), bits, v, 0);
            assertThat(v[v.length - 1]).isEqualTo((byte) 2); // right-aligned
            assertThat(v[v.length - 2]).isEqualTo((byte) 1);
            assertThat(ItemPointers.immediateValueOf(new byte[] {1, 2}, f)).isEqualTo(0x0102);
        }
    }

    @Test
    void flavourNames() {
        assertThat(SpeadFlavour.parse("SPEAD-64-40")).isEqualTo(SpeadFlavour.SPEAD_64_40);
        assertThat(SpeadFlavour.parse("64-48")).isEqualTo(SpeadFlavour.SPEAD_64_48);
        assertThat(SpeadFlavour.SPEAD_64_48.name()).isEqualTo("SPEAD-64-48");
        assertThat(SpeadFlavour.SPEAD_64_40.formatWidthBytes()).isEqualTo(3);
        assertThat(SpeadFlavour.SPEAD_64_48.shapeEntryBytes()).isEqualTo(7);
    }
}
