package org.rawstream.sources.msgpack;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.rawstream.sources.fuzz.AllocationBound;

/**
 * Coverage-guided fuzz target (Jazzer) for the MessagePack pre-scan: one connection's bytes
 * through {@link MsgpackStreamSplitter} (the {@link MsgpackScanner} with the stream's partial-value
 * buffer) in chunks sized by the input's first byte, and the same bytes as one datagram through
 * {@link MsgpackDatagramSplitter}. Seeds in {@code MsgpackDecodersFuzzTestInputs/streamScanner}
 * are cut from testdata/vectors/msgpack; docs/fuzzing.md says how to fuzz it.
 *
 * <p>Contract checked: nothing throws, every value handed on is one complete value that
 * msgpack-core itself reads to its end, and allocation is bounded by the input length however
 * large the lengths and counts the headers claim.
 */
class MsgpackDecodersFuzzTest {

    private static final MsgpackLimits LIMITS = MsgpackLimits.builder().maxValueBytes(64 * 1024).maxDepth(16).build();

    @FuzzTest(maxDuration = "4h")
    void streamScanner(byte[] data) {
        int chunk = data.length == 0 ? 1 : 1 + (data[0] & 0xFF) * 7;
        long bound = 64L * data.length + AllocationBound.PER_CHUNK_BYTES * AllocationBound.chunks(data.length, chunk);
        AllocationBound.check(bound, "a MessagePack stream and datagram", () -> {
            MsgpackStreamSplitter stream = new MsgpackStreamSplitter(LIMITS);
            long[] bytes = {0};
            boolean alive = true;
            for (int pos = 0; pos < data.length && alive; pos += chunk) {
                alive = stream.feed(ByteBuffer.wrap(data, pos, Math.min(chunk, data.length - pos)), v -> {
                    assertThat(v.remaining()).isBetween(1, LIMITS.maxValueBytes());
                    bytes[0] += v.remaining();
                });
            }
            if (alive) {
                stream.endOfStream();
            } else {
                assertThat(stream.protocolError()).isNotNull();
            }
            assertThat(bytes[0]).isEqualTo(stream.valueBytes()).isLessThanOrEqualTo(data.length);
            new MsgpackDatagramSplitter(LIMITS).split(ByteBuffer.wrap(data), v -> bytes[0] -= v.remaining());
        });
        // The oracle allocates for itself (an unpacker per value): outside the measured runs.
        new MsgpackDatagramSplitter(LIMITS).split(ByteBuffer.wrap(data), MsgpackDecodersFuzzTest::readsToItsEnd);
    }

    /** msgpack-core agrees that a value the scanner accepted is one whole value. */
    private static void readsToItsEnd(ByteBuffer value) {
        int length = value.remaining();
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(value.duplicate())) {
            unpacker.skipValue();
            assertThat(unpacker.getTotalReadBytes()).isEqualTo(length);
        } catch (java.io.IOException e) {
            throw new AssertionError("msgpack-core cannot read a value the scanner accepted", e);
        }
    }
}
