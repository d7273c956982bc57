package org.rawstream.sources.msgpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.rawstream.sources.echo.TestChunking;
import org.rawstream.sources.echo.TestVectors;

/** Seeded random and mutated input: the splitters never throw, and agree with msgpack-core on what they accept. */
class MsgpackFuzzTest {

    @Test
    void randomValidValuesFromMsgpackCoreSplitExactly() throws IOException {
        Random random = new Random(51);
        MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();
        List<Integer> ends = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            packRandom(packer, random, 0);
            ends.add((int) packer.getTotalWrittenBytes());
        }
        byte[] stream = packer.toByteArray();
        for (String plan : TestChunking.plans()) {
            MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(MsgpackLimits.defaults());
            List<Integer> got = new ArrayList<>();
            long[] offset = {0};
            TestChunking.feed(stream, plan, 52, chunk -> splitter.feed(chunk, v -> {
                offset[0] += v.remaining();
                got.add((int) offset[0]);
            }));
            assertThat(splitter.endOfStream()).isFalse();
            assertThat(got).as(plan).isEqualTo(ends);
        }
    }

    @Test
    void mutatedStreamsNeverThrowAndAgreeAcrossChunkings() {
        byte[] valid = TestVectors.bytes("msgpack/stream.bin");
        Random random = new Random(53);
        for (int round = 0; round < 150; round++) {
            // From the start (value boundaries intact) or from anywhere (misaligned garbage).
            int start = random.nextBoolean() ? 0 : random.nextInt(valid.length - 8000);
            byte[] mutated = Arrays.copyOfRange(valid, start, start + 2000 + random.nextInt(6000));
            int flips = 1 + random.nextInt(6);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(mutated.length);
                int how = random.nextInt(4);
                mutated[at] = how == 0 ? (byte) random.nextInt(256)
                        : how == 1 ? (byte) (mutated[at] ^ (1 << random.nextInt(8)))
                        : how == 2 ? (byte) 0xC1 : (byte) (0xDC + random.nextInt(4));
            }
            checkInvariants(mutated, random.nextLong(), MsgpackLimits.defaults());
        }
    }

    @Test
    void randomBytesNeverThrowAndAgreeAcrossChunkings() {
        Random random = new Random(54);
        MsgpackLimits small = MsgpackLimits.builder().maxValueBytes(4096).maxDepth(8).build();
        for (int round = 0; round < 1500; round++) {
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            checkInvariants(junk, random.nextLong(), random.nextBoolean() ? small : MsgpackLimits.defaults());
        }
    }

    /**
     * Same values and outcome in every chunking and as datagrams; every emitted value is exactly
     * one value to msgpack-core too (it decodes it and reads exactly its bytes).
     */
    private static void checkInvariants(byte[] input, long seed, MsgpackLimits limits) {
        List<byte[]> reference = null;
        MsgpackErrorKind referenceError = null;
        for (String plan : List.of("all-at-once", "one-byte", "random-17")) {
            MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(limits);
            List<byte[]> got = new ArrayList<>();
            TestChunking.feed(input, plan, seed, chunk -> splitter.feed(chunk, v -> got.add(MsgpackValues.copy(v))));
            splitter.endOfStream();
            if (reference == null) {
                reference = got;
                referenceError = splitter.protocolError();
                for (byte[] value : got) {
                    assertMsgpackCoreReadsExactly(value);
                }
            } else {
                assertThat(got).as(plan).hasSameSizeAs(reference);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).isEqualTo(reference.get(i));
                }
                assertThat(splitter.protocolError()).as(plan).isEqualTo(referenceError);
            }
        }
        // The emitted values are a prefix of the input.
        int offset = 0;
        for (byte[] value : reference) {
            assertThat(Arrays.copyOfRange(input, offset, offset + value.length)).isEqualTo(value);
            offset += value.length;
        }
        // As one datagram: all those values when the whole input is valid, else nothing.
        MsgpackDatagramSplitter datagrams = new MsgpackDatagramSplitter(limits);
        int[] count = {0};
        MsgpackErrorKind kind = datagrams.split(ByteBuffer.wrap(input), v -> count[0]++);
        if (kind == null) {
            assertThat(count[0]).isEqualTo(reference.size());
            assertThat(offset).isEqualTo(input.length);
        } else {
            assertThat(count[0]).isZero();
        }
    }

    private static void assertMsgpackCoreReadsExactly(byte[] value) {
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(value)) {
            unpacker.unpackValue();
            assertThat(unpacker.getTotalReadBytes()).isEqualTo(value.length);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void packRandom(MessageBufferPacker p, Random r, int depth) throws IOException {
        int kind = r.nextInt(depth > 6 ? 10 : 13);
        switch (kind) {
            case 0:
                p.packNil();
                break;
            case 1:
                p.packBoolean(r.nextBoolean());
                break;
            case 2:
                p.packLong(r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(300) - 150);
                break;
            case 3:
                p.packDouble(r.nextDouble());
                break;
            case 4:
                p.packFloat(r.nextFloat());
                break;
            case 5:
                p.packString("s".repeat(r.nextInt(4) == 0 ? r.nextInt(70_000) : r.nextInt(40)));
                break;
            case 6: {
                byte[] bin = new byte[r.nextInt(4) == 0 ? r.nextInt(70_000) : r.nextInt(40)];
                r.nextBytes(bin);
                p.packBinaryHeader(bin.length).writePayload(bin);
                break;
            }
            case 7: {
                byte[] data = new byte[r.nextInt(20)];
                r.nextBytes(data);
                p.packExtensionTypeHeader((byte) r.nextInt(100), data.length).writePayload(data);
                break;
            }
            case 8:
                p.packTimestamp(Instant.ofEpochSecond(r.nextLong() >> 30, r.nextInt(1_000_000_000)));
                break;
            case 9:
                p.packBigInteger(java.math.BigInteger.valueOf(r.nextLong()).abs().shiftLeft(1));
                break;
            case 10:
            case 11: {
                if (r.nextInt(10) == 0) {
                    int n = r.nextInt(70_000); // array16/array32 of small ints
                    p.packArrayHeader(n);
                    for (int i = 0; i < n; i++) {
                        p.packInt(i);
                    }
                    break;
                }
                int n = r.nextInt(6);
                p.packArrayHeader(n);
                for (int i = 0; i < n; i++) {
                    packRandom(p, r, depth + 1);
                }
                break;
            }
            default: {
                int n = r.nextInt(6);
                p.packMapHeader(n);
                for (int i = 0; i < 2 * n; i++) {
                    packRandom(p, r, depth + 1);
                }
            }
        }
    }
}
