package org.rawstream.sources.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** parse(build(x)) == x for random messages, and seeded random/mutated input never breaks the parser. */
class EchoRoundTripFuzzTest {

    @Test
    void requestsRoundTripInAnyChunking() {
        Random random = new Random(11);
        List<EchoRequest> requests = new ArrayList<>();
        requests.add(new EchoRequest((byte) -128, Long.MIN_VALUE, new byte[0], new short[0], new byte[0]));
        requests.add(new EchoRequest((byte) 127, Long.MAX_VALUE, new byte[] {(byte) 0xFF, 0, (byte) 0xC3},
                new short[Short.MAX_VALUE], new byte[] {(byte) 0x80}));
        for (int i = 0; i < 500; i++) {
            requests.add(randomRequest(random));
        }
        ByteBuffer out = null;
        for (EchoRequest r : requests) {
            out = EchoBuilder.appendRequest(out, r);
        }
        byte[] wire = Arrays.copyOf(out.array(), out.position());
        for (String plan : TestChunking.plans()) {
            EchoParser<EchoRequest> parser = EchoParser.forRequests(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
            List<EchoRequest> got = new ArrayList<>();
            TestChunking.feed(wire, plan, 12, chunk -> got.addAll(parser.feed(chunk)));
            assertThat(got).as(plan).containsExactlyElementsOf(requests);
            assertThat(parser.totalErrors()).isZero();
        }
    }

    @Test
    void responsesRoundTrip() {
        Random random = new Random(13);
        List<EchoResponse> responses = new ArrayList<>();
        ByteBuffer out = ByteBuffer.allocate(16);
        for (int i = 0; i < 500; i++) {
            EchoResponse r = EchoResponse.answering(randomRequest(random), random.nextInt());
            responses.add(r);
            out = EchoBuilder.appendResponse(out, r);
        }
        byte[] wire = Arrays.copyOf(out.array(), out.position());
        EchoParser<EchoResponse> parser = EchoParser.forResponses(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
        List<EchoResponse> got = new ArrayList<>();
        TestChunking.feed(wire, "random-300", 14, chunk -> got.addAll(parser.feed(chunk)));
        assertThat(got).containsExactlyElementsOf(responses);
    }

    @Test
    void viewResponseEqualsValueResponse() {
        Random random = new Random(15);
        EchoRequestView view = new EchoRequestView();
        for (int i = 0; i < 200; i++) {
            EchoRequest request = randomRequest(random);
            ByteBuffer frame = EchoBuilder.appendRequest(null, request).flip();
            frame.position(EchoFramer.SIZE_FIELD_BYTES);
            assertThat(view.wrap(frame)).isNull();
            assertThat(view.toRequest()).isEqualTo(request);
            ByteBuffer fromView = EchoBuilder.appendResponse(null, view, i).flip();
            ByteBuffer fromValue = EchoBuilder.appendResponse(null, EchoResponse.answering(request, i)).flip();
            assertThat(fromView).isEqualTo(fromValue);
        }
    }

    @Test
    void maxFrameSizeIsInclusive() {
        EchoRequest request = new EchoRequest((byte) 1, 2, "s", new short[] {3}, "b");
        int size = EchoBuilder.requestPayloadSize(request);
        ByteBuffer wire = EchoBuilder.appendRequest(null, request).flip();
        assertThat(EchoParser.forRequests(size).feed(wire.duplicate())).containsExactly(request);
        EchoParser<EchoRequest> tooSmall = EchoParser.forRequests(size - 1);
        assertThat(tooSmall.feed(wire.duplicate())).isEmpty();
        assertThat(tooSmall.protocolError()).isEqualTo(EchoErrorKind.FRAME_SIZE_ABOVE_MAX);
    }

    @Test
    void builderRejectsLittleEndianBuffers() {
        ByteBuffer le = ByteBuffer.allocate(256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        EchoRequest request = new EchoRequest((byte) 1, 2, "s", new short[0], "b");
        assertThatThrownBy(() -> EchoBuilder.appendRequest(le, request)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomBytesNeverThrowAndEveryFrameIsAccountedFor() {
        Random random = new Random(21);
        for (int round = 0; round < 2000; round++) {
            byte[] junk = new byte[random.nextInt(200)];
            random.nextBytes(junk);
            if (random.nextBoolean() && junk.length >= 4) {
                ByteBuffer.wrap(junk).putInt(random.nextInt(junk.length)); // plausible size field
            }
            checkInvariants(junk, random.nextLong(), 1 << 10);
        }
    }

    @Test
    void mutatedValidStreamsNeverThrowAndEveryFrameIsAccountedFor() {
        byte[] valid = Arrays.copyOf(TestVectors.bytes("echo/requests.bin"), 20_000);
        Random random = new Random(22);
        for (int round = 0; round < 300; round++) {
            byte[] mutated = valid.clone();
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(mutated.length);
                switch (random.nextInt(3)) {
                    case 0:
                        mutated[at] = (byte) random.nextInt(256);
                        break;
                    case 1:
                        mutated[at] ^= (byte) (1 << random.nextInt(8));
                        break;
                    default:
                        mutated[at] = random.nextBoolean() ? (byte) 0xFF : 0;
                }
            }
            int cut = random.nextInt(4) == 0 ? random.nextInt(mutated.length) : mutated.length;
            checkInvariants(Arrays.copyOf(mutated, cut), random.nextLong(), EchoFramer.DEFAULT_MAX_FRAME_SIZE);
        }
    }

    /**
     * Whatever the input: no exception, every accepted request re-encodes to exactly its frame's
     * payload, and each frame is either accepted or counted, in every chunking alike.
     */
    private static void checkInvariants(byte[] input, long seed, int maxFrameSize) {
        List<EchoRequest> reference = null;
        for (String plan : List.of("all-at-once", "one-byte", "random-13")) {
            EchoParser<EchoRequest> parser = EchoParser.forRequests(maxFrameSize);
            List<EchoRequest> got = new ArrayList<>();
            TestChunking.feed(input, plan, seed, chunk -> got.addAll(parser.feed(chunk)));
            parser.endOfStream();
            assertThat(parser.accepted()).isEqualTo(got.size());
            if (reference == null) {
                reference = got;
            } else {
                assertThat(got).as(plan).isEqualTo(reference);
            }
        }
        EchoFramer framer = new EchoFramer(maxFrameSize);
        EchoRequestView view = new EchoRequestView();
        long[] accepted = {0};
        long[] rejected = {0};
        framer.feed(ByteBuffer.wrap(input), payload -> {
            ByteBuffer before = payload.duplicate();
            if (view.wrap(payload) == null) {
                accepted[0]++;
                ByteBuffer rebuilt = EchoBuilder.appendRequest(null, view.toRequest()).flip();
                rebuilt.position(EchoFramer.SIZE_FIELD_BYTES);
                assertThat(rebuilt).isEqualTo(before);
            } else {
                rejected[0]++;
            }
            assertThat(payload).isEqualTo(before); // validation does not move the view
        });
        assertThat(accepted[0] + rejected[0]).isEqualTo(framer.frames());
        assertThat(accepted[0]).isEqualTo(reference.size());
    }

    static EchoRequest randomRequest(Random random) {
        byte[] subject = new byte[random.nextInt(40)];
        random.nextBytes(subject);
        short[] metadata = new short[random.nextInt(30)];
        for (int i = 0; i < metadata.length; i++) {
            metadata[i] = (short) random.nextInt();
        }
        byte[] body = new byte[random.nextInt(4) == 0 ? random.nextInt(20_000) : random.nextInt(300)];
        random.nextBytes(body);
        return new EchoRequest((byte) random.nextInt(), random.nextLong(), subject, metadata, body);
    }
}
