package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawFileWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesAndReadsBackAFewMessages() throws Exception {
        Path file = dir.resolve("few.h5");
        MessageBatch batch = new MessageBatch();
        batch.add("hello".getBytes(StandardCharsets.US_ASCII), 1);
        batch.add(new byte[0], 0);
        batch.add(ByteBuffer.wrap(new byte[] {(byte) 0xFF, 0, 7}), 255);
        try (RawFileWriter w = RawFileWriter.create(file,
                RawFileOptions.builder().ioVersion("1.2").attribute("protocol", "echo").build())) {
            w.append(batch);
            batch.clear();
            batch.add(new byte[] {42}, 3);
            w.append(batch);
            assertThat(w.messageCount()).isEqualTo(4);
            assertThat(w.payloadBytes()).isEqualTo(9);
        }
        try (RawFileReader r = RawFileReader.open(file)) {
            assertThat(r.count()).isEqualTo(4);
            assertThat(r.metadata().version()).isEqualTo("0.0");
            assertThat(r.metadata().ioVersion()).isEqualTo("1.2");
            assertThat(r.metadata().attributes()).containsEntry("protocol", "echo");
            assertThat(r.metadata().modified()).isGreaterThanOrEqualTo(r.metadata().created());
            List<byte[]> msgs = r.messages(0, 4);
            assertThat(msgs).containsExactly("hello".getBytes(StandardCharsets.US_ASCII), new byte[0],
                    new byte[] {(byte) 0xFF, 0, 7}, new byte[] {42});
            assertThat(r.ioGroups(0, 4)).containsExactly(1, 0, 255, 3);
            assertThat(r.messages(-1, 4)).containsExactly(new byte[] {42});
            assertThat(r.ioGroups(new boolean[] {false, true, true, false})).containsExactly(0, 255);
        }
    }

    @Test
    void appendsToAnExistingFile() throws Exception {
        Path file = dir.resolve("append.h5");
        MessageBatch batch = new MessageBatch();
        batch.add(new byte[] {1, 2}, 5);
        RawFiles.toRawfile(file, batch, null, "2.3");
        RawFiles.toRawfile(file, batch, "0.0", "2.1");
        try (RawFileWriter w = RawFileWriter.openForAppend(file, null, null)) {
            assertThat(w.messageCount()).isEqualTo(2);
            assertThat(w.payloadBytes()).isEqualTo(4);
            w.append(batch);
        }
        try (RawFileReader r = RawFileReader.open(file, "0.0", "2.3")) {
            assertThat(r.count()).isEqualTo(3);
            assertThat(r.ioGroups(0, -1)).containsExactly(5, 5);
        }
    }

    @Test
    void createRefusesAnExistingFileAndKeepsIt() throws Exception {
        Path file = dir.resolve("exists.h5");
        Files.writeString(file, "not mine");
        assertThatThrownBy(() -> RawFileWriter.create(file, RawFileOptions.builder().build()))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(file)).isEqualTo("not mine");
    }
}
