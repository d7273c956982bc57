package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sinks.rawhdf5.RawHdf5TestSupport.JSON;
import static org.rawstream.sinks.rawhdf5.RawHdf5TestSupport.ints;
import static org.rawstream.sinks.rawhdf5.RawHdf5TestSupport.sha256All;
import static org.rawstream.sinks.rawhdf5.RawHdf5TestSupport.texts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reference writer's files, read by our reader and appended to by our writer. */
class RawFileVectorsTest {

    @TempDir
    Path dir;

    static Stream<String> vectorFiles() throws Exception {
        JsonNode manifest = JSON.readTree(RawHdf5TestSupport.vectorsDir().resolve("manifest.json").toFile());
        List<String> names = new ArrayList<>();
        manifest.fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    @Test
    void manifestCoversEveryVectorFile() throws Exception {
        try (Stream<Path> files = Files.list(RawHdf5TestSupport.vectorsDir())) {
            List<String> h5 = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".h5")).toList();
            assertThat(vectorFiles().toList()).containsExactlyInAnyOrderElementsOf(h5).isNotEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vectorFiles")
    void readerMatchesManifest(String name) throws Exception {
        JsonNode expected = JSON.readTree(RawHdf5TestSupport.vectorsDir().resolve("manifest.json").toFile()).get(name);
        try (RawFileReader r = RawFileReader.open(RawHdf5TestSupport.vectorsDir().resolve(name))) {
            assertThat(r.count()).isEqualTo(expected.get("count").asLong());
            assertThat(r.metadata().version()).isEqualTo(expected.get("version").asText());
            JsonNode io = expected.get("io_version");
            assertThat(r.metadata().ioVersion()).isEqualTo(io.isNull() ? null : io.asText());
            assertThat(r.ioGroups(0, r.count())).containsExactly(ints(expected.get("io_groups")));
            List<byte[]> messages = r.messages(0, r.count());
            assertThat(sha256All(messages)).containsExactlyElementsOf(texts(expected.get("msg_sha256")));
            assertThat(messages.stream().mapToInt(m -> m.length).toArray()).containsExactly(ints(expected.get("msg_len")));
            assertThat(r.metadata().created()).isPositive();
            assertThat(r.metadata().modified()).isGreaterThanOrEqualTo(r.metadata().created());
        }
    }

    @ParameterizedTest
    @MethodSource("vectorFiles")
    void rangesAndMasksAgreeWithFullRead(String name) throws Exception {
        try (RawFileReader r = RawFileReader.open(RawHdf5TestSupport.vectorsDir().resolve(name))) {
            long n = r.count();
            List<String> all = sha256All(r.messages(0, n));
            int[] groups = r.ioGroups(0, n);
            boolean[] mask = new boolean[(int) n];
            List<String> masked = new ArrayList<>();
            List<Integer> maskedGroups = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                mask[i] = i % 3 == 1;
                if (mask[i]) {
                    masked.add(all.get(i));
                    maskedGroups.add(groups[i]);
                }
            }
            assertThat(sha256All(r.messages(mask))).containsExactlyElementsOf(masked);
            assertThat(r.ioGroups(mask)).containsExactly(maskedGroups.stream().mapToInt(Integer::intValue).toArray());
            if (n >= 2) {
                assertThat(sha256All(r.messages(-2, n))).containsExactlyElementsOf(all.subList((int) n - 2, (int) n));
                assertThat(sha256All(r.messages(1, -1))).containsExactlyElementsOf(all.subList(1, (int) n - 1));
                assertThat(r.ioGroups(-2, -1)).containsExactly(groups[(int) n - 2]);
            }
            assertThat(r.messages(5, 2)).isEmpty();
            assertThat(r.messages(n, n + 10)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vectorFiles")
    void ourWriterAppendsToReferenceFiles(String name) throws Exception {
        Path file = dir.resolve(name);
        Files.copy(RawHdf5TestSupport.vectorsDir().resolve(name), file);
        List<String> before;
        int[] groupsBefore;
        RawFileMetadata metaBefore;
        try (RawFileReader r = RawFileReader.open(file)) {
            before = sha256All(r.messages(0, r.count()));
            groupsBefore = r.ioGroups(0, r.count());
            metaBefore = r.metadata();
        }
        MessageBatch batch = new MessageBatch();
        batch.add(new byte[] {9, 8, 7}, 0);
        batch.add(new byte[0], 255);
        try (RawFileWriter w = RawFileWriter.openForAppend(file, "0.0", metaBefore.ioVersion())) {
            assertThat(w.messageCount()).isEqualTo(before.size());
            w.append(batch);
        }
        List<String> expected = new ArrayList<>(before);
        expected.addAll(sha256All(List.of(batch.message(0), batch.message(1))));
        try (RawFileReader r = RawFileReader.open(file)) {
            assertThat(sha256All(r.messages(0, r.count()))).containsExactlyElementsOf(expected);
            assertThat(r.ioGroups(-2, r.count())).containsExactly(0, 255);
            assertThat(r.ioGroups(0, groupsBefore.length)).containsExactly(groupsBefore);
            assertThat(r.metadata().created()).isEqualTo(metaBefore.created());
            assertThat(r.metadata().modified()).isGreaterThan(metaBefore.modified());
        }
        JsonNode h5py = RawHdf5TestSupport.h5pySummary(dir, file);
        RawHdf5TestSupport.assertSpecLayout(h5py);
        assertThat(texts(h5py.get("msg_sha256"))).containsExactlyElementsOf(expected);
    }
}
