package org.rawstream.sinks.sink;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.rawstream.sinks.rawhdf5.MessageBatch;
import org.rawstream.sinks.rawhdf5.RawFileWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open part files of one writer subtask, at most one per source, and everything that changes
 * with them: their names, the files closed since the last checkpoint, the one-line report of an
 * output failure. Every method runs on the writer's append thread ({@link AppendThread}), the only
 * thread that touches a native file handle; not thread-safe.
 */
final class OpenPartFiles {
    private static final Logger LOG = LoggerFactory.getLogger(OpenPartFiles.class);

    private final RollingPolicy rollingPolicy;
    private final long minFreeBytes;
    private final String lineage;
    private final int subtask;
    private final SinkWriterMetrics metrics;
    /** Null when commits do not fsync. */
    private final PreSync preSync;
    /** The open part of each source, by {@link SourceTarget#index}; null when none. */
    private final OpenPart[] open;
    /** The name of each source's last opened part (kept after closing): what a failure report names. */
    private final PartFileName[] lastNames;
    /** Files closed (by rolling or for a checkpoint) and not yet handed to the committer. */
    private final List<RawFileCommittable> closed = new ArrayList<>();
    /** Last checkpoint taken (or restored); files opened now belong to the one after it. */
    private long lastCheckpointId;
    /** Sequence number of the next file opened in the current checkpoint interval. */
    private int nextSeq;
    /** Whether this writer already logged and counted an output failure (one line per attempt). */
    private boolean failureReported;
    /** The thread that first used this (the append thread); checked with {@code -ea}, as in the tests. */
    private Thread owner;

    OpenPartFiles(RollingPolicy rollingPolicy, long minFreeBytes, String lineage, int subtask, long lastCheckpointId,
            int sources, SinkWriterMetrics metrics, PreSync preSync) {
        this.rollingPolicy = rollingPolicy;
        this.minFreeBytes = minFreeBytes;
        this.lineage = lineage;
        this.subtask = subtask;
        this.lastCheckpointId = lastCheckpointId;
        this.open = new OpenPart[sources];
        this.lastNames = new PartFileName[sources];
        this.metrics = metrics;
        this.preSync = preSync;
    }

    /**
     * Appends {@code batch} to the target's part (opening it first, closing it after if the policy
     * says so); the batch's first message arrived at {@code firstMessageMillis}. A refusal of the
     * space guard or an I/O failure becomes an {@link OutputFaults.OutputFailedException}.
     */
    void append(SourceTarget target, MessageBatch batch, long firstMessageMillis) throws IOException {
        assert onOwnerThread();
        if (batch.size() == 0) {
            return;
        }
        OpenPart part = open[target.index];
        try {
            OutputFaults.checkSpace(target.dir, target.store, batch.payloadBytes(), minFreeBytes);
            if (part != null && rollingPolicy.shouldRollOnProcessingTime(part, System.currentTimeMillis())) {
                closePart(part); // past its age already: this batch starts the next file
                part = null;
            }
            if (part == null) {
                part = openPart(target, firstMessageMillis);
            }
            part.writer.append(batch);
            metrics.appended(target.metrics, batch.size(), batch.payloadBytes());
            if (rollingPolicy.shouldRollOnAppend(part, System.currentTimeMillis())) {
                closePart(part);
            }
        } catch (IOException e) {
            throw outputFailure(target, batch.payloadBytes(), e);
        }
    }

    /** Closes the parts the policy rolls at {@code nowMillis} (the processing-time timer). */
    void rollDue(long nowMillis) throws IOException {
        assert onOwnerThread();
        for (OpenPart part : open) {
            if (part != null && rollingPolicy.shouldRollOnProcessingTime(part, nowMillis)) {
                try {
                    closePart(part);
                } catch (IOException e) {
                    throw outputFailure(part.target, 0, e);
                }
                LOG.debug("Rolled {} by processing time", part.name.hidden());
            }
        }
    }

    /** Closes every open part; returns the files closed since the last call (for the committer). */
    List<RawFileCommittable> closeAll() throws IOException {
        assert onOwnerThread();
        for (OpenPart part : open) {
            if (part != null) {
                try {
                    closePart(part);
                } catch (IOException e) {
                    throw outputFailure(part.target, 0, e);
                }
            }
        }
        List<RawFileCommittable> committables = new ArrayList<>(closed);
        closed.clear();
        return committables;
    }

    /** Checkpoint {@code checkpointId} was taken: later files belong to the next one. */
    void checkpointTaken(long checkpointId) {
        assert onOwnerThread();
        for (OpenPart part : open) {
            if (part != null) {
                // prepareCommit closes every file before each snapshot: this would be a Flink contract change.
                LOG.warn("File {} still open at snapshot of checkpoint {}", part.name.hidden(), checkpointId);
            }
        }
        lastCheckpointId = checkpointId;
        nextSeq = 0;
    }

    /**
     * Closes and deletes the files left open (after a failure, or on cancel). They never reach a
     * checkpoint (every checkpoint closes all files first), so their content is dropped first:
     * truncating gives back the disk space that closing needs on a full disk. A failed H5Fclose
     * leaves libhdf5 holding a half-freed file that crashes the JVM later. Never throws.
     */
    void discardAll() {
        for (int i = 0; i < open.length; i++) {
            OpenPart part = open[i];
            open[i] = null;
            if (part == null) {
                continue;
            }
            Path path = part.writer.path();
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                channel.truncate(0);
            } catch (IOException e) {
                LOG.debug("Could not truncate {} before closing it: {}", path, e.toString());
            }
            try {
                part.writer.close();
                metrics.fileDropped(part.writer.payloadBytes());
                Files.deleteIfExists(path);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not close {} ({}); it stays hidden and is deleted when the job restores",
                        path, OutputFaults.cause(part.target.dir, path, 0, e));
            }
        }
    }

    private boolean onOwnerThread() {
        if (owner == null) {
            owner = Thread.currentThread();
        }
        if (owner != Thread.currentThread()) {
            throw new IllegalStateException("raw-HDF5 files used on " + Thread.currentThread().getName()
                    + ", owned by " + owner.getName());
        }
        return true;
    }

    private OpenPart openPart(SourceTarget target, long firstMessageMillis) throws IOException {
        PartFileName name;
        do {
            // A taken name is only possible after resuming twice from one old savepoint: skip it
            // rather than ever overwrite a committed file.
            name = new PartFileName(lineage, subtask, lastCheckpointId + 1, nextSeq++);
        } while (Files.exists(target.dir.resolve(name.hidden())) || Files.exists(target.dir.resolve(name.visible())));
        lastNames[target.index] = name; // before the native call: a failure to create reports the file it meant
        OpenPart part = new OpenPart(target, name, firstMessageMillis,
                RawFileWriter.create(target.dir.resolve(name.hidden()), target.options));
        open[target.index] = part;
        return part;
    }

    private void closePart(OpenPart part) throws IOException {
        RawFileWriter writer = part.writer;
        writer.close(); // if this fails the part stays open for discardAll to drop
        open[part.target.index] = null;
        metrics.fileClosed(part.target.metrics, writer.payloadBytes());
        if (!Files.exists(writer.path())) {
            // Removed while being written (libhdf5 wrote on into the unlinked file): committing it
            // would lose its messages; failing replays them from the last checkpoint instead.
            throw new NoSuchFileException(writer.path().toString(), null,
                    "the in-progress file was removed while being written");
        }
        closed.add(new RawFileCommittable(part.target.source, part.name.hidden(), part.name.visible(),
                writer.messageCount(), writer.payloadBytes(), System.currentTimeMillis()));
        if (preSync != null) {
            preSync.schedule(writer.path());
        }
    }

    /** Counts and logs (once per writer) an output failure; returns it with its diagnosis. */
    private OutputFaults.OutputFailedException outputFailure(SourceTarget target, long bytes, IOException e) {
        boolean refused = e instanceof OutputFaults.OutputFailedException;
        PartFileName name = lastNames[target.index];
        Path path = name == null ? null : target.dir.resolve(name.hidden());
        OutputFaults.OutputFailedException failure = OutputFaults.failed(target.dir, path, bytes, e);
        if (!failureReported) {
            failureReported = true;
            metrics.outputFailed(refused);
            LOG.error("{}", failure.getMessage());
        }
        return failure;
    }

    /** One source's open file. */
    private static final class OpenPart implements RollingPolicy.PartFileInfo {
        final SourceTarget target;
        final PartFileName name;
        final long firstMessageMillis;
        final RawFileWriter writer;

        OpenPart(SourceTarget target, PartFileName name, long firstMessageMillis, RawFileWriter writer) {
            this.target = target;
            this.name = name;
            this.firstMessageMillis = firstMessageMillis;
            this.writer = writer;
        }

        @Override
        public long firstMessageMillis() {
            return firstMessageMillis;
        }

        @Override
        public long messageCount() {
            return writer.messageCount();
        }

        @Override
        public long payloadBytes() {
            return writer.payloadBytes();
        }
    }
}
