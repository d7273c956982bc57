package org.rawstream.sinks.sink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.rawstream.sinks.rawhdf5.MessageBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink subtask, the Flink side: routes each message to its source's batch
 * ({@link SourceRouter}), hands full batches to the {@link AppendThread}, which alone opens,
 * appends to, rolls ({@link RollingPolicy}) and closes the files ({@link OpenPartFiles}), and on
 * every checkpoint ({@link #prepareCommit()}) has it close the open files and hands them to the
 * committer. Everything here runs on the task thread (processing-time timers included).
 *
 * <p>With a non-zero {@link RawHdf5Sink#appendQueueBytes()} (the default) libhdf5 and the kernel's
 * copy into the page cache run on the append thread, next to whatever is chained before the sink,
 * instead of after it on the task thread; with 0 the commands run on the task thread. Commands run
 * in submission order, so a checkpoint's files hold exactly the messages written before its
 * barrier. A failed command is rethrown on the task thread by the next write, flush, commit or
 * timer (the task fails and restarts from the last checkpoint), and nothing more is appended.
 *
 * <p>Time-based rolling: a processing-time timer every {@link RollingPolicy#processingTimeCheckMillis()}
 * has the append thread close the files the policy rolls by time, so {@code maxFileAge} also holds
 * on a source that went quiet; such a file is committed at the next checkpoint like any other.
 *
 * <p>Output faults (disk full, quota, permission, directory or file removed): see
 * {@link OutputFaults}; a refused or failed append fails the task with one line naming the
 * directory and the cause. {@link #close()} never throws and never frees a native handle itself:
 * closing the files is the append thread's last command.
 */
public final class RawHdf5SinkWriter
        implements CommittingSinkWriter<RawMessage, RawFileCommittable>,
                StatefulSinkWriter<RawMessage, RawHdf5WriterState> {
    private static final Logger LOG = LoggerFactory.getLogger(RawHdf5SinkWriter.class);

    /** Metric group (under the sink's operator group) holding this sink's own metrics. */
    public static final String METRIC_GROUP = "rawhdf5";
    /** Key of the per-source subgroup: {@code rawhdf5.source.<name>.<metric>} (a label in Prometheus). */
    public static final String SOURCE_GROUP_KEY = "source";
    /** Longest {@link #close()} waits for the append thread to finish the command it is running. */
    static final long CLOSE_WAIT_MILLIS = 60_000;

    private final int batchMessages;
    private final long batchBytes;
    private final int subtask;
    private final String lineage;
    private final long closeWaitMillis;
    private final RollingPolicy rollingPolicy;
    private final SourceRouter router;
    private final AppendThread appendThread;
    /** Touched only by commands running on {@link #appendThread}. */
    private final OpenPartFiles files;
    /** Null when commits do not sync. */
    private final PreSync preSync;
    private final ProcessingTimeService processingTime;
    /** The pending roll check; null when the policy needs none. */
    private ScheduledFuture<?> rollCheck;
    private boolean closed;

    RawHdf5SinkWriter(RawHdf5Sink sink, WriterInitContext context, Collection<RawHdf5WriterState> restored)
            throws IOException {
        this(sink, context, restored, CLOSE_WAIT_MILLIS);
    }

    RawHdf5SinkWriter(RawHdf5Sink sink, WriterInitContext context, Collection<RawHdf5WriterState> restored,
            long closeWaitMillis) throws IOException {
        this.batchMessages = sink.batchMessages();
        this.batchBytes = sink.batchBytes();
        this.closeWaitMillis = closeWaitMillis;
        this.rollingPolicy = sink.rollPolicy();
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.lineage = LeftoverRecovery.chooseLineage(restored, subtask, context.getJobInfo().getJobId().toHexString());
        long lastCheckpointId = context.getRestoredCheckpointId()
                .orElse(restored.stream().mapToLong(RawHdf5WriterState::checkpointId).max().orElse(0L));

        SinkWriterMetrics metrics = new SinkWriterMetrics(context.metricGroup(), sink.outputDirectory());
        List<SourceTarget> targets = new ArrayList<>();
        for (SourceOutput source : sink.sources()) {
            targets.add(SourceTarget.create(targets.size(), source, sink, metrics));
        }
        if (context.getRestoredCheckpointId().isPresent() || !restored.isEmpty()) {
            List<Path> dirs = targets.stream().map(t -> t.dir).toList();
            LeftoverRecovery.deleteLeftovers(restored, new RawHdf5WriterState(lineage, subtask, lastCheckpointId), dirs);
        }
        this.router = new SourceRouter(targets);
        this.preSync = sink.syncOnCommit() ? new PreSync(subtask) : null;
        this.appendThread = new AppendThread(sink.appendQueueBytes(), subtask, metrics);
        metrics.watchAppendQueue(appendThread::queuedBytes);
        this.files = new OpenPartFiles(rollingPolicy, sink.minFreeBytes(), lineage, subtask, lastCheckpointId,
                targets.size(), metrics, preSync);
        this.processingTime = context.getProcessingTimeService();
        scheduleRollCheck();
        LOG.info("RawHdf5 writer {} (lineage {}) starts after checkpoint {}", subtask, lineage, lastCheckpointId);
    }

    @Override
    public void write(RawMessage message, Context context) throws IOException {
        SourceRouter.Buffer buffer = router.route(message.source());
        MessageBatch batch = buffer.batch;
        if (batch.size() == 0) {
            buffer.firstMessageMillis = System.currentTimeMillis();
        }
        // Written straight into the batch: a leased message (SPEAD heaps) is encoded there, an
        // owned one copied; neither is referenced after this call.
        batch.add(message.length(), message.ioGroup(), message::writeTo);
        if (batch.size() >= batchMessages || batch.payloadBytes() >= batchBytes) {
            submit(buffer);
        }
    }

    /** Hands the buffer's batch to the append thread; the buffer gets an empty one. */
    private void submit(SourceRouter.Buffer buffer) throws IOException {
        MessageBatch full = buffer.batch;
        SourceTarget target = buffer.target;
        long firstMessageMillis = buffer.firstMessageMillis;
        buffer.batch = appendThread.submitBatch(full, () -> files.append(target, full, firstMessageMillis));
    }

    private void submitPartialBatches() throws IOException {
        for (SourceRouter.Buffer buffer : router.all()) {
            if (buffer.batch.size() > 0) {
                submit(buffer);
            }
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        submitPartialBatches();
        appendThread.drain();
    }

    @Override
    public Collection<RawFileCommittable> prepareCommit() throws IOException {
        submitPartialBatches();
        return appendThread.call(files::closeAll);
    }

    @Override
    public List<RawHdf5WriterState> snapshotState(long checkpointId) throws IOException {
        appendThread.submit(() -> files.checkpointTaken(checkpointId));
        return List.of(new RawHdf5WriterState(lineage, subtask, checkpointId));
    }

    private void scheduleRollCheck() {
        long every = rollingPolicy.processingTimeCheckMillis();
        if (every > 0 && !closed) {
            rollCheck = processingTime.registerTimer(processingTime.getCurrentProcessingTime() + every, this::onRollCheck);
        }
    }

    /**
     * The processing-time roll check (task thread): a partial batch whose first message is due
     * goes to its file first, then the append thread closes every file the policy rolls now.
     */
    private void onRollCheck(long timestamp) throws IOException {
        if (closed) {
            return;
        }
        long now = System.currentTimeMillis();
        for (SourceRouter.Buffer buffer : router.all()) {
            if (buffer.batch.size() > 0 && rollingPolicy.shouldRollOnProcessingTime(buffer, now)) {
                submit(buffer);
            }
        }
        appendThread.submit(() -> files.rollDue(now));
        scheduleRollCheck();
    }

    /**
     * Never throws: Flink calls this while failing the task too, and an exception there is fatal
     * for the whole TaskManager. Files still open here belong to an interval that never reached a
     * checkpoint: the append thread closes and deletes them as its last command. If it is still
     * inside a call into libhdf5 after the wait, their native handles are left to it rather than
     * freed under it (a crash of the whole TaskManager); a file it never closes stays hidden and is
     * deleted by the next restore of this subtask.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (rollCheck != null) {
            rollCheck.cancel(false);
        }
        if (preSync != null) {
            preSync.shutdown();
        }
        if (!appendThread.shutdown(files::discardAll, closeWaitMillis)) {
            LOG.warn("The append thread of raw-HDF5 writer {} is still inside a file operation after {} ms; its open"
                    + " files are left to it (closed when that call returns, never freed under it): until then their"
                    + " native handles stay allocated", subtask, closeWaitMillis);
        }
    }

    /** Tests: runs {@code command} on the append thread after everything submitted before it. */
    void runOnAppendThread(AppendThread.Command command) throws IOException {
        appendThread.submit(command);
    }
}
