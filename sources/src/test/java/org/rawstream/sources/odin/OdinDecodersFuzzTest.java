package org.rawstream.sources.odin;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.rawstream.sources.fuzz.AllocationBound;

/**
 * Coverage-guided fuzz targets (Jazzer) for the ODIN-Stream decoders: a sequence of packets
 * through a whole receiver (header check, identifier, extended identifier and type descriptor
 * parsing, held data, sequence tracking, value decoding) and the TCP COBS frame decoder. Seeds in
 * {@code OdinDecodersFuzzTestInputs/<target>} are cut from testdata/vectors/odin; docs/fuzzing.md
 * says how to fuzz one.
 *
 * <p>Contract checked: nothing throws (bad input is counted by reason), every packet is counted,
 * held data stays within its limits, and allocation is bounded by the input length.
 */
class OdinDecodersFuzzTest {

    /** Small limits, so the fuzzer reaches them quickly. */
    private static final OdinReceiverConfig CONFIG = OdinReceiverConfig.builder().maxSchemas(4)
            .maxPendingIdentifiers(4).maxHeldPerIdentifier(4).maxHeldBytes(4096).reorderWindow(4)
            .resyncDistance(64).maxSchemaEntries(512).maxTypesPerIdentifier(8).maxPacketLength(2048).build();

    /**
     * The input is packets, each preceded by its length (u16, little-endian); the clock advances
     * by the packet's first byte so held data and reorder waits also expire.
     */
    @FuzzTest(maxDuration = "4h")
    void packets(byte[] data) {
        AllocationBound.check(64L * data.length, "ODIN packets", () -> {
            RecordingOutput out = new RecordingOutput();
            OdinReceiver receiver = new OdinReceiver(CONFIG, out);
            ByteBuffer input = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            long now = 0;
            int fed = 0;
            while (input.remaining() >= 2) {
                int length = Math.min(input.getShort() & 0xFFFF, input.remaining());
                ByteBuffer packet = input.slice(input.position(), length);
                input.position(input.position() + length);
                receiver.accept(packet, now);
                fed++;
                assertThat(receiver.heldBytes()).isLessThanOrEqualTo(CONFIG.maxHeldBytes());
                now += length == 0 ? 1 : (data[input.position() - length] & 0xFF) * 8L;
                receiver.advanceTime(now);
            }
            receiver.flush();
            assertThat(receiver.statistics().packets()).isEqualTo(fed);
            assertThat(receiver.heldBytes()).isZero();
        });
    }

    /** The input is a TCP byte stream, fed in chunks whose size comes from its first byte. */
    @FuzzTest(maxDuration = "4h")
    void cobsFrames(byte[] data) {
        int chunk = data.length == 0 ? 1 : 1 + (data[0] & 0xFF) * 3;
        long bound = CONFIG.maxPacketLength() + 16L * data.length
                + AllocationBound.PER_CHUNK_BYTES * AllocationBound.chunks(data.length, chunk);
        AllocationBound.check(bound, "ODIN COBS frames", () -> {
            OdinFrameDecoder decoder = new OdinFrameDecoder(CONFIG.maxPacketLength());
            long[] counts = new long[2];
            OdinFrameDecoder.Handler handler = new OdinFrameDecoder.Handler() {
                @Override
                public void packet(ByteBuffer packet) {
                    assertThat(packet.remaining()).isBetween(0, CONFIG.maxPacketLength());
                    OdinPackets.checkHeader(packet);
                    counts[0]++;
                }

                @Override
                public void invalid(OdinInvalidReason reason) {
                    assertThat(reason).isNotNull();
                    counts[1]++;
                }
            };
            for (int pos = 0; pos < data.length; pos += chunk) {
                decoder.feed(ByteBuffer.wrap(data, pos, Math.min(chunk, data.length - pos)), handler);
            }
            decoder.endOfStream(handler);
            assertThat(decoder.inFrame()).isFalse();
            // Every frame ends at a 0x00 (or the end of the stream), and empty frames are skipped.
            long zeros = 0;
            for (byte b : data) {
                zeros += b == 0 ? 1 : 0;
            }
            assertThat(counts[0] + counts[1]).isLessThanOrEqualTo(zeros + 1);
        });
    }
}
