package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawFileInspectorTest {

    @TempDir
    Path dir;

    @Test
    void printsMetadataCountsSizesAndFirstBytes() throws Exception {
        Path small = RawHdf5TestSupport.vectorsDir().resolve("small_v0_0.h5");
        Path empty = RawHdf5TestSupport.vectorsDir().resolve("empty_v0_0.h5");
        Path ours = dir.resolve("ours.h5");
        MessageBatch batch = new MessageBatch();
        batch.add(new byte[] {(byte) 0xCA, (byte) 0xFE}, 0);
        batch.add(new byte[40], 255);
        batch.add(new byte[10], 255);
        batch.add(new byte[0], 255);
        try (RawFileWriter w = RawFileWriter.create(ours, RawFileOptions.builder().ioVersion("2.0")
                .attribute("protocol", "echo").build())) {
            w.append(batch);
        }
        String text = inspect(List.of(small, empty, ours));
        assertThat(text).contains(small.toString(), "io_version: 1.2", "messages:   4",
                "per io_groups: 1=1 2=1 3=1 255=1", "size bytes: min 0, median 24.5, max 256");
        assertThat(text).contains(empty.toString(), "messages:   0");
        assertThat(text).contains("protocol: echo", "per io_groups: 0=1 255=3", "size bytes: min 0, median 6, max 40",
                "[0] io_groups=0 2 B: ca fe", "[1] io_groups=255 40 B: 00 00", " ...", "[3] io_groups=255 0 B: ");
    }

    @Test
    void badFileIsAClearError() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.h5"), "nope");
        assertThatThrownBy(() -> inspect(List.of(bad))).isInstanceOf(IOException.class).hasMessageContaining("bad.h5");
    }

    private static String inspect(List<Path> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            RawFileInspector.inspect(files, out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
