package org.rawstream.sources.echo;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.List;
import org.rawstream.sources.fuzz.AllocationBound;

/**
 * Coverage-guided fuzz targets (Jazzer) for the echo protocol: one connection's bytes through the
 * framer and the request (or response) parser, in chunks whose size comes from the input's first
 * byte. Seeds in {@code EchoDecodersFuzzTestInputs/<target>} are cut from testdata/vectors/echo;
 * docs/fuzzing.md says how to fuzz one.
 *
 * <p>Contract checked: nothing throws, a broken stream closes the parser with a reason, every
 * frame is accepted or counted, and allocation is bounded by the input length (a size field
 * claiming megabytes allocates nothing the peer did not send).
 */
class EchoDecodersFuzzTest {

    private static final int MAX_FRAME = 64 * 1024;

    @FuzzTest(maxDuration = "4h")
    void requests(byte[] data) {
        AllocationBound.check(bound(data), "echo requests", () -> parse(EchoParser.forRequests(MAX_FRAME), data));
    }

    @FuzzTest(maxDuration = "4h")
    void responses(byte[] data) {
        AllocationBound.check(bound(data), "echo responses", () -> parse(EchoParser.forResponses(MAX_FRAME), data));
    }

    /** Decoded messages copy what arrived (strings as UTF-16): a multiple of the input, plus per chunk. */
    private static long bound(byte[] data) {
        return 64L * data.length + AllocationBound.PER_CHUNK_BYTES * AllocationBound.chunks(data.length, chunkSize(data));
    }

    private static int chunkSize(byte[] data) {
        return data.length == 0 ? 1 : 1 + (data[0] & 0xFF) * 5;
    }

    private static <M> void parse(EchoParser<M> parser, byte[] data) {
        int chunk = chunkSize(data);
        long messages = 0;
        for (int pos = 0; pos < data.length; pos += chunk) {
            List<M> got = parser.feed(ByteBuffer.wrap(data, pos, Math.min(chunk, data.length - pos)));
            messages += got.size();
            if (parser.isClosed()) {
                assertThat(parser.protocolError()).isNotNull();
            }
        }
        parser.endOfStream();
        assertThat(parser.accepted()).isEqualTo(messages);
        // A frame is at least its 4-byte size field and 2 header bytes.
        assertThat(parser.accepted() + parser.totalErrors()).isLessThanOrEqualTo(data.length / 6 + 2);
    }
}
