package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Coverage-guided fuzz target (Jazzer) for {@link RawFileReader} on mutated raw-HDF5 files. Seeds
 * in {@code RawFileReaderFuzzTestInputs/mutatedFile} are the small files of
 * testdata/vectors/rawhdf5; docs/fuzzing.md says how to fuzz it.
 *
 * <p>The reader is pure Java (jhdf), so a damaged file cannot take the JVM down the way a fault in
 * the native library could; the native library only ever opens files this process wrote. Contract
 * checked: a damaged file gives an {@link IOException} (or {@link IllegalArgumentException} for
 * an argument that does not fit the file), never anything else, and reading allocates no more
 * than a bounded multiple of the file's size.
 */
class RawFileReaderFuzzTest {

    /** Rows read per call below: enough to walk the chunks of the seed files. */
    private static final int ROWS = 64;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static Path file;

    @FuzzTest(maxDuration = "4h")
    void mutatedFile(byte[] data) throws IOException {
        if (file == null) {
            file = Files.createTempFile("rawfile-fuzz", ".h5");
            file.toFile().deleteOnExit();
        }
        Files.write(file, data);
        long bound = 64L * data.length + (4L << 20);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        read();
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        if (allocated > bound) {
            // A path taken for the first time loads and instruments classes on this thread: repeat it.
            before = THREADS.getCurrentThreadAllocatedBytes();
            read();
            allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        }
        assertThat(allocated).as("bytes allocated reading a %d-byte file", data.length)
                .isLessThanOrEqualTo(bound);
    }

    private static void read() {
        try (RawFileReader reader = RawFileReader.open(file)) {
            assertThat(reader.metadata().version()).isNotNull();
            long n = reader.count();
            List<byte[]> head = reader.messages(0, ROWS);
            assertThat(head).hasSize((int) Math.min(n, ROWS));
            assertThat(reader.ioGroups(-ROWS, -1)).hasSizeLessThanOrEqualTo(ROWS);
        } catch (IOException | IllegalArgumentException documented) {
            // a damaged file or an argument that does not fit it
        } catch (UncheckedIOException e) {
            throw new AssertionError("unchecked I/O failure escaped the reader", e);
        }
    }
}
