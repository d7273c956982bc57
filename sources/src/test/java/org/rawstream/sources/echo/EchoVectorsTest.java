package org.rawstream.sources.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The echo vectors (testdata/vectors/echo): requests.bin/responses.bin in every chunking, and the malformed cases. */
class EchoVectorsTest {
    private static final byte[] REQUESTS = TestVectors.bytes("echo/requests.bin");
    private static final byte[] RESPONSES = TestVectors.bytes("echo/responses.bin");
    private static final List<EchoRequest> EXPECTED = expectedRequests();

    static Stream<Arguments> chunkings() {
        return TestChunking.plans().stream().flatMap(plan -> Stream.of(1L, 2L).map(seed -> Arguments.of(plan, seed)));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("chunkings")
    void requestsInAnyChunkingDecodeToTheListedRequests(String plan, long seed) {
        EchoParser<EchoRequest> parser = EchoParser.forRequests(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
        List<EchoRequest> got = new ArrayList<>();
        TestChunking.feed(REQUESTS, plan, seed, chunk -> got.addAll(parser.feed(chunk)));
        parser.endOfStream();

        assertThat(got).hasSize(301);
        assertThat(got).containsExactlyElementsOf(EXPECTED);
        assertThat(parser.totalErrors()).isZero();
        assertThat(parser.isClosed()).isFalse();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("chunkings")
    void serverPathAnswersWithResponsesBinByteForByte(String plan, long seed) {
        EchoFramer framer = new EchoFramer();
        EchoRequestView view = new EchoRequestView();
        ByteBuffer[] out = {ByteBuffer.allocate(64)};
        List<byte[]> payloads = new ArrayList<>();
        int[] ordinal = {0};
        TestChunking.feed(REQUESTS, plan, seed, chunk -> assertThat(framer.feed(chunk, payload -> {
            assertThat(view.wrap(payload)).isNull();
            payloads.add(view.copyPayload());
            out[0] = EchoBuilder.appendResponse(out[0], view, ordinal[0]++);
        })).isTrue());

        assertThat(framer.endOfStream()).isFalse();
        assertThat(ordinal[0]).isEqualTo(301);
        out[0].flip();
        byte[] written = new byte[out[0].remaining()];
        out[0].get(written);
        assertThat(written).isEqualTo(RESPONSES);
        // What RawStream stores: each payload exactly as received (the frame minus its size field).
        int pos = 0;
        for (byte[] payload : payloads) {
            int size = ByteBuffer.wrap(REQUESTS, pos, 4).getInt();
            assertThat(payload).isEqualTo(Arrays.copyOfRange(REQUESTS, pos + 4, pos + 4 + size));
            pos += 4 + size;
        }
        assertThat(pos).isEqualTo(REQUESTS.length);
        if (plan.equals("all-at-once")) {
            assertThat(framer.copiedFrames()).isZero(); // whole frames in a chunk are never copied
        }
    }

    @Test
    void valueResponsesFromTheRequestsEqualResponsesBin() {
        ByteBuffer out = null;
        for (int i = 0; i < EXPECTED.size(); i++) {
            out = EchoBuilder.appendResponse(out, EchoResponse.answering(EXPECTED.get(i), i));
        }
        out.flip();
        assertThat(Arrays.copyOf(out.array(), out.limit())).isEqualTo(RESPONSES);
    }

    @Test
    void buildingTheListedRequestsGivesRequestsBin() {
        ByteBuffer out = null;
        for (EchoRequest request : EXPECTED) {
            out = EchoBuilder.appendRequest(out, request);
        }
        out.flip();
        assertThat(Arrays.copyOf(out.array(), out.limit())).isEqualTo(REQUESTS);
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("chunkings")
    void responsesBinDecodesToTheAnswers(String plan, long seed) {
        EchoParser<EchoResponse> parser = EchoParser.forResponses(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
        List<EchoResponse> got = new ArrayList<>();
        TestChunking.feed(RESPONSES, plan, seed, chunk -> got.addAll(parser.feed(chunk)));
        assertThat(got).hasSize(301);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i)).isEqualTo(EchoResponse.answering(EXPECTED.get(i), i));
        }
    }

    @Test
    void specReferenceVectorIsTheFirstRequest() {
        byte[] reference = HexFormat.of().parseHex("00000035" + "0000" + "000000000000270F" + "00000004" + "74657374"
                + "0003" + "000100020003" + "00000017" + "57652068617665206120" + "6c6f7420696e20636f6d6d6f6e");
        assertThat(reference).hasSize(57).isEqualTo(Arrays.copyOf(REQUESTS, 57));
        EchoRequest expected = new EchoRequest((byte) 0, 9999, "test", new short[] {1, 2, 3}, "We have a lot in common");
        assertThat(EchoParser.forRequests(1024).feed(ByteBuffer.wrap(reference))).containsExactly(expected);
        // What a server stores for it: the payload, without the size field.
        assertThat(EchoBuilder.requestPayload(expected)).isEqualTo(Arrays.copyOfRange(reference, 4, 57));
    }

    // --- malformed/ cases, each as the vectors' README says ---

    static Stream<Arguments> closingCases() {
        return Stream.of(
                Arguments.of("negative_size", EchoErrorKind.FRAME_SIZE_NEGATIVE),
                Arguments.of("size_below_header", EchoErrorKind.FRAME_SIZE_BELOW_HEADER),
                Arguments.of("huge_size", EchoErrorKind.FRAME_SIZE_ABOVE_MAX));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("closingCases")
    void framingErrorsCloseTheConnection(String name, EchoErrorKind kind) {
        for (String plan : TestChunking.plans()) {
            EchoParser<EchoRequest> parser = EchoParser.forRequests(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
            List<EchoRequest> got = new ArrayList<>();
            TestChunking.feed(malformed(name), plan, 3, chunk -> got.addAll(parser.feed(chunk)));
            // Valid requests after the bad size field must not resurrect the stream.
            got.addAll(parser.feed(ByteBuffer.wrap(Arrays.copyOf(REQUESTS, 57))));
            parser.endOfStream();
            assertThat(got).as(plan).isEmpty();
            assertThat(parser.isClosed()).as(plan).isTrue();
            assertThat(parser.protocolError()).as(plan).isEqualTo(kind);
            assertThat(kind.closesConnection()).isTrue();
            assertThat(parser.errorCount(kind)).as(plan).isEqualTo(1);
            assertThat(parser.totalErrors()).as(plan).isEqualTo(1);
        }
    }

    static Stream<Arguments> rejectedFrameCases() {
        return Stream.of(
                Arguments.of("subject_len_past_frame", EchoErrorKind.FIELD_PAST_FRAME),
                Arguments.of("negative_metadata_count", EchoErrorKind.FIELD_LENGTH_NEGATIVE),
                Arguments.of("trailing_bytes", EchoErrorKind.TRAILING_BYTES));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedFrameCases")
    void badFieldsRejectTheFrameAndKeepTheConnection(String name, EchoErrorKind kind) {
        for (String plan : TestChunking.plans()) {
            EchoParser<EchoRequest> parser = EchoParser.forRequests(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
            List<EchoRequest> got = new ArrayList<>();
            byte[] stream = concat(malformed(name), Arrays.copyOf(REQUESTS, 57));
            TestChunking.feed(stream, plan, 4, chunk -> got.addAll(parser.feed(chunk)));
            parser.endOfStream();
            assertThat(kind.closesConnection()).isFalse();
            assertThat(parser.isClosed()).as(plan).isFalse();
            assertThat(parser.errorCount(kind)).as(plan).isEqualTo(1);
            assertThat(parser.totalErrors()).as(plan).isEqualTo(1);
            assertThat(got).as(plan).containsExactly(EXPECTED.get(0)); // the connection still works
        }
    }

    @Test
    void unknownApiKeyIsSkippedAndCountedThenTheValidFrameAccepted() {
        for (String plan : TestChunking.plans()) {
            EchoParser<EchoRequest> parser = EchoParser.forRequests(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
            List<EchoRequest> got = new ArrayList<>();
            TestChunking.feed(malformed("unknown_api_key_then_valid"), plan, 5, chunk -> got.addAll(parser.feed(chunk)));
            parser.endOfStream();
            assertThat(parser.errorCount(EchoErrorKind.UNKNOWN_API_KEY)).as(plan).isEqualTo(1);
            assertThat(parser.totalErrors()).as(plan).isEqualTo(1);
            assertThat(got).as(plan).containsExactly(
                    new EchoRequest((byte) 2, 7, "ok", new short[] {1}, "fine"));
        }
    }

    @Test
    void truncatedAtEofEmitsNothing() {
        for (String plan : TestChunking.plans()) {
            EchoParser<EchoRequest> parser = EchoParser.forRequests(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
            List<EchoRequest> got = new ArrayList<>();
            TestChunking.feed(malformed("truncated_at_eof"), plan, 6, chunk -> got.addAll(parser.feed(chunk)));
            assertThat(got).as(plan).isEmpty();
            parser.endOfStream();
            assertThat(got).as(plan).isEmpty();
            assertThat(parser.isClosed()).isFalse();
            assertThat(parser.errorCount(EchoErrorKind.TRUNCATED_AT_EOF)).as(plan).isEqualTo(1);
        }
    }

    static byte[] malformed(String name) {
        return TestVectors.bytes("echo/malformed/" + name + ".bin");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static List<EchoRequest> expectedRequests() {
        Map<String, Object> doc = TestJson.object(TestJson.parse(TestVectors.text("echo/requests.json")));
        List<EchoRequest> requests = new ArrayList<>();
        for (Object item : TestJson.array(doc.get("requests"))) {
            Map<String, Object> r = TestJson.object(item);
            assertThat(((Long) r.get("api_key")).intValue()).isZero();
            List<Object> meta = TestJson.array(r.get("metadata"));
            short[] metadata = new short[meta.size()];
            for (int i = 0; i < metadata.length; i++) {
                metadata[i] = ((Long) meta.get(i)).shortValue();
            }
            requests.add(new EchoRequest(((Long) r.get("sequence")).byteValue(), (Long) r.get("timestamp"),
                    (String) r.get("subject"), metadata, (String) r.get("body")));
        }
        return requests;
    }
}
