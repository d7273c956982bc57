package org.rawstream.sources.msgpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;
import org.rawstream.sources.echo.TestChunking;
import org.rawstream.sources.echo.TestJson;
import org.rawstream.sources.echo.TestVectors;

/** stream.bin in every chunking (TCP) and in datagrams (UDP): exactly the listed values' bytes. */
class MsgpackStreamTest {
    private static final byte[] STREAM = TestVectors.bytes("msgpack/stream.bin");
    private static final List<Map<String, Object>> LISTED = listedValues();

    static Stream<Arguments> chunkings() {
        return TestChunking.plans().stream().flatMap(plan -> Stream.of(1L, 2L).map(seed -> Arguments.of(plan, seed)));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("chunkings")
    void streamInAnyChunkingGivesTheListedValues(String plan, long seed) {
        MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(MsgpackLimits.defaults());
        List<byte[]> got = new ArrayList<>();
        TestChunking.feed(STREAM, plan, seed,
                chunk -> assertThat(splitter.feed(chunk, v -> got.add(MsgpackValues.copy(v)))).isTrue());
        assertThat(splitter.endOfStream()).isFalse();

        assertThat(got).hasSize(241);
        int offset = 0;
        for (int i = 0; i < got.size(); i++) {
            Map<String, Object> listed = LISTED.get(i);
            assertThat((long) offset).as("value %d offset", i).isEqualTo(listed.get("offset"));
            assertThat((long) got.get(i).length).as("value %d length", i).isEqualTo(listed.get("length"));
            assertThat(sha256(got.get(i))).as("value %d sha256", i).isEqualTo(listed.get("sha256"));
            offset += got.get(i).length;
        }
        assertThat(splitter.values()).isEqualTo(241);
        assertThat(splitter.valueBytes()).isEqualTo(STREAM.length);
        if (plan.equals("all-at-once")) {
            assertThat(splitter.copiedValues()).isZero();
        }
    }

    @Test
    void everyValueDecodesLikeMsgpackCoreReadsTheWholeStream() throws Exception {
        List<ValueType> ours = new ArrayList<>();
        MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(MsgpackLimits.defaults());
        splitter.feed(ByteBuffer.wrap(STREAM), v -> ours.add(MsgpackValues.decode(v).getValueType()));

        List<ValueType> theirs = new ArrayList<>();
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(STREAM)) {
            while (unpacker.hasNext()) {
                theirs.add(unpacker.unpackValue().getValueType());
            }
        }
        assertThat(ours).hasSize(241).isEqualTo(theirs);
    }

    @Test
    void valuesInDirectBuffersDecodeToo() {
        ByteBuffer direct = ByteBuffer.allocateDirect(STREAM.length).put(STREAM).flip();
        List<String> types = new ArrayList<>();
        new MsgpackStreamSplitter(MsgpackLimits.defaults())
                .feed(direct, v -> types.add(MsgpackValues.decode(v).getValueType().name()));
        assertThat(types).hasSize(241);
    }

    @Test
    void datagramsOfWholeValuesGiveTheListedValues() {
        Random random = new Random(31);
        MsgpackDatagramSplitter splitter = new MsgpackDatagramSplitter(MsgpackLimits.defaults());
        List<byte[]> got = new ArrayList<>();
        int i = 0;
        while (i < LISTED.size()) {
            int n = 1 + random.nextInt(5);
            int from = offset(i);
            int to = i + n >= LISTED.size() ? STREAM.length : offset(i + n);
            ByteBuffer datagram = ByteBuffer.wrap(Arrays.copyOfRange(STREAM, from, to));
            assertThat(splitter.split(datagram, v -> got.add(MsgpackValues.copy(v)))).isNull();
            assertThat(datagram.hasRemaining()).isFalse();
            i += n;
        }
        assertThat(got).hasSize(241);
        for (int k = 0; k < got.size(); k++) {
            assertThat(sha256(got.get(k))).isEqualTo(LISTED.get(k).get("sha256"));
        }
        assertThat(splitter.droppedDatagrams()).isZero();
    }

    @Test
    void aDatagramWithAnyCutValueIsDroppedWhole() {
        MsgpackDatagramSplitter splitter = new MsgpackDatagramSplitter(MsgpackLimits.defaults());
        // Three whole values and the first bytes of a fourth (one that has more than one byte).
        int fourth = 3;
        while (((Long) LISTED.get(fourth).get("length")) < 3) {
            fourth++;
        }
        byte[] datagram = Arrays.copyOfRange(STREAM, offset(fourth - 3), offset(fourth) + 2);
        List<byte[]> got = new ArrayList<>();
        assertThat(splitter.split(ByteBuffer.wrap(datagram), v -> got.add(MsgpackValues.copy(v))))
                .isEqualTo(MsgpackErrorKind.TRUNCATED);
        assertThat(got).isEmpty();
        assertThat(splitter.errorCount(MsgpackErrorKind.TRUNCATED)).isEqualTo(1);
        // The splitter is fine for the next datagram.
        assertThat(splitter.split(ByteBuffer.wrap(STREAM, offset(0), offset(1)), v -> got.add(MsgpackValues.copy(v))))
                .isNull();
        assertThat(got).hasSize(1);
    }

    @Test
    void endOfStreamInsideAValueIsCountedAndEmitsNothing() {
        MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(MsgpackLimits.defaults());
        List<byte[]> got = new ArrayList<>();
        int cut = offset(10) + 1;
        while (cut == offset(11)) {
            cut++;
        }
        splitter.feed(ByteBuffer.wrap(STREAM, 0, cut), v -> got.add(MsgpackValues.copy(v)));
        assertThat(splitter.endOfStream()).isTrue();
        assertThat(got).hasSize(10);
        assertThat(splitter.errorCount(MsgpackErrorKind.TRUNCATED)).isEqualTo(1);
    }

    private static int offset(int index) {
        return ((Long) LISTED.get(index).get("offset")).intValue();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Map<String, Object>> listedValues() {
        Map<String, Object> doc = TestJson.object(TestJson.parse(TestVectors.text("msgpack/stream.json")));
        List<Map<String, Object>> values = new ArrayList<>();
        for (Object v : TestJson.array(doc.get("values"))) {
            values.add(TestJson.object(v));
        }
        assertThat(values).hasSize(((Long) doc.get("count")).intValue());
        return values;
    }
}
