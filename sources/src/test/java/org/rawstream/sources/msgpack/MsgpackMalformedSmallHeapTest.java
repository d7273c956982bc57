package org.rawstream.sources.msgpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rawstream.sources.echo.TestChunking;
import org.rawstream.sources.echo.TestVectors;

/**
 * Every msgpack {@code malformed/} vector is a counted protocol error, never an
 * OutOfMemoryError or StackOverflowError. Surefire runs this class alone in a JVM with a small
 * heap and stack (see sources/pom.xml, execution "small-heap"), where msgpack-core by itself
 * would fail on the huge declared lengths and the 200 000-level nesting.
 */
class MsgpackMalformedSmallHeapTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("array32_huge_count", MsgpackErrorKind.VALUE_ABOVE_CAP),
                Arguments.of("map32_huge_count", MsgpackErrorKind.VALUE_ABOVE_CAP),
                Arguments.of("bin32_huge_len", MsgpackErrorKind.VALUE_ABOVE_CAP),
                Arguments.of("str32_huge_len", MsgpackErrorKind.VALUE_ABOVE_CAP),
                Arguments.of("deep_nesting_200k", MsgpackErrorKind.DEPTH_ABOVE_CAP),
                Arguments.of("never_used_c1", MsgpackErrorKind.NEVER_USED_BYTE),
                Arguments.of("bad_timestamp_len", MsgpackErrorKind.BAD_TIMESTAMP_LENGTH),
                Arguments.of("bad_timestamp_nanos", MsgpackErrorKind.BAD_TIMESTAMP_NANOS),
                Arguments.of("truncated_str16", MsgpackErrorKind.TRUNCATED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tcpStreamCountsTheErrorAndKeepsWhatCameBefore(String name, MsgpackErrorKind kind) {
        byte[] good = TestVectors.bytes("msgpack/stream.bin");
        byte[] bad = malformed(name);
        byte[] stream = new byte[good.length + bad.length];
        System.arraycopy(good, 0, stream, 0, good.length);
        System.arraycopy(bad, 0, stream, good.length, bad.length);
        for (String plan : List.of("all-at-once", "one-byte", "random-4096")) {
            MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(MsgpackLimits.defaults());
            List<Integer> lengths = new ArrayList<>();
            assertThatCode(() -> {
                TestChunking.feed(stream, plan, 41, chunk -> splitter.feed(chunk, v -> {
                    lengths.add(v.remaining());
                    MsgpackValues.decode(v); // only pre-scanned bytes ever reach msgpack-core
                }));
                splitter.endOfStream();
            }).as(plan).doesNotThrowAnyException();
            assertThat(lengths).as(plan).hasSize(241); // nothing already emitted is lost
            assertThat(splitter.errorCount(kind)).as(plan).isEqualTo(1);
            if (kind != MsgpackErrorKind.TRUNCATED) {
                assertThat(splitter.protocolError()).as(plan).isEqualTo(kind);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void udpDatagramIsDroppedAndCounted(String name, MsgpackErrorKind kind) {
        MsgpackDatagramSplitter splitter = new MsgpackDatagramSplitter(MsgpackLimits.defaults());
        List<Integer> lengths = new ArrayList<>();
        assertThatCode(() -> assertThat(splitter.split(ByteBuffer.wrap(malformed(name)), v -> lengths.add(v.remaining())))
                .isEqualTo(kind)).doesNotThrowAnyException();
        assertThat(lengths).isEmpty();
        assertThat(splitter.errorCount(kind)).isEqualTo(1);
        assertThat(splitter.droppedDatagrams()).isEqualTo(1);
    }

    @Test
    void runsInTheSmallHeapJvmWhenSurefireLaunchesIt() {
        // Under "mvn test" the small-heap execution sets this property; a -Dtest run in the
        // default JVM skips the check.
        assumeTrue(Boolean.getBoolean("rawstream.smallHeap"));
        assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(256L * 1024 * 1024);
        assertThat(System.getProperty("rawstream.root")).isNotBlank();
    }

    @Test
    void hugeDeclaredLengthsAreRejectedFromTheHeaderAlone() {
        // The 5-byte header is enough: the error comes before any payload byte is awaited.
        for (String name : List.of("array32_huge_count", "map32_huge_count", "str32_huge_len")) {
            MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(MsgpackLimits.defaults());
            assertThat(splitter.feed(ByteBuffer.wrap(malformed(name)), v -> { })).as(name).isFalse();
        }
    }

    private static byte[] malformed(String name) {
        return TestVectors.bytes("msgpack/malformed/" + name + ".bin");
    }
}
