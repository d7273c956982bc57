package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad paths and damaged files: a clear IOException, no file left behind or changed, JVM alive. */
class RawFileBadInputTest {

    @TempDir
    Path dir;

    @Test
    void missingDirectory() {
        Path file = dir.resolve("no/such/dir/x.h5");
        assertThatThrownBy(() -> RawFileWriter.create(file, RawFileOptions.builder().build()))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("no/such/dir");
        assertThatThrownBy(() -> RawFiles.toRawfile(file, batch(), null, null)).isInstanceOf(NoSuchFileException.class);
        assertThat(dir.resolve("no")).doesNotExist();
        assertThatThrownBy(() -> RawFileReader.open(file)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> RawFileWriter.openForAppend(file, null, null)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aNativeFailureDuringCreateLeavesNoFile() {
        Path file = dir.resolve("partial.h5");
        // A name that is empty as a C string: H5Acreate2 fails after H5Fcreate made the file.
        assertThatThrownBy(() -> RawFileWriter.create(file, "0.0", null, Map.of("\0bad", "x"), true))
                .isInstanceOf(IOException.class).hasMessageContaining("H5Acreate2");
        assertThat(file).doesNotExist();
        assertThatThrownBy(() -> RawFileOptions.builder().attribute("\0bad", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("ok.h5")).satisfies(p -> {
            try (RawFileWriter w = RawFileWriter.create(p, RawFileOptions.builder().build())) {
                w.append(batch()); // the library is still usable after the failure
            }
        });
    }

    @Test
    void notAnHdf5File() throws Exception {
        Path file = dir.resolve("text.h5");
        Files.writeString(file, "this is not HDF5\n".repeat(100));
        assertUnreadableAndUnchanged(file);
    }

    @Test
    void emptyFile() throws Exception {
        Path file = Files.createFile(dir.resolve("zero.h5"));
        assertUnreadableAndUnchanged(file);
    }

    @Test
    void hdf5FileThatIsNotARawFile() throws Exception {
        Path file = dir.resolve("other.h5");
        Files.copy(RawHdf5TestSupport.vectorsDir().resolve("small_v0_0.h5"), file);
        // Rename /meta by damaging its link name in place ("meta" -> "mexa").
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "meta".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(at).isPositive();
        bytes[at + 2] = 'x';
        Files.write(file, bytes);
        assertUnreadableAndUnchanged(file);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 2048, 6000, 600_000, 3_000_000})
    void truncatedFile(int length) throws Exception {
        Path file = dir.resolve("truncated.h5");
        Files.copy(RawHdf5TestSupport.vectorsDir().resolve("multi_chunk_v0_0.h5"), file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
        assertUnreadableAndUnchanged(file);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 8, 48, 200, 700, 1500, 3000, 5000})
    void corruptFile(int offset) throws Exception {
        Path file = dir.resolve("corrupt.h5");
        Files.copy(RawHdf5TestSupport.vectorsDir().resolve("small_v0_0.h5"), file);
        byte[] bytes = Files.readAllBytes(file);
        for (int i = offset; i < Math.min(bytes.length, offset + 64); i++) {
            bytes[i] ^= (byte) 0x5A;
        }
        Files.write(file, bytes);
        byte[] before = Files.readAllBytes(file);
        // Damage may hit bytes nobody reads; then reading succeeds. Otherwise: an IOException.
        try (RawFileReader r = RawFileReader.open(file)) {
            r.messages(0, r.count());
            r.ioGroups(0, r.count());
        } catch (IOException expected) {
            assertThat(expected.getMessage()).contains(file.toString());
        }
        try (RawFileWriter w = RawFileWriter.openForAppend(file, null, null)) {
            assertThat(w.messageCount()).isNotNegative();
        } catch (IOException expected) {
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
        }
    }

    @Test
    void invalidBatchInput() {
        MessageBatch b = new MessageBatch();
        assertThatThrownBy(() -> b.add(new byte[1], 256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(new byte[1], -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(new byte[4], 3, 2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(b.size()).isZero();
        assertThatThrownBy(() -> RawFileOptions.builder().version("zero")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RawFileOptions.builder().attribute("version", "1.0"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertUnreadableAndUnchanged(Path file) throws IOException {
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> {
            try (RawFileReader r = RawFileReader.open(file)) {
                r.messages(0, r.count());
            }
        }).isInstanceOf(IOException.class).hasMessageContaining(file.toString());
        assertThatThrownBy(() -> RawFileWriter.openForAppend(file, null, null).close())
                .isInstanceOf(IOException.class).hasMessageContaining(file.toString());
        assertThatThrownBy(() -> RawFiles.toRawfile(file, batch(), null, null)).isInstanceOf(IOException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    private static MessageBatch batch() {
        MessageBatch b = new MessageBatch();
        b.add(new byte[] {1, 2, 3}, 7);
        return b;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
