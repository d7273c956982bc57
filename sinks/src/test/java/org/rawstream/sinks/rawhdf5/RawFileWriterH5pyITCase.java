package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sinks.rawhdf5.RawHdf5TestSupport.ints;
import static org.rawstream.sinks.rawhdf5.RawHdf5TestSupport.sha256;
import static org.rawstream.sinks.rawhdf5.RawHdf5TestSupport.texts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by our writer, checked by the real h5py: layout of the spec and every message. */
class RawFileWriterH5pyITCase {

    @TempDir
    Path dir;

    private final List<String> expectedSha = new ArrayList<>();
    private final List<Integer> expectedGroups = new ArrayList<>();

    @BeforeEach
    void needsH5py() {
        RawHdf5TestSupport.assumeH5py();
    }

    @Test
    void emptyFile() throws Exception {
        Path file = dir.resolve("empty.h5");
        try (RawFileWriter w = RawFileWriter.create(file, RawFileOptions.builder().build())) {
            assertThat(w.messageCount()).isZero();
        }
        JsonNode s = check(file);
        assertThat(s.get("count").asInt()).isZero();
        assertThat(s.get("version").asText()).isEqualTo("0.0");
        assertThat(s.get("io_version").isNull()).isTrue();
        assertThat(s.get("attrs").has("io_version")).isFalse();
    }

    @Test
    void fewMessagesWithEdgeValuesAndAttributes() throws Exception {
        Path file = dir.resolve("few.h5");
        MessageBatch batch = new MessageBatch();
        try (RawFileWriter w = RawFileWriter.create(file, RawFileOptions.builder().ioVersion("1.2")
                .attribute("protocol", "spead").attribute("note", "µs ✓").build())) {
            add(batch, new byte[0], 0);
            add(batch, new byte[] {1, 2, 3}, 255);
            add(batch, new byte[] {(byte) 0x80, (byte) 0xFF, 0}, 0);
            w.append(batch);
            batch.clear();
            w.append(batch); // a zero-message batch writes nothing
            assertThat(w.messageCount()).isEqualTo(3);
            add(batch, new byte[0], 255);
            w.append(batch);
        }
        JsonNode s = check(file);
        assertThat(s.get("io_version").asText()).isEqualTo("1.2");
        assertThat(s.get("other_attrs").toString()).isEqualTo("{\"note\":\"µs ✓\",\"protocol\":\"spead\"}");
        assertThat(s.get("attrs").get("protocol").toString())
                .isEqualTo("{\"class\":\"string\",\"variable\":true,\"utf8\":true}");
    }

    @Test
    void tenThousandRandomMessagesInSeveralAppendsAndReopens() throws Exception {
        Path file = dir.resolve("random.h5");
        SplittableRandom random = new SplittableRandom(20261120);
        MessageBatch batch = new MessageBatch();
        int[] appendSizes = {1, 1023, 1, 2500, 0, 3000, 1475, 2000};
        int written = 0;
        RawFileWriter w = RawFileWriter.create(file, RawFileOptions.builder().ioVersion("3.1").build());
        try {
            for (int a = 0; a < appendSizes.length; a++) {
                if (a == 4) { // close and continue through openForAppend, like to_rawfile
                    w.close();
                    w = RawFileWriter.openForAppend(file, "0.0", "3.0");
                    assertThat(w.messageCount()).isEqualTo(written);
                }
                batch.clear();
                for (int i = 0; i < appendSizes[a]; i++) {
                    byte[] m = new byte[random.nextInt(4097)];
                    random.nextBytes(m);
                    add(batch, m, random.nextInt(256));
                }
                w.append(batch);
                written += appendSizes[a];
                assertThat(w.messageCount()).isEqualTo(written);
            }
        } finally {
            w.close();
        }
        assertThat(written).isEqualTo(10_000);
        check(file);
        try (RawFileReader r = RawFileReader.open(file)) {
            assertThat(RawHdf5TestSupport.sha256All(r.messages(0, r.count()))).containsExactlyElementsOf(expectedSha);
        }
    }

    @Test
    void oneSixteenMebibyteMessage() throws Exception {
        Path file = dir.resolve("big.h5");
        byte[] big = new byte[16 * 1024 * 1024];
        new SplittableRandom(7).nextBytes(big);
        MessageBatch batch = new MessageBatch();
        add(batch, big, 17);
        try (RawFileWriter w = RawFileWriter.create(file, RawFileOptions.builder().build())) {
            w.append(batch);
            assertThat(w.payloadBytes()).isEqualTo(big.length);
        }
        JsonNode s = check(file);
        assertThat(s.get("msg_len").get(0).asInt()).isEqualTo(big.length);
    }

    private void add(MessageBatch batch, byte[] message, int ioGroup) {
        batch.add(message, ioGroup);
        expectedSha.add(sha256(message));
        expectedGroups.add(ioGroup);
    }

    /** Runs h5py on the file: spec layout, then every message and io_groups in order. */
    private JsonNode check(Path file) throws Exception {
        JsonNode s = RawHdf5TestSupport.h5pySummary(dir, file);
        RawHdf5TestSupport.assertSpecLayout(s);
        assertThat(s.get("version").asText()).isEqualTo("0.0");
        assertThat(s.get("modified").asDouble()).isGreaterThanOrEqualTo(s.get("created").asDouble());
        assertThat(s.get("count").asInt()).isEqualTo(expectedSha.size());
        assertThat(texts(s.get("msg_sha256"))).containsExactlyElementsOf(expectedSha);
        assertThat(ints(s.get("io_groups")))
                .containsExactly(expectedGroups.stream().mapToInt(Integer::intValue).toArray());
        return s;
    }
}
