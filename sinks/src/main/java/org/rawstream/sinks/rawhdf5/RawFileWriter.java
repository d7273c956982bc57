package org.rawstream.sinks.rawhdf5;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a raw-HDF5 file: creates it (or opens an existing one for appending) and appends
 * batches of messages, keeping it open and readable by SWMR readers between batches.
 *
 * <p>One writer per file; not thread-safe. The file stays valid after every {@link #append}:
 * a crash loses at most the batch being written.
 */
public final class RawFileWriter implements AutoCloseable {

    private final Hdf5Native.OpenFile file;
    private long payloadBytes;
    private boolean closed;

    private RawFileWriter(Hdf5Native.OpenFile file) {
        this.file = file;
        this.payloadBytes = file.existingPayloadBytes;
    }

    /**
     * Creates a new file (fails if it exists) in SWMR mode with {@code /meta} and empty
     * {@code msgs}/{@code msg_headers}. If anything fails the file is deleted.
     */
    public static RawFileWriter create(Path file, RawFileOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        return create(file, options.version(), options.ioVersion(), options.attributes(), options.directWrites());
    }

    /** {@link #create(Path, RawFileOptions)} without the options' validation (tests reach native failures with it). */
    static RawFileWriter create(Path file, String version, String ioVersion, java.util.Map<String, String> attributes,
            boolean directWrites) throws IOException {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(absolute.toString(), null, "directory does not exist");
        }
        if (Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(absolute.toString());
        }
        double now = nowSeconds();
        try {
            return new RawFileWriter(Hdf5Native.create(absolute.toString(), version, ioVersion, attributes, now, directWrites));
        } catch (IOException | RuntimeException | Error e) {
            // Never leave a half-made file behind (we checked above that it did not exist).
            try {
                Files.deleteIfExists(absolute);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Opens an existing raw file for appending, as the reference {@code to_rawfile} does. The
     * requested {@code version} must equal the file's (null = the file's); a requested
     * {@code io_version} must have the file's major and a minor no greater than the file's.
     * On a mismatch throws {@link RawFileVersionException} and nothing is written. Large writes go
     * past the page cache as with {@link RawFileOptions}' default ({@code directWrites}).
     */
    public static RawFileWriter openForAppend(Path file, String requestedVersion, String requestedIoVersion)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath();
        // Check the file in pure Java first: a file that is not a raw file, or has another version,
        // never reaches the native library.
        RawFileMetadata meta;
        try (RawFileReader reader = RawFileReader.open(absolute)) {
            meta = reader.metadata();
            reader.count(); // checks both datasets exist and have the same length
        }
        RawFileVersion.checkAppend(absolute.toString(), meta.version(), requestedVersion, meta.ioVersion(),
                requestedIoVersion);
        return new RawFileWriter(Hdf5Native.openForAppend(absolute.toString()));
    }

    /**
     * Appends the batch: one native write per dataset, then the reader-safe flush sequence.
     * Updates {@code /meta/modified}. A batch with no messages writes nothing. The batch is not
     * cleared.
     */
    public void append(MessageBatch batch) throws IOException {
        Objects.requireNonNull(batch, "batch");
        if (closed) {
            throw new IOException(file.path + ": writer is closed");
        }
        Hdf5Native.append(file, batch, nowSeconds());
        payloadBytes += batch.payloadBytes();
    }

    /** Rows in the file. */
    public long messageCount() {
        return file.rows;
    }

    /** Sum of the message lengths in the file (existing rows when opened plus what this writer appended). */
    public long payloadBytes() {
        return payloadBytes;
    }

    /** The file being written. */
    public Path path() {
        return Path.of(file.path);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        Hdf5Native.close(file); // on failure still open: close can be called again
        closed = true;
    }

    private static double nowSeconds() {
        return System.currentTimeMillis() / 1000.0;
    }
}
