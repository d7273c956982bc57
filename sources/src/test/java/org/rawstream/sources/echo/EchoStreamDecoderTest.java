package org.rawstream.sources.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.NamedCounters;

/** The server-side decoder with a recording connection: responses in order, held until durable. */
class EchoStreamDecoderTest {
    private static final byte[] REQUESTS = TestVectors.bytes("echo/requests.bin");
    private static final byte[] RESPONSES = TestVectors.bytes("echo/responses.bin");

    @Test
    void receivedModeAnswersEveryRequestWithResponsesBinInAnyChunking() {
        for (String plan : TestChunking.plans()) {
            RecordingConnection connection = new RecordingConnection();
            NamedCounters counters = new NamedCounters();
            EchoStreamDecoder decoder = new EchoStreamDecoder(connection, false, EchoFramer.DEFAULT_MAX_FRAME_SIZE, counters);
            List<byte[]> records = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            TestChunking.feed(REQUESTS, plan, 61,
                    chunk -> assertThat(decoder.feed(chunk, records::add, errors::add)).isTrue());
            decoder.endOfStream(records::add, errors::add);
            assertThat(records).as(plan).hasSize(301);
            assertThat(errors).isEmpty();
            assertThat(connection.sent.toByteArray()).as(plan).isEqualTo(RESPONSES);
            assertThat(counters.get(EchoStreamDecoder.REQUESTS)).isEqualTo(301);
            assertThat(counters.get(EchoStreamDecoder.RESPONSES_SENT)).isEqualTo(301);
            assertThat(decoder.awaitingAcknowledgement()).isFalse();
        }
    }

    @Test
    void durableModeHoldsResponsesUntilAcknowledged() {
        RecordingConnection connection = new RecordingConnection();
        NamedCounters counters = new NamedCounters();
        EchoStreamDecoder decoder = new EchoStreamDecoder(connection, true, EchoFramer.DEFAULT_MAX_FRAME_SIZE, counters);
        List<byte[]> records = new ArrayList<>();
        TestChunking.feed(REQUESTS, "random-4096", 62, chunk -> decoder.feed(chunk, records::add, kind -> { }));
        decoder.endOfStream(records::add, kind -> { });
        assertThat(records).hasSize(301);
        assertThat(connection.sent.size()).as("nothing before the checkpoint completes").isZero();
        assertThat(decoder.awaitingAcknowledgement()).isTrue();
        assertThat(counters.get(EchoStreamDecoder.RESPONSES_PENDING)).isEqualTo(301);

        decoder.acknowledge(100);
        int firstHundred = responsesLength(100);
        assertThat(connection.sent.toByteArray()).isEqualTo(Arrays.copyOf(RESPONSES, firstHundred));
        decoder.acknowledge(100); // repeated: nothing more
        decoder.acknowledge(50); // never decreases in practice; ignored
        assertThat(connection.sent.size()).isEqualTo(firstHundred);

        decoder.acknowledge(301);
        assertThat(connection.sent.toByteArray()).isEqualTo(RESPONSES);
        assertThat(decoder.awaitingAcknowledgement()).isFalse();
        assertThat(counters.get(EchoStreamDecoder.RESPONSES_PENDING)).isZero();
        assertThat(counters.get(EchoStreamDecoder.RESPONSES_SENT)).isEqualTo(301);
    }

    @Test
    void rejectedFramesGetNoResponseAndDoNotTakeAnId() {
        RecordingConnection connection = new RecordingConnection();
        EchoStreamDecoder decoder = new EchoStreamDecoder(connection, false, 1024, new NamedCounters());
        List<byte[]> records = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        byte[] stream = EchoVectorsTest.concat(EchoVectorsTest.malformed("trailing_bytes"),
                EchoVectorsTest.malformed("unknown_api_key_then_valid"));
        assertThat(decoder.feed(ByteBuffer.wrap(stream), records::add, errors::add)).isTrue();
        assertThat(errors).containsExactly("trailingBytes", "unknownApiKey");
        assertThat(records).hasSize(1);
        List<EchoResponse> responses = EchoParser.forResponses(1024).feed(ByteBuffer.wrap(connection.sent.toByteArray()));
        assertThat(responses).extracting(EchoResponse::id).containsExactly(0);
    }

    @Test
    void framingErrorAnswersWhatCameBeforeThenClosesTheConnection() {
        RecordingConnection connection = new RecordingConnection();
        EchoStreamDecoder decoder = new EchoStreamDecoder(connection, false, EchoFramer.DEFAULT_MAX_FRAME_SIZE, new NamedCounters());
        List<String> errors = new ArrayList<>();
        byte[] stream = EchoVectorsTest.concat(Arrays.copyOf(REQUESTS, 57), EchoVectorsTest.malformed("huge_size"));
        assertThat(decoder.feed(ByteBuffer.wrap(stream), r -> { }, errors::add)).isFalse();
        assertThat(errors).containsExactly("frameSizeAboveMax");
        assertThat(connection.sent.toByteArray()).isEqualTo(Arrays.copyOf(RESPONSES, responsesLength(1)));
    }

    @Test
    void truncatedFrameAtEndOfStreamIsCountedNotEmitted() {
        EchoStreamDecoder decoder = new EchoStreamDecoder(new RecordingConnection(), false,
                EchoFramer.DEFAULT_MAX_FRAME_SIZE, new NamedCounters());
        List<byte[]> records = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        decoder.feed(ByteBuffer.wrap(EchoVectorsTest.malformed("truncated_at_eof")), records::add, errors::add);
        decoder.endOfStream(records::add, errors::add);
        assertThat(records).isEmpty();
        assertThat(errors).containsExactly("truncatedAtEof");
    }

    @Test
    void heldResponsesCountAsHeldBytesAndAClosedConnectionSettlesTheGauge() {
        RecordingConnection connection = new RecordingConnection();
        NamedCounters counters = new NamedCounters();
        EchoStreamDecoder decoder = new EchoStreamDecoder(connection, true, EchoFramer.DEFAULT_MAX_FRAME_SIZE, counters);
        decoder.feed(ByteBuffer.wrap(REQUESTS), r -> { }, kind -> { });
        assertThat(connection.closed).as("flow control is the server's: the decoder never closes").isFalse();
        assertThat(decoder.heldBytes()).isEqualTo(RESPONSES.length);
        decoder.acknowledge(100);
        assertThat(decoder.heldBytes()).isEqualTo(RESPONSES.length - responsesLength(100));
        assertThat(counters.get(EchoStreamDecoder.RESPONSES_PENDING)).isEqualTo(201);

        decoder.connectionClosed();
        assertThat(counters.get(EchoStreamDecoder.RESPONSES_PENDING)).isZero();
        assertThat(counters.get(EchoStreamDecoder.RESPONSES_UNSENT)).isEqualTo(201);
        assertThat(decoder.awaitingAcknowledgement()).isFalse();
    }

    private static int responsesLength(int count) {
        int pos = 0;
        for (int i = 0; i < count; i++) {
            pos += 4 + ByteBuffer.wrap(RESPONSES, pos, 4).getInt();
        }
        return pos;
    }

    /** Records what the decoder writes back. */
    static final class RecordingConnection implements ConnectionContext {
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        boolean closed;

        @Override
        public long connectionId() {
            return 1;
        }

        @Override
        public InetSocketAddress remote() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public void send(ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            sent.writeBytes(copy);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
