package org.rawstream.sinks.sink;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.rawstream.sinks.rawhdf5.MessageBatch;
import org.rawstream.sinks.rawhdf5.RawFileOptions;
import org.rawstream.sinks.rawhdf5.RawFileWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink subtask: buffers messages per source in a {@link MessageBatch}, appends full batches to
 * the source's hidden in-progress file, rolls files by {@link RollPolicy}, and on every checkpoint
 * ({@link #prepareCommit()}) closes its open files and hands them to the committer.
 *
 * <p>With a non-zero {@link RawHdf5Sink#appendQueueBytes()} (the default) full batches are appended
 * on a thread of the writer's own ({@code rawhdf5-append-<subtask>}), in the order they filled up:
 * libhdf5 and the kernel's copy into the page cache then run next to whatever is chained before
 * the sink (a protocol source's receiving and heap assembly) instead of after it on the task
 * thread. At most that many bytes of full batches wait for the append thread; a full batch beyond
 * it waits on the task thread (backpressure, counted in {@code appendWaits}). The append thread
 * also opens, rolls and closes files; {@link #flush} and {@link #prepareCommit} first wait until
 * every queued batch is appended, so a checkpoint's files hold exactly the messages written
 * before its barrier, and the task thread then has the files to itself. A failed append is
 * rethrown on the task thread by the next write, flush or commit (the task fails and restarts
 * from the last checkpoint), and nothing more is appended after it.
 *
 * <p>Output faults (disk full, quota, permission, directory or file removed): before each append
 * the free space of the output file system is checked against {@link RawHdf5Sink#minFreeBytes()};
 * an append that would go below it, or one that fails, fails the task with one line naming the
 * directory and the cause (logged once, counted in {@code spaceRefusals} / {@code writeFailures}).
 * {@link #close()} never throws and closes native files only on the thread that appended to them.
 */
public final class RawHdf5SinkWriter
        implements CommittingSinkWriter<RawMessage, RawFileCommittable>,
                StatefulSinkWriter<RawMessage, RawHdf5WriterState> {
    private static final Logger LOG = LoggerFactory.getLogger(RawHdf5SinkWriter.class);

    /** Metric group (under the sink's operator group) holding this sink's own metrics. */
    public static final String METRIC_GROUP = "rawhdf5";
    /** Key of the per-source subgroup: {@code rawhdf5.source.<name>.<metric>} (a label in Prometheus). */
    public static final String SOURCE_GROUP_KEY = "source";
    /** Longest {@link #close()} waits for the append thread to finish the batch it is writing. */
    private static final long APPEND_SHUTDOWN_SECONDS = 60;

    private final RollPolicy rollPolicy;
    private final int batchMessages;
    private final long batchBytes;
    private final long minFreeBytes;
    private final Path outputDirectory;
    private final int subtask;
    private final String lineage;
    /** Starts the fsync of closed files early (see {@link #preSync}); null when commits do not sync. */
    private final ExecutorService preSync;
    /** Appends full batches off the task thread; null when {@code appendQueueBytes} is 0. */
    private final BatchAppender appender;
    private final Map<String, SourceFile> files = new HashMap<>();
    private final List<RawFileCommittable> pending = new ArrayList<>();

    private final Counter recordsWritten;
    private final Counter bytesWritten;
    private final Counter filesClosed;
    private final Counter numRecordsSend;
    private final Counter numBytesSend;
    private final Counter appendWaits;
    private final Counter writeFailures;
    private final Counter spaceRefusals;
    /** Whether this writer already logged and counted an output failure (one line per attempt). */
    private volatile boolean failureReported;

    /** Last checkpoint this writer snapshotted (or was restored from); 0 before the first. */
    private long lastCheckpointId;
    /** Sequence number of the next file opened in the current checkpoint interval. */
    private int nextSeq;
    /** Cache of the last routed source: streams usually carry long runs of one source. */
    private SourceFile lastFile;
    /** Payload bytes in the open files; volatile because the metric reporter thread reads it. */
    private volatile long openFileBytes;

    RawHdf5SinkWriter(RawHdf5Sink sink, WriterInitContext context, Collection<RawHdf5WriterState> restored)
            throws IOException {
        this.rollPolicy = sink.rollPolicy();
        this.batchMessages = sink.batchMessages();
        this.batchBytes = sink.batchBytes();
        this.minFreeBytes = sink.minFreeBytes();
        this.outputDirectory = sink.outputDirectory();
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.preSync = sink.syncOnCommit() ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rawhdf5-presync-" + subtask);
            t.setDaemon(true);
            return t;
        }) : null;
        this.appender = sink.appendQueueBytes() > 0 ? new BatchAppender(sink.appendQueueBytes(), subtask) : null;
        this.lineage = chooseLineage(restored, subtask, context.getJobInfo().getJobId().toHexString());
        this.lastCheckpointId = context.getRestoredCheckpointId()
                .orElse(restored.stream().mapToLong(RawHdf5WriterState::checkpointId).max().orElse(0L));
        SinkWriterMetricGroup metrics = context.metricGroup();
        MetricGroup group = metrics.addGroup(METRIC_GROUP);
        for (SourceOutput source : sink.sources()) {
            Path dir = sink.outputDirectory().resolve(source.name());
            createOutputDirectory(dir);
            RawFileOptions options = RawFileOptions.builder()
                    .version(sink.fileVersion())
                    .ioVersion(source.ioVersion())
                    .attribute("protocol", source.protocol())
                    .build();
            // The file store is looked up once: finding a path's file store reads the mount table.
            files.put(source.name(), new SourceFile(source.name(), dir, Files.getFileStore(dir), options,
                    group.addGroup(SOURCE_GROUP_KEY, source.name())));
        }
        if (context.getRestoredCheckpointId().isPresent() || !restored.isEmpty()) {
            Set<RawHdf5WriterState> toClean = new LinkedHashSet<>(restored);
            // Also our own name space: a subtask that got no state (scale-up) may still have
            // leftovers from an earlier attempt restored from the same checkpoint.
            toClean.add(new RawHdf5WriterState(lineage, subtask, lastCheckpointId));
            for (RawHdf5WriterState state : toClean) {
                deleteLeftovers(state);
            }
        }

        this.recordsWritten = group.counter("recordsWritten");
        this.bytesWritten = group.counter("bytesWritten");
        this.filesClosed = group.counter("filesClosed");
        group.gauge("openFileBytes", (Gauge<Long>) () -> openFileBytes);
        group.gauge("appendQueueBytes", (Gauge<Long>) () -> appender == null ? 0L : appender.queuedBytes);
        this.appendWaits = group.counter("appendWaits");
        this.writeFailures = group.counter("writeFailures");
        this.spaceRefusals = group.counter("spaceRefusals");
        group.gauge("outputUsableBytes", (Gauge<Long>) () -> OutputFaults.usableBytes(outputDirectory));
        this.numRecordsSend = metrics.getNumRecordsSendCounter();
        this.numBytesSend = metrics.getNumBytesSendCounter();
        LOG.info("RawHdf5 writer {} (lineage {}) starts after checkpoint {}", subtask, lineage, lastCheckpointId);
    }

    /**
     * Creates a source's output directory. If that fails for another reason than a full disk (a
     * path through a file, no permission, a read-only file system) the settings point somewhere
     * unusable: a restart cannot fix it, so the job ends with this message instead of restarting
     * for ever (a local run checks this before it starts; on a cluster only the TaskManager can).
     */
    private static void createOutputDirectory(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            Path existing = dir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            long usable = existing == null ? -1 : OutputFaults.usableBytes(existing);
            if (usable >= 0 && usable < 1 << 20) {
                // Full: a later attempt may find space.
                throw new OutputFaults.OutputFailedException("raw-HDF5 output " + dir + ": no space left on device,"
                        + " cannot create the directory (the job restarts from its last checkpoint)", e);
            }
            throw new SuppressRestartsException(new OutputFaults.OutputFailedException("raw-HDF5 output " + dir
                    + ": cannot create the directory (" + e + "); the job stops: fix output.dir and start it again", e));
        }
    }

    private static String chooseLineage(Collection<RawHdf5WriterState> restored, int subtask, String jobIdHex) {
        Optional<RawHdf5WriterState> own = restored.stream().filter(s -> s.subtask() == subtask).findFirst();
        if (own.isPresent()) {
            return own.get().lineage();
        }
        return restored.stream().findFirst().map(RawHdf5WriterState::lineage)
                .orElse(PartFileName.lineageOf(jobIdHex));
    }

    /**
     * Deletes hidden files of {@code state}'s lineage and subtask opened after its checkpoint: a
     * failed attempt wrote them and their data will be replayed. Hidden files of earlier
     * checkpoints are referenced by committables that the committer still commits: kept.
     */
    private void deleteLeftovers(RawHdf5WriterState state) throws IOException {
        for (SourceFile file : files.values()) {
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(file.dir, ".part-*" + PartFileName.HIDDEN_SUFFIX)) {
                for (Path path : dir) {
                    Optional<PartFileName> name = PartFileName.parseHidden(path.getFileName().toString());
                    if (name.isPresent() && name.get().lineage.equals(state.lineage())
                            && name.get().subtask == state.subtask()
                            && name.get().checkpoint > state.checkpointId()) {
                        Files.deleteIfExists(path);
                        LOG.info("Deleted leftover of a failed attempt after checkpoint {}: {}",
                                state.checkpointId(), path);
                    }
                }
            }
        }
    }

    @Override
    public void write(RawMessage message, Context context) throws IOException {
        SourceFile file = lastFile;
        if (file == null || !file.source.equals(message.source())) {
            file = files.get(message.source());
            if (file == null) {
                throw new IllegalStateException("RawMessage from unconfigured source '" + message.source()
                        + "'; configured: " + files.keySet());
            }
            lastFile = file;
        }
        // Written straight into the batch: a leased message (SPEAD heaps) is encoded there, an
        // owned one copied; neither is referenced after this call.
        file.batch.add(message.length(), message.ioGroup(), message::writeTo);
        if (file.batch.size() >= batchMessages || file.batch.payloadBytes() >= batchBytes) {
            if (appender == null) {
                appendBatch(file, file.batch);
            } else {
                MessageBatch full = file.batch;
                file.batch = appender.submit(file, full);
            }
        }
    }

    /**
     * Appends {@code batch} to the source's file (opening, rolling, closing it) and clears it; a
     * refusal of the space guard or an I/O failure becomes an {@link OutputFaults.OutputFailedException}.
     */
    private void appendBatch(SourceFile file, MessageBatch batch) throws IOException {
        if (batch.size() == 0) {
            return;
        }
        try {
            OutputFaults.checkSpace(file.dir, file.store, batch.payloadBytes(), minFreeBytes);
            appendChecked(file, batch);
        } catch (IOException e) {
            throw outputFailure(file, batch.payloadBytes(), e);
        }
    }

    /** Counts and logs (once per writer) an output failure; returns it with its diagnosis. */
    private OutputFaults.OutputFailedException outputFailure(SourceFile file, long bytes, IOException e) {
        boolean refused = e instanceof OutputFaults.OutputFailedException;
        Path path = file.name == null ? null : file.dir.resolve(file.name.hidden());
        OutputFaults.OutputFailedException failure = OutputFaults.failed(file.dir, path, bytes, e);
        if (!failureReported) {
            failureReported = true;
            (refused ? spaceRefusals : writeFailures).inc();
            LOG.error("{}", failure.getMessage());
        }
        return failure;
    }

    private void appendChecked(SourceFile file, MessageBatch batch) throws IOException {
        long now = System.currentTimeMillis();
        if (file.writer != null && now - file.openedAtMillis >= rollPolicy.maxFileAgeMillis()) {
            closeFile(file);
        }
        if (file.writer == null) {
            openFile(file, now);
        }
        file.writer.append(batch);
        file.recordsWritten.inc(batch.size());
        file.bytesWritten.inc(batch.payloadBytes());
        recordsWritten.inc(batch.size());
        numRecordsSend.inc(batch.size());
        bytesWritten.inc(batch.payloadBytes());
        numBytesSend.inc(batch.payloadBytes());
        openFileBytes += batch.payloadBytes();
        batch.clear();
        if (rollPolicy.shouldRoll(file.writer.payloadBytes(), file.writer.messageCount(), now - file.openedAtMillis)) {
            closeFile(file);
        }
    }

    private void openFile(SourceFile file, long now) throws IOException {
        PartFileName name;
        do {
            // A taken name is only possible after resuming twice from one old savepoint: skip it
            // rather than ever overwrite a committed file.
            name = new PartFileName(lineage, subtask, lastCheckpointId + 1, nextSeq++);
        } while (Files.exists(file.dir.resolve(name.hidden())) || Files.exists(file.dir.resolve(name.visible())));
        file.name = name;
        file.writer = RawFileWriter.create(file.dir.resolve(name.hidden()), file.options);
        file.openedAtMillis = now;
    }

    private void closeFile(SourceFile file) throws IOException {
        RawFileWriter writer = file.writer;
        writer.close(); // if this fails the file stays open for close() to drop
        file.writer = null;
        openFileBytes -= writer.payloadBytes();
        if (!Files.exists(writer.path())) {
            // Removed while being written (libhdf5 wrote on into the unlinked file): committing it
            // would lose its messages; failing replays them from the last checkpoint instead.
            throw new java.nio.file.NoSuchFileException(writer.path().toString(), null,
                    "the in-progress file was removed while being written");
        }
        pending.add(new RawFileCommittable(file.source, file.name.hidden(), file.name.visible(),
                writer.messageCount(), writer.payloadBytes(), System.currentTimeMillis()));
        filesClosed.inc();
        file.filesClosed.inc();
        preSync(writer.path());
    }

    /**
     * Flushes a closed file to disk in the background while this task goes on writing the next
     * one, so that the committer's fsync (which still runs, and alone gives durability) finds
     * little left to write instead of blocking the task for the whole file.
     */
    private void preSync(Path closed) {
        if (preSync == null) {
            return;
        }
        preSync.execute(() -> {
            try (FileChannel channel = FileChannel.open(closed, StandardOpenOption.READ)) {
                channel.force(true);
            } catch (IOException e) {
                // Already committed (renamed) or deleted: the committer's own fsync decides.
                LOG.debug("Early fsync of {} skipped: {}", closed, e.toString());
            }
        });
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        drainAppends();
        for (SourceFile file : files.values()) {
            appendBatch(file, file.batch);
        }
    }

    @Override
    public Collection<RawFileCommittable> prepareCommit() throws IOException {
        drainAppends();
        for (SourceFile file : files.values()) {
            appendBatch(file, file.batch);
            if (file.writer != null) {
                try {
                    closeFile(file);
                } catch (IOException e) {
                    throw outputFailure(file, 0, e);
                }
            }
        }
        List<RawFileCommittable> committables = new ArrayList<>(pending);
        pending.clear();
        return committables;
    }

    @Override
    public List<RawHdf5WriterState> snapshotState(long checkpointId) {
        for (SourceFile file : files.values()) {
            if (file.writer != null) {
                // prepareCommit runs before every snapshot, so this would be a Flink contract change.
                LOG.warn("File {} still open at snapshot of checkpoint {}", file.name.hidden(), checkpointId);
            }
        }
        lastCheckpointId = checkpointId;
        nextSeq = 0;
        return List.of(new RawHdf5WriterState(lineage, subtask, checkpointId));
    }

    /**
     * Never throws: Flink calls this while failing the task too, and an exception there is fatal
     * for the whole TaskManager. Files still open here belong to an interval that never reached a
     * checkpoint: they stay hidden and are deleted by the next restore of this subtask.
     */
    @Override
    public void close() {
        if (preSync != null) {
            preSync.shutdownNow();
        }
        if (appender == null) {
            closeOpenFiles();
        } else if (!appender.shutdownThen(this::closeOpenFiles)) {
            // A native handle is used by one thread only: the append thread closes the files
            // itself once its current batch ends; freeing them here could crash the JVM.
            LOG.warn("The append thread of writer {} is still writing after {} s; it closes its files when done",
                    subtask, APPEND_SHUTDOWN_SECONDS);
        }
    }

    /**
     * Closes and deletes the files left open (after a failure, or on cancel). They never reach a
     * checkpoint ({@link #prepareCommit} closes every file before each one), so their content is
     * dropped first: truncating gives back the disk space that closing needs on a full disk. A
     * failed H5Fclose leaves libhdf5 holding a half-freed file that crashes the JVM later.
     */
    private void closeOpenFiles() {
        for (SourceFile file : files.values()) {
            RawFileWriter writer = file.writer;
            file.writer = null;
            if (writer == null) {
                continue;
            }
            Path path = writer.path();
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                channel.truncate(0);
            } catch (IOException e) {
                LOG.debug("Could not truncate {} before closing it: {}", path, e.toString());
            }
            try {
                writer.close();
                Files.deleteIfExists(path);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not close {} ({}); it stays hidden and is deleted when the job restores",
                        path, OutputFaults.cause(file.dir, path, 0, e));
            }
        }
    }

    /** Waits until the append thread has appended every queued batch; rethrows its failure. */
    private void drainAppends() throws IOException {
        if (appender != null) {
            appender.drain();
        }
    }

    /**
     * The append thread and its bounded queue. Ordering: one thread, FIFO, so a source's batches
     * reach its file in the order they filled. Visibility: the task thread touches file state
     * only after {@link #drain()} (lock hand-off), the append thread only between them.
     */
    private final class BatchAppender {
        private final long maxQueuedBytes;
        private final ExecutorService thread;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        /** Emptied batches for the task thread to fill again (guarded by lock). */
        private final ArrayDeque<MessageBatch> free = new ArrayDeque<>();
        /** Payload bytes submitted and not yet appended; volatile for the metric gauge. */
        private volatile long queuedBytes;
        /** Batches submitted and not yet done (guarded by lock). */
        private int queued;
        /** First failure of the append thread (guarded by lock); nothing is appended after it. */
        private Throwable failure;

        BatchAppender(long maxQueuedBytes, int subtask) {
            this.maxQueuedBytes = maxQueuedBytes;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "rawhdf5-append-" + subtask);
                t.setDaemon(true);
                return t;
            });
        }

        /**
         * Queues {@code full} for appending to {@code file}; returns an empty batch to fill next.
         * Waits while the queue holds {@code maxQueuedBytes} (a lone batch is always taken).
         */
        MessageBatch submit(SourceFile file, MessageBatch full) throws IOException {
            long bytes = full.payloadBytes();
            MessageBatch next;
            lock.lock();
            try {
                throwIfFailed();
                if (queued > 0 && queuedBytes + bytes > maxQueuedBytes) {
                    appendWaits.inc();
                    while (queued > 0 && queuedBytes + bytes > maxQueuedBytes && failure == null) {
                        await();
                    }
                    throwIfFailed();
                }
                queued++;
                queuedBytes += bytes;
                next = free.poll();
            } finally {
                lock.unlock();
            }
            thread.execute(() -> appendQueued(file, full, bytes));
            return next != null ? next : new MessageBatch();
        }

        private void appendQueued(SourceFile file, MessageBatch batch, long bytes) {
            Throwable failed = null;
            boolean skip;
            lock.lock();
            try {
                skip = failure != null;
            } finally {
                lock.unlock();
            }
            if (!skip) {
                try {
                    appendBatch(file, batch);
                } catch (Throwable t) {
                    failed = t;
                }
            }
            batch.clear();
            lock.lock();
            try {
                if (failed != null && failure == null) {
                    failure = failed;
                }
                queued--;
                queuedBytes -= bytes;
                free.push(batch);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void drain() throws IOException {
            lock.lock();
            try {
                while (queued > 0) {
                    await();
                }
                throwIfFailed();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Stops appending (queued batches are skipped: nothing after the last checkpoint is
         * committed anyway), runs {@code last} on the append thread after the batch it is writing,
         * and waits for it a bounded time. Returns whether it ran; if not, it still runs later.
         */
        boolean shutdownThen(Runnable last) {
            lock.lock();
            try {
                if (failure == null) {
                    failure = new IOException("writer closed");
                }
            } finally {
                lock.unlock();
            }
            try {
                thread.execute(last);
            } catch (RejectedExecutionException alreadyShutDown) {
                // close() called twice: the first call queued the closing
            }
            thread.shutdown();
            try {
                return thread.awaitTermination(APPEND_SHUTDOWN_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private void await() throws InterruptedIOException {
            try {
                changed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the raw-HDF5 append thread");
            }
        }

        private void throwIfFailed() throws IOException {
            Throwable t = failure;
            if (t == null) {
                return;
            }
            if (t instanceof OutputFaults.OutputFailedException output) {
                throw new OutputFaults.OutputFailedException(output.getMessage(), output);
            }
            if (t instanceof IOException io) {
                throw new IOException("raw-HDF5 append failed: " + io.getMessage(), io);
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IOException("raw-HDF5 append failed", t);
        }
    }

    /** Per-source state: directory, file options, the batch being filled and the open file. */
    private static final class SourceFile {
        final String source;
        final Path dir;
        final FileStore store;
        final RawFileOptions options;
        MessageBatch batch = new MessageBatch();
        RawFileWriter writer;
        PartFileName name;
        long openedAtMillis;
        /** This source's share of the writer's counters. */
        final Counter recordsWritten;
        final Counter bytesWritten;
        final Counter filesClosed;

        SourceFile(String source, Path dir, FileStore store, RawFileOptions options, MetricGroup metrics) {
            this.source = source;
            this.dir = dir;
            this.store = store;
            this.options = options;
            this.recordsWritten = metrics.counter("recordsWritten");
            this.bytesWritten = metrics.counter("bytesWritten");
            this.filesClosed = metrics.counter("filesClosed");
        }
    }
}
