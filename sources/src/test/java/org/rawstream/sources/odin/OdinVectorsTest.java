package org.rawstream.sources.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 20 packets of {@code packets.json} through codec and receiver, one at a time, each checked
 * against its {@code expect} entry; and the same packets out of {@code tcp_cobs.bin} through the
 * COBS deframer in random chunkings.
 */
class OdinVectorsTest {

    private static final int FIRST = 27829;
    private static final int SECOND = 46931;

    private final List<OdinTestVectors.VectorPacket> vectors = OdinTestVectors.packets();

    @Test
    void vectorsAreTheTwentyPacketsOfTheReadme() {
        assertThat(vectors).hasSize(20);
    }

    @Test
    void eachPacketIsHandledAsItsExpectEntrySays() {
        verifyReceiver(packetsOf(vectors));
    }

    @Test
    void tcpStreamInRandomChunkingsYieldsTheSamePackets() {
        byte[] stream = OdinTestVectors.bytes("tcp_cobs.bin");
        Random random = new Random(5);
        List<Integer> chunkSizes = new ArrayList<>(List.of(1, 2, 3, 7, stream.length));
        for (int i = 0; i < 50; i++) {
            chunkSizes.add(0); // 0: random sizes per chunk
        }
        for (int chunkSize : chunkSizes) {
            CollectingFrameHandler handler = new CollectingFrameHandler();
            List<byte[]> packets = handler.packets;
            List<OdinInvalidReason> errors = handler.errors;
            OdinFrameDecoder decoder = new OdinFrameDecoder(65535);
            for (int at = 0; at < stream.length; ) {
                int n = chunkSize > 0 ? chunkSize : 1 + random.nextInt(64);
                n = Math.min(n, stream.length - at);
                decoder.feed(ByteBuffer.wrap(stream, at, n).slice(), handler);
                at += n;
            }
            decoder.endOfStream(handler);
            assertThat(errors).as("chunk size %d", chunkSize).isEmpty();
            assertThat(packets).as("chunk size %d", chunkSize).hasSize(20);
            for (int i = 0; i < 20; i++) {
                assertThat(packets.get(i)).as("packet %d", i).isEqualTo(vectors.get(i).bytes);
            }
        }
        // And the deframed packets give the same receiver results as the datagrams.
        CollectingFrameHandler all = new CollectingFrameHandler();
        new OdinFrameDecoder(65535).feed(ByteBuffer.wrap(stream), all);
        verifyReceiver(all.packets);
    }

    @Test
    void badCrcFrameIsCountedAndTheNextFrameAccepted() {
        byte[] stream = OdinTestVectors.bytes("tcp_cobs_bad_crc.bin");
        for (int chunkSize = 1; chunkSize <= stream.length; chunkSize++) {
            CollectingFrameHandler handler = new CollectingFrameHandler();
            OdinFrameDecoder decoder = new OdinFrameDecoder(65535);
            for (int at = 0; at < stream.length; at += chunkSize) {
                decoder.feed(ByteBuffer.wrap(stream, at, Math.min(chunkSize, stream.length - at)), handler);
            }
            decoder.endOfStream(handler);
            assertThat(handler.errors).containsExactly(OdinInvalidReason.BAD_CRC);
            assertThat(handler.packets).hasSize(1);
            assertThat(OdinPackets.checkHeader(ByteBuffer.wrap(handler.packets.get(0)))).isNull();
        }
    }

    private static List<byte[]> packetsOf(List<OdinTestVectors.VectorPacket> vectors) {
        List<byte[]> packets = new ArrayList<>();
        for (OdinTestVectors.VectorPacket v : vectors) {
            packets.add(v.bytes);
        }
        return packets;
    }

    /** Feeds {@code packets} (the 20 vectors in order) and checks every expectation and counter. */
    @SuppressWarnings("unchecked") // JSON shapes fixed by the vectors
    private void verifyReceiver(List<byte[]> packets) {
        assertThat(packets).hasSize(vectors.size());
        RecordingOutput out = new RecordingOutput();
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), out);
        OdinStatistics stats = receiver.statistics();
        Map<Long, OdinElementType> types = elementTypes();
        List<byte[]> expectedRaw = new ArrayList<>();
        List<byte[]> heldBeforeSchema = new ArrayList<>();
        long now = 1_000;

        for (int i = 0; i < packets.size(); i++) {
            OdinTestVectors.VectorPacket v = vectors.get(i);
            byte[] packet = packets.get(i);
            assertThat(packet).isEqualTo(v.bytes);
            Map<String, Object> expect = v.expect;
            long invalidBefore = stats.invalidTotal();
            int rawBefore = out.raw.size();
            receiver.accept(ByteBuffer.wrap(packet), now++);

            switch (v.kind()) {
                case "invalid": {
                    assertThat(stats.invalidTotal()).as("%s", v).isEqualTo(invalidBefore + 1);
                    assertThat(stats.invalid(reasonFor((String) expect.get("note")))).as("%s", v).isEqualTo(1);
                    assertThat(out.raw).as("%s", v).hasSize(rawBefore);
                    break;
                }
                case "data": {
                    assertThat(stats.invalidTotal()).as("%s", v).isEqualTo(invalidBefore);
                    if (!expect.containsKey("identifier")) {
                        // arrives before its schema: held, nothing passed on yet
                        assertThat(stats.dataHeld()).isEqualTo(1);
                        assertThat(out.raw).hasSize(rawBefore);
                        heldBeforeSchema.add(packet);
                    } else {
                        expectedRaw.add(packet);
                        assertThat(out.raw.get(out.raw.size() - 1).bytes).isEqualTo(packet);
                    }
                    break;
                }
                case "identifier": {
                    int id = number(expect.get("identifier")).intValue();
                    OdinSchema schema = receiver.schema(id);
                    assertThat(schema).as("%s", v).isNotNull();
                    assertThat(schema.definition()).isEqualTo(number(expect.get("definition")).longValue());
                    List<List<Object>> entries = (List<List<Object>>) expect.get("entries");
                    assertThat(schema.entryCount()).isEqualTo(entries.size());
                    for (int e = 0; e < entries.size(); e++) {
                        assertThat(schema.index(e)).isEqualTo(number(entries.get(e).get(0)).longValue());
                        assertThat(schema.size(e)).isEqualTo(number(entries.get(e).get(1)).intValue());
                    }
                    // held data comes out first (arrival order), then the schema packet itself
                    expectedRaw.addAll(heldBeforeSchema);
                    heldBeforeSchema.clear();
                    expectedRaw.add(packet);
                    break;
                }
                case "event": {
                    OdinEvent event = out.events.get(out.events.size() - 1);
                    assertThat(event.eventId()).isEqualTo(number(expect.get("event")).intValue());
                    assertThat(event.timestamp()).isEqualTo(number(expect.get("timestamp")).longValue());
                    assertThat(event.payload()).isEqualTo(java.util.HexFormat.of().parseHex((String) expect.get("payload_hex")));
                    expectedRaw.add(packet);
                    break;
                }
                case "identifier_ext": {
                    expectedRaw.add(packet);
                    OdinSchema schema = receiver.schema(FIRST);
                    if (expect.containsKey("names")) {
                        assertThat(schema.isNamed()).isTrue();
                        Map<String, Object> names = (Map<String, Object>) expect.get("names");
                        Map<String, Object> typeCodes = (Map<String, Object>) expect.get("types");
                        assertThat(schema.entryCount()).isEqualTo(names.size());
                        for (int e = 0; e < schema.entryCount(); e++) {
                            String key = String.format("0x%08x", schema.index(e));
                            assertThat(schema.name(e)).isEqualTo(names.get(key));
                            assertThat(schema.elementType(e).code()).isEqualTo(number(typeCodes.get(key)).intValue());
                        }
                    } else {
                        assertThat(schema.isNamed()).as("first half only").isFalse();
                    }
                    break;
                }
                default:
                    throw new AssertionError("unexpected kind " + v.kind());
            }
        }
        receiver.flush();

        // Every valid packet's exact bytes, in arrival order (held data just before its schema).
        assertThat(out.raw).hasSize(expectedRaw.size());
        for (int i = 0; i < expectedRaw.size(); i++) {
            assertThat(out.raw.get(i).bytes).as("raw %d", i).isEqualTo(expectedRaw.get(i));
        }

        // Released in sequence order through the wrap; 5..8 lost, 10 rejected.
        assertThat(out.sequences(FIRST)).containsExactly(65534, 65535, 0, 1, 2, 3, 4, 9, 11);
        assertThat(out.sequences(SECOND)).containsExactly(0);

        // Values and named values of each data expectation.
        for (OdinTestVectors.VectorPacket v : vectors) {
            if (!"data".equals(v.kind()) || !v.expect.containsKey("identifier")) {
                continue;
            }
            OdinDataValues values = out.data(number(v.expect.get("identifier")).intValue(),
                    number(v.expect.get("sequence")).intValue());
            assertThat(values.packetBytes()).isEqualTo(v.bytes);
            if (v.expect.containsKey("timestamp")) {
                assertThat(values.timestamp()).isEqualTo(number(v.expect.get("timestamp")).longValue());
            }
            if (v.expect.containsKey("values")) {
                List<List<Object>> expected = (List<List<Object>>) v.expect.get("values");
                assertThat(values.entryCount()).isEqualTo(expected.size());
                for (int e = 0; e < expected.size(); e++) {
                    assertThat(values.index(e)).isEqualTo(number(expected.get(e).get(0)).longValue());
                    Object decoded = values.valueAs(e, types.get(values.index(e)));
                    assertThat(number(decoded).doubleValue()).as("%s entry %d", v, e)
                            .isEqualTo(number(expected.get(e).get(1)).doubleValue());
                }
            }
            if (v.expect.containsKey("named")) {
                Map<String, Object> expected = (Map<String, Object>) v.expect.get("named");
                Map<String, Object> named = values.namedValues();
                assertThat(named.keySet()).containsExactlyElementsOf(expected.keySet());
                for (Map.Entry<String, Object> e : expected.entrySet()) {
                    assertThat(number(named.get(e.getKey())).doubleValue()).as(e.getKey())
                            .isEqualTo(number(e.getValue()).doubleValue());
                }
            }
        }
        OdinEvent event = out.events.get(0);
        assertThat(out.events).hasSize(1);
        assertThat(event.sequence()).isZero();

        // Counters agree.
        assertThat(stats.packets()).isEqualTo(20);
        assertThat(stats.packetsOfType(OdinPacketType.DATA)).isEqualTo(11);
        assertThat(stats.packetsOfType(OdinPacketType.IDENTIFIER)).isEqualTo(3);
        assertThat(stats.packetsOfType(OdinPacketType.EXTENDED_IDENTIFIER)).isEqualTo(2);
        assertThat(stats.packetsOfType(OdinPacketType.EVENT)).isEqualTo(1);
        assertThat(stats.packetsOfType(OdinPacketType.TYPE_DESCRIPTOR)).isZero();
        assertThat(stats.invalidByReason()).containsExactlyInAnyOrderEntriesOf(Map.of(
                OdinInvalidReason.DATA_LENGTH_MISMATCH, 1L,
                OdinInvalidReason.TOO_SHORT, 1L,
                OdinInvalidReason.TYPE_ZERO, 1L,
                OdinInvalidReason.UNKNOWN_TYPE, 1L,
                OdinInvalidReason.ZERO_SIZE_ENTRY, 1L));
        assertThat(stats.validPackets()).isEqualTo(15).isEqualTo(out.raw.size());
        assertThat(stats.schemasKnown()).isEqualTo(2);
        assertThat(stats.schemasReplaced()).isZero();
        assertThat(stats.extendedCompleted()).isEqualTo(1);
        assertThat(stats.dataHeld()).isEqualTo(1);
        assertThat(stats.dataResolved()).isEqualTo(1);
        assertThat(stats.dataExpired()).isZero();
        assertThat(stats.dataReleased()).isEqualTo(10).isEqualTo(out.data.size());
        assertThat(stats.gaps()).isEqualTo(1);
        assertThat(stats.lost()).isEqualTo(4);
        assertThat(stats.duplicates()).isZero();
        assertThat(stats.late()).isZero();
        assertThat(stats.sequenceResets()).isZero();
        assertThat(stats.events()).isEqualTo(1);
    }

    /** Element types by index: schema 1's from the extended identifier's expectation, schema 2's (f64, u8) from the README. */
    @SuppressWarnings("unchecked")
    private Map<Long, OdinElementType> elementTypes() {
        Map<Long, OdinElementType> types = new HashMap<>();
        for (OdinTestVectors.VectorPacket v : vectors) {
            if (v.expect.containsKey("types")) {
                for (Map.Entry<String, Object> e : ((Map<String, Object>) v.expect.get("types")).entrySet()) {
                    types.put(Long.decode(e.getKey()), OdinElementType.fromCode(number(e.getValue()).intValue()));
                }
            }
        }
        types.put(0x20000001L, OdinElementType.F64);
        types.put(0x20000002L, OdinElementType.U8);
        return types;
    }

    private static OdinInvalidReason reasonFor(String note) {
        for (Map.Entry<String, OdinInvalidReason> e : Map.of(
                "length != 10", OdinInvalidReason.DATA_LENGTH_MISMATCH,
                "shorter than the header", OdinInvalidReason.TOO_SHORT,
                "type 0x00", OdinInvalidReason.TYPE_ZERO,
                "unknown type", OdinInvalidReason.UNKNOWN_TYPE,
                "size 0", OdinInvalidReason.ZERO_SIZE_ENTRY).entrySet()) {
            if (note.contains(e.getKey())) {
                return e.getValue();
            }
        }
        throw new AssertionError("no reason known for note: " + note + " " + Arrays.toString(OdinInvalidReason.values()));
    }

    private static Number number(Object o) {
        if (o instanceof Number) {
            return (Number) o;
        }
        throw new AssertionError("not a number: " + o);
    }
}
