package org.rawstream.sinks.sink;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.rawstream.sinks.rawhdf5.MessageBatch;
import org.rawstream.sinks.rawhdf5.RawFileOptions;
import org.rawstream.sinks.rawhdf5.RawFileWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink subtask: buffers messages per source in a {@link MessageBatch}, appends full batches to
 * the source's hidden in-progress file, rolls files by {@link RollPolicy}, and on every checkpoint
 * ({@link #prepareCommit()}) closes its open files and hands them to the committer.
 */
public final class RawHdf5SinkWriter
        implements CommittingSinkWriter<RawMessage, RawFileCommittable>,
                StatefulSinkWriter<RawMessage, RawHdf5WriterState> {
    private static final Logger LOG = LoggerFactory.getLogger(RawHdf5SinkWriter.class);

    /** Metric group (under the sink's operator group) holding this sink's own metrics. */
    public static final String METRIC_GROUP = "rawhdf5";

    private final RollPolicy rollPolicy;
    private final int batchMessages;
    private final long batchBytes;
    private final int subtask;
    private final String lineage;
    /** Starts the fsync of closed files early (see {@link #preSync}); null when commits do not sync. */
    private final ExecutorService preSync;
    private final Map<String, SourceFile> files = new HashMap<>();
    private final List<RawFileCommittable> pending = new ArrayList<>();

    private final Counter recordsWritten;
    private final Counter bytesWritten;
    private final Counter filesClosed;
    private final Counter numRecordsSend;
    private final Counter numBytesSend;

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
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.preSync = sink.syncOnCommit() ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rawhdf5-presync-" + subtask);
            t.setDaemon(true);
            return t;
        }) : null;
        this.lineage = chooseLineage(restored, subtask, context.getJobInfo().getJobId().toHexString());
        this.lastCheckpointId = context.getRestoredCheckpointId()
                .orElse(restored.stream().mapToLong(RawHdf5WriterState::checkpointId).max().orElse(0L));
        for (SourceOutput source : sink.sources()) {
            Path dir = sink.outputDirectory().resolve(source.name());
            Files.createDirectories(dir);
            RawFileOptions options = RawFileOptions.builder()
                    .version(sink.fileVersion())
                    .ioVersion(source.ioVersion())
                    .attribute("protocol", source.protocol())
                    .build();
            files.put(source.name(), new SourceFile(source.name(), dir, options));
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

        SinkWriterMetricGroup metrics = context.metricGroup();
        MetricGroup group = metrics.addGroup(METRIC_GROUP);
        this.recordsWritten = group.counter("recordsWritten");
        this.bytesWritten = group.counter("bytesWritten");
        this.filesClosed = group.counter("filesClosed");
        group.gauge("openFileBytes", (Gauge<Long>) () -> openFileBytes);
        this.numRecordsSend = metrics.getNumRecordsSendCounter();
        this.numBytesSend = metrics.getNumBytesSendCounter();
        LOG.info("RawHdf5 writer {} (lineage {}) starts after checkpoint {}", subtask, lineage, lastCheckpointId);
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
        file.batch.add(message.bytes(), message.ioGroup());
        if (file.batch.size() >= batchMessages || file.batch.payloadBytes() >= batchBytes) {
            appendBatch(file);
        }
    }

    private void appendBatch(SourceFile file) throws IOException {
        MessageBatch batch = file.batch;
        if (batch.size() == 0) {
            return;
        }
        long now = System.currentTimeMillis();
        if (file.writer != null && now - file.openedAtMillis >= rollPolicy.maxFileAgeMillis()) {
            closeFile(file);
        }
        if (file.writer == null) {
            openFile(file, now);
        }
        file.writer.append(batch);
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
        file.writer = null;
        writer.close();
        openFileBytes -= writer.payloadBytes();
        pending.add(new RawFileCommittable(file.source, file.name.hidden(), file.name.visible(),
                writer.messageCount(), writer.payloadBytes(), System.currentTimeMillis()));
        filesClosed.inc();
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
        for (SourceFile file : files.values()) {
            appendBatch(file);
        }
    }

    @Override
    public Collection<RawFileCommittable> prepareCommit() throws IOException {
        for (SourceFile file : files.values()) {
            appendBatch(file);
            if (file.writer != null) {
                closeFile(file);
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

    @Override
    public void close() throws IOException {
        // Files still open here belong to an interval that never reached a checkpoint: they stay
        // hidden and are deleted by the next restore of this subtask.
        if (preSync != null) {
            preSync.shutdownNow();
        }
        IOException first = null;
        for (SourceFile file : files.values()) {
            if (file.writer != null) {
                try {
                    file.writer.close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
                file.writer = null;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Per-source state: directory, file options, the batch being filled and the open file. */
    private static final class SourceFile {
        final String source;
        final Path dir;
        final RawFileOptions options;
        final MessageBatch batch = new MessageBatch();
        RawFileWriter writer;
        PartFileName name;
        long openedAtMillis;

        SourceFile(String source, Path dir, RawFileOptions options) {
            this.source = source;
            this.dir = dir;
            this.options = options;
        }
    }
}
