package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written through the direct-write driver: the same messages as through the page cache,
 * readable while open and after reopening for append, with the large writes' whole blocks past
 * the page cache. (h5py reads such files in RawFileWriterH5pyITCase, the SWMR reader in
 * RawFileSwmrITCase: both write with the default options, which use this driver.)
 */
class DirectWriteDriverTest {

    /** Sizes around the driver's rules: tiny, one byte short of / past a block, its threshold, large odd. */
    private static final int[] SIZES = {1, 4095, 4097, DirectWriteDriver.DIRECT_MIN_BYTES - 1,
        DirectWriteDriver.DIRECT_MIN_BYTES, DirectWriteDriver.DIRECT_MIN_BYTES + 1, 1 << 20, (3 << 20) + 17, 100,
        (5 << 20) + 4096};

    @TempDir
    Path dir;

    @Test
    void largeWritesGoPastThePageCacheAndEveryMessageReadsBackExact() throws Exception {
        long directBefore = DirectWriteDriver.directBytes();
        Path file = dir.resolve("direct.h5");
        List<byte[]> sent = writeTwice(file, true);
        appendAfterReopening(file, sent);
        long direct = DirectWriteDriver.directBytes() - directBefore;
        long large = 0;
        for (byte[] m : sent) {
            large += m.length >= DirectWriteDriver.DIRECT_MIN_BYTES ? m.length : 0;
        }
        // Each large message's whole blocks went direct: all but at most two partial blocks each.
        assertThat(DirectWriteDriver.registered()).as("driver released once no file uses it").isFalse();
        assertThat(direct).as("bytes written with O_DIRECT").isGreaterThan(large - 3L * 8192 * SIZES.length)
                .isLessThanOrEqualTo(large + (1 << 20));
    }

    @Test
    void withoutDirectWritesEverythingGoesThroughThePageCache() throws Exception {
        long directBefore = DirectWriteDriver.directBytes();
        writeTwice(dir.resolve("cached.h5"), false);
        assertThat(DirectWriteDriver.directBytes()).isEqualTo(directBefore);
    }

    /**
     * A JVM that exits with a file still open (a close that failed on a full disk, a writer never
     * closed) exits cleanly, and the file is valid: libhdf5's own clean-up at process exit would
     * call the driver after the JVM has gone (it crashed the process with exit code 139).
     */
    @Test
    void theJvmExitsCleanlyWithAFileStillOpen() throws Exception {
        Path file = dir.resolve("left-open.h5");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ExitWithAFileOpen.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        String output;
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("exit code; output: %s", output).isZero();
        assertThat(output).contains("exiting with the file open").doesNotContain("Could not attach");
        try (RawFileReader r = RawFileReader.open(file)) {
            assertThat(r.count()).isEqualTo(1);
            assertThat(r.messages(0, 1).get(0)).hasSize(1 << 20);
        }
    }

    /** The child JVM of {@link #theJvmExitsCleanlyWithAFileStillOpen}. */
    public static final class ExitWithAFileOpen {
        public static void main(String[] args) throws Exception {
            RawFileWriter w = RawFileWriter.create(Path.of(args[0]), RawFileOptions.builder().build());
            MessageBatch batch = new MessageBatch();
            batch.add(new byte[1 << 20], 1);
            w.append(batch);
            System.out.println("exiting with the file open");
            System.exit(0);
        }
    }

    /** Writes two batches, checking each from a page-cache reader while the file is open. */
    private static List<byte[]> writeTwice(Path file, boolean direct) throws Exception {
        Random random = new Random(file.getFileName().toString().hashCode());
        List<byte[]> sent = new ArrayList<>();
        MessageBatch batch = new MessageBatch();
        try (RawFileWriter w = RawFileWriter.create(file,
                RawFileOptions.builder().ioVersion("1.0").directWrites(direct).build())) {
            for (int round = 0; round < 2; round++) {
                batch.clear();
                for (int size : SIZES) {
                    byte[] m = new byte[size + round];
                    random.nextBytes(m);
                    batch.add(m, sent.size() % 256);
                    sent.add(m);
                }
                w.append(batch);
                // A reader through the page cache sees what the direct writes put on the disk.
                assertMessages(file, sent);
            }
        }
        return sent;
    }

    /** Reopens the file (as the reference to_rawfile does) and appends one more large message. */
    private static void appendAfterReopening(Path file, List<byte[]> sent) throws Exception {
        Random random = new Random(sent.size());
        MessageBatch batch = new MessageBatch();
        byte[] last = new byte[(2 << 20) + 3];
        random.nextBytes(last);
        batch.add(last, 7);
        sent.add(last);
        try (RawFileWriter w = RawFileWriter.openForAppend(file, null, null)) {
            w.append(batch);
        }
        assertMessages(file, sent);
    }

    private static void assertMessages(Path file, List<byte[]> expected) throws Exception {
        try (RawFileReader r = RawFileReader.open(file)) {
            assertThat(r.count()).isEqualTo(expected.size());
            List<byte[]> read = r.messages(0, expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertThat(read.get(i)).as("message %d (%d bytes)", i, expected.get(i).length).isEqualTo(expected.get(i));
            }
        }
    }
}
