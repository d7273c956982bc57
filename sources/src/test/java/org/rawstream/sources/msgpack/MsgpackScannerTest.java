package org.rawstream.sources.msgpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** The pre-scan's rules one by one, at their exact edges, byte-at-a-time and whole. */
class MsgpackScannerTest {

    @Test
    void timestampsOfAllThreeWidthsAreAcceptedUpToTheLastNanosecond() throws IOException {
        for (Instant t : new Instant[] {
            Instant.ofEpochSecond(1), // 32-bit form
            Instant.ofEpochSecond(1, 999_999_999), // 64-bit form
            Instant.ofEpochSecond(-1, 999_999_999), // 96-bit form
            Instant.ofEpochSecond(1L << 40, 5)}) {
            MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();
            packer.packTimestamp(t);
            assertThat(scanWhole(packer.toByteArray(), MsgpackLimits.defaults())).as(t.toString()).isNull();
            assertThat(scanByteByByte(packer.toByteArray(), MsgpackLimits.defaults())).as(t.toString()).isNull();
        }
    }

    @Test
    void timestampNanosecondsAboveTheLimitAreRejectedInBothWideForms() {
        // 64-bit: nanoseconds in the upper 30 bits; 10^9 << 2 = 0xEE6B2800.
        assertRejected("d7ff" + "ee6b2800" + "00000000", MsgpackErrorKind.BAD_TIMESTAMP_NANOS);
        assertRejected("d7ff" + "ee6b27fc" + "00000000", null); // 999999999
        // 96-bit (ext8, length 12): uint32 nanoseconds then int64 seconds.
        assertRejected("c70cff" + "3b9aca00" + "0000000000000000", MsgpackErrorKind.BAD_TIMESTAMP_NANOS);
        assertRejected("c70cff" + "ffffffff" + "0000000000000000", MsgpackErrorKind.BAD_TIMESTAMP_NANOS);
        assertRejected("c70cff" + "3b9ac9ff" + "0000000000000000", null);
    }

    @Test
    void timestampLengthsOtherThan4812AreRejected() {
        assertRejected("d4ff00", MsgpackErrorKind.BAD_TIMESTAMP_LENGTH); // fixext1
        assertRejected("d8ff" + "00".repeat(16), MsgpackErrorKind.BAD_TIMESTAMP_LENGTH); // fixext16
        assertRejected("c703ff000000", MsgpackErrorKind.BAD_TIMESTAMP_LENGTH); // ext8 length 3
        assertRejected("c800ffff" + "00".repeat(255), MsgpackErrorKind.BAD_TIMESTAMP_LENGTH); // ext16
        assertRejected("c704ff00000001", null); // ext8 length 4: a 32-bit timestamp, just wider framed
        assertRejected("c70305616263", null); // other ext types: any length
    }

    @Test
    void nestingUpToTheCapIsFineOneDeeperIsRejected() {
        MsgpackLimits limits = MsgpackLimits.builder().maxDepth(64).build();
        assertThat(scanWhole(hex("91".repeat(64) + "01"), limits)).isNull();
        assertThat(scanWhole(hex("91".repeat(64) + "90"), limits)).isEqualTo(MsgpackErrorKind.DEPTH_ABOVE_CAP);
        assertThat(scanWhole(hex("81".repeat(40) + "01"), limits)).isEqualTo(MsgpackErrorKind.TRUNCATED);
        assertThat(scanWhole(hex("c0"), MsgpackLimits.builder().maxDepth(0).build())).isNull();
        assertThat(scanWhole(hex("90"), MsgpackLimits.builder().maxDepth(0).build()))
                .isEqualTo(MsgpackErrorKind.DEPTH_ABOVE_CAP);
    }

    @Test
    void theValueCapIsInclusiveForDeclaredLengthsCountsAndAccumulatedBytes() {
        MsgpackLimits cap = MsgpackLimits.builder().maxValueBytes(10).build();
        assertThat(scanWhole(hex("c408" + "00".repeat(8)), cap)).isNull(); // exactly 10 bytes
        assertThat(scanWhole(hex("c409" + "00".repeat(9)), cap)).isEqualTo(MsgpackErrorKind.VALUE_ABOVE_CAP);
        assertThat(scanWhole(hex("dc0009" + "00".repeat(9)), cap)).isEqualTo(MsgpackErrorKind.VALUE_ABOVE_CAP);
        assertThat(scanWhole(hex("dc0007" + "00".repeat(7)), cap)).isNull();
        // Two uint32s fit the count check but not the bytes: 1 + 5 + 5 = 11.
        assertThat(scanWhole(hex("92" + "ce00000001" + "ce00000002"), cap)).isEqualTo(MsgpackErrorKind.VALUE_ABOVE_CAP);
        // A map counts keys and values: 4 entries need 8 more bytes.
        assertThat(scanWhole(hex("de0004" + "00".repeat(8)), cap)).isEqualTo(MsgpackErrorKind.VALUE_ABOVE_CAP);
    }

    @Test
    void neverUsedByteIsRejectedAnywhere() {
        assertRejected("c1", MsgpackErrorKind.NEVER_USED_BYTE);
        assertRejected("9301c102", MsgpackErrorKind.NEVER_USED_BYTE);
        assertRejected("81a161c1", MsgpackErrorKind.NEVER_USED_BYTE);
    }

    @Test
    void everyFormatFamilyIsSizedExactly() {
        String[] values = {"00", "7f", "e0", "c0", "c2", "c3", "cc01", "cd0102", "ce01020304", "cf0102030405060708",
            "d0ff", "d1ffff", "d2ffffffff", "d3ffffffffffffffff", "ca3f800000", "cb3ff0000000000000", "a0", "a3616263",
            "d903616263", "da0003616263", "db00000003616263", "c403010203", "c50003010203", "c600000003010203",
            "90", "9301c0c3", "dc000201c0", "dd0000000201c0", "80", "81a16101", "de0001a16101", "df00000001a16101",
            "d40501", "d5050102", "d60501020304", "d7050102030405060708", "d805" + "00".repeat(16),
            "c702050102", "c80002050102", "c900000002050102", "c70005"};
        for (String v : values) {
            byte[] bytes = hex(v + "c3"); // followed by the next value
            MsgpackScanner scanner = new MsgpackScanner(MsgpackLimits.defaults());
            assertThat(scanner.scan(ByteBuffer.wrap(bytes), 0, bytes.length)).as(v).isEqualTo(bytes.length - 1);
            assertThat(scanByteByByte(hex(v), MsgpackLimits.defaults())).as(v).isNull();
        }
    }

    private static void assertRejected(String hex, MsgpackErrorKind expected) {
        assertThat(scanWhole(hex(hex), MsgpackLimits.defaults())).as(hex).isEqualTo(expected);
        assertThat(scanByteByByte(hex(hex), MsgpackLimits.defaults())).as(hex + " byte by byte").isEqualTo(expected);
    }

    /** Scans one value given whole as a datagram; null when valid and exactly the bytes given. */
    static MsgpackErrorKind scanWhole(byte[] value, MsgpackLimits limits) {
        MsgpackDatagramSplitter splitter = new MsgpackDatagramSplitter(limits);
        int[] count = {0};
        MsgpackErrorKind kind = splitter.split(ByteBuffer.wrap(value), v -> count[0]++);
        if (kind == null) {
            assertThat(count[0]).isEqualTo(1);
        }
        return kind;
    }

    /** Scans one value one byte per chunk as a stream; null when valid and exactly the bytes given. */
    static MsgpackErrorKind scanByteByByte(byte[] value, MsgpackLimits limits) {
        MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(limits);
        int[] lengths = {0, 0};
        for (byte b : value) {
            if (!splitter.feed(ByteBuffer.wrap(new byte[] {b}), v -> {
                lengths[0]++;
                lengths[1] = v.remaining();
            })) {
                return splitter.protocolError();
            }
        }
        if (splitter.endOfStream()) {
            return MsgpackErrorKind.TRUNCATED;
        }
        assertThat(lengths).containsExactly(1, value.length);
        return null;
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
