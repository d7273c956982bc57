package org.rawstream.sinks.sink;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes closed files to disk in the background while the writer goes on with the next ones, so
 * that the committer's fsync (which still runs, and alone gives durability) finds little left to
 * write instead of blocking the task for the whole file. Works on paths only, never on a native
 * handle. Owns its thread ({@code rawhdf5-presync-<subtask>}).
 */
final class PreSync {
    private static final Logger LOG = LoggerFactory.getLogger(PreSync.class);

    private final ExecutorService thread;

    PreSync(int subtask) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rawhdf5-presync-" + subtask);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts flushing {@code closed}; a file already renamed or deleted is skipped. */
    void schedule(Path closed) {
        try {
            thread.execute(() -> {
                try (FileChannel channel = FileChannel.open(closed, StandardOpenOption.READ)) {
                    channel.force(true);
                } catch (IOException e) {
                    // Already committed (renamed) or deleted: the committer's own fsync decides.
                    LOG.debug("Early fsync of {} skipped: {}", closed, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closedWriter) {
            // The writer is closing: the committer syncs what it commits.
        }
    }

    /** Stops, interrupting a flush in progress (it holds no native handle). */
    void shutdown() {
        thread.shutdownNow();
    }
}
