package org.rawstream.sinks.sink;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/**
 * The output directory's side of a sink failure: the free-space guard checked before every append,
 * and the one-line diagnosis of a failed write. libhdf5 reports only "H5Dwrite failed", so the
 * cause (disk full, directory gone, no permission, in-progress file removed) is read back from the
 * file system here.
 */
final class OutputFaults {
    private OutputFaults() {}

    /** A write refused or failed because of the output directory; its message is the one log line. */
    static final class OutputFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        OutputFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Creates a source's output directory. If that fails for another reason than a full disk (a
     * path through a file, no permission, a read-only file system) the settings point somewhere
     * unusable: a restart cannot fix it, so the job ends with this message instead of restarting
     * for ever (a local run checks this before it starts; on a cluster only the TaskManager can).
     */
    static void createDirectory(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            Path existing = dir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            long usable = existing == null ? -1 : usableBytes(existing);
            if (usable >= 0 && usable < 1 << 20) {
                // Full: a later attempt may find space.
                throw new OutputFailedException("raw-HDF5 output " + dir + ": no space left on device,"
                        + " cannot create the directory (the job restarts from its last checkpoint)", e);
            }
            throw new SuppressRestartsException(new OutputFailedException("raw-HDF5 output " + dir
                    + ": cannot create the directory (" + e + "); the job stops: fix output.dir and start it again", e));
        }
    }

    /**
     * Usable bytes of the file system holding {@code dir}, or -1 if it cannot be read (the directory
     * is gone: the append fails and says so).
     */
    static long usableBytes(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Usable bytes of {@code store} (one statvfs call), or -1 if it cannot be read. */
    static long usableBytes(FileStore store) {
        try {
            return store.getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Throws when appending {@code bytes} to a file in {@code dir} (on {@code store}) would leave
     * less than {@code minFreeBytes} free (0 = no guard). Refusing before libhdf5 hits ENOSPC keeps the file
     * and the library in a clean state and leaves room for closing files and writing checkpoints.
     */
    static void checkSpace(Path dir, FileStore store, long bytes, long minFreeBytes) throws OutputFailedException {
        if (minFreeBytes <= 0) {
            return;
        }
        long usable = usableBytes(store);
        if (usable >= 0 && usable - bytes < minFreeBytes) {
            throw new OutputFailedException(String.format(Locale.ROOT,
                    "raw-HDF5 output %s: free space below sink.min-free-bytes (%s free, %s to keep); stopped"
                            + " writing before the disk is full (the job restarts from its last checkpoint and"
                            + " resumes once space is freed)", dir, size(usable), size(minFreeBytes)), null);
        }
    }

    /** Wraps {@code failure} of writing {@code file} in {@code dir} with what the file system says caused it. */
    static OutputFailedException failed(Path dir, Path file, long attemptedBytes, Throwable failure) {
        if (failure instanceof OutputFailedException already) {
            return already;
        }
        return new OutputFailedException("raw-HDF5 output " + dir + ": " + cause(dir, file, attemptedBytes, failure)
                + " (the job restarts from its last checkpoint; committed files are not affected)", failure);
    }

    /** The likely cause, most specific first ({@code attemptedBytes}: what the failed write needed). */
    static String cause(Path dir, Path file, long attemptedBytes, Throwable failure) {
        if (!Files.isDirectory(dir)) {
            return "the directory does not exist any more (" + failure.getMessage() + ")";
        }
        if (failure instanceof AccessDeniedException || !Files.isWritable(dir)) {
            return "permission denied (" + failure.getMessage() + ")";
        }
        long usable = usableBytes(dir);
        if (usable >= 0 && usable < attemptedBytes + (1 << 20)) {
            return "no space left on device (" + size(usable) + " free; " + failure.getMessage() + ")";
        }
        if (file != null && !Files.exists(file)) {
            return "the in-progress file " + file.getFileName() + " was removed (" + failure.getMessage() + ")";
        }
        String message = failure.getMessage();
        String detail = message == null ? failure.getClass().getSimpleName() : message;
        return "write failed: " + detail + " (" + size(usable) + " free)";
    }

    static String size(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        if (bytes < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
