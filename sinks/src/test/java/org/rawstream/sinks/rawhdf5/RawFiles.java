package org.rawstream.sinks.rawhdf5;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: one-call append in the spirit of the reference Python {@code to_rawfile}. */
public final class RawFiles {

    private RawFiles() {}

    /**
     * Appends the batch to the file, creating it if it does not exist (with {@code version},
     * default "0.0", and {@code ioVersion} if not null). An existing file must pass the append
     * version rules; on a mismatch nothing is written.
     */
    public static void toRawfile(Path file, MessageBatch batch, String version, String ioVersion) throws IOException {
        if (Files.exists(file)) {
            try (RawFileWriter writer = RawFileWriter.openForAppend(file, version, ioVersion)) {
                writer.append(batch);
            }
            return;
        }
        RawFileOptions.Builder options = RawFileOptions.builder().ioVersion(ioVersion);
        if (version != null) {
            options.version(version);
        }
        RawFileWriter writer = RawFileWriter.create(file, options.build());
        boolean ok = false;
        try (writer) {
            writer.append(batch);
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(file); // a file we just created and failed to fill is not kept
            }
        }
    }
}
