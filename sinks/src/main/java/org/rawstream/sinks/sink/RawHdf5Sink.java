package org.rawstream.sinks.sink;

import static org.rawstream.core.config.ConfigChecks.atLeast;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Exactly-once sink of {@link RawMessage}s into raw-HDF5 files, one directory per source:
 * {@code <outputDirectory>/<source>/part-....h5}.
 *
 * <p>Two-phase commit: each writer subtask appends batches to a hidden in-progress file per
 * source; before every checkpoint barrier it closes its files and emits them as
 * {@link RawFileCommittable}s; once the checkpoint completes the {@link RawHdf5Committer} renames
 * them atomically to their visible names. See {@link PartFileName} for how names make recovery
 * deterministic.
 */
public final class RawHdf5Sink
        implements Sink<RawMessage>,
                SupportsCommitter<RawFileCommittable>,
                SupportsWriterState<RawMessage, RawHdf5WriterState> {
    private static final long serialVersionUID = 1L;
    /** Default of {@link Builder#minFreeBytes}. */
    public static final long DEFAULT_MIN_FREE_BYTES = 64L << 20;
    /** Defaults of the builder: the job's settings refer to these (one definition each). */
    public static final int DEFAULT_BATCH_MESSAGES = 1000;
    public static final long DEFAULT_BATCH_BYTES = 4L << 20;
    public static final long DEFAULT_APPEND_QUEUE_BYTES = 32L << 20;
    public static final boolean DEFAULT_SYNC_ON_COMMIT = true;
    public static final boolean DEFAULT_DIRECT_WRITES = true;

    private final String outputDirectory;
    private final List<SourceOutput> sources;
    private final RollPolicy rollPolicy;
    private final int batchMessages;
    private final long batchBytes;
    private final long appendQueueBytes;
    private final String fileVersion;
    private final boolean syncOnCommit;
    private final boolean directWrites;
    private final long minFreeBytes;

    private RawHdf5Sink(Builder b) {
        this.outputDirectory = b.outputDirectory.toAbsolutePath().normalize().toString();
        this.sources = Collections.unmodifiableList(new ArrayList<>(b.sources.values()));
        this.rollPolicy = b.rollPolicy;
        this.batchMessages = b.batchMessages;
        this.batchBytes = b.batchBytes;
        this.appendQueueBytes = b.appendQueueBytes;
        this.fileVersion = b.fileVersion;
        this.syncOnCommit = b.syncOnCommit;
        this.directWrites = b.directWrites;
        this.minFreeBytes = b.minFreeBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RawHdf5SinkWriter createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, Collections.emptyList());
    }

    @Override
    public RawHdf5SinkWriter restoreWriter(
            WriterInitContext context, Collection<RawHdf5WriterState> recoveredState) throws IOException {
        return new RawHdf5SinkWriter(this, context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<RawHdf5WriterState> getWriterStateSerializer() {
        return new RawHdf5WriterStateSerializer();
    }

    @Override
    public Committer<RawFileCommittable> createCommitter(CommitterInitContext context) {
        return new RawHdf5Committer(outputDirectory(), syncOnCommit, context.metricGroup(),
                sources().stream().map(SourceOutput::name).toList());
    }

    @Override
    public SimpleVersionedSerializer<RawFileCommittable> getCommittableSerializer() {
        return new RawFileCommittableSerializer();
    }

    public Path outputDirectory() {
        return Paths.get(outputDirectory);
    }

    public List<SourceOutput> sources() {
        return sources;
    }

    public RollPolicy rollPolicy() {
        return rollPolicy;
    }

    public int batchMessages() {
        return batchMessages;
    }

    public long batchBytes() {
        return batchBytes;
    }

    public long appendQueueBytes() {
        return appendQueueBytes;
    }

    public String fileVersion() {
        return fileVersion;
    }

    public boolean syncOnCommit() {
        return syncOnCommit;
    }

    public boolean directWrites() {
        return directWrites;
    }

    public long minFreeBytes() {
        return minFreeBytes;
    }

    @Override
    public String toString() {
        return "RawHdf5Sink{output=" + outputDirectory + ", sources=" + sources + ", " + rollPolicy
                + ", batchMessages=" + batchMessages + ", batchBytes=" + batchBytes + ", appendQueueBytes=" + appendQueueBytes + ", syncOnCommit="
                + syncOnCommit + ", directWrites=" + directWrites + ", minFreeBytes=" + minFreeBytes + "}";
    }

    /** Builder; at least one source is required. */
    public static final class Builder {
        private Path outputDirectory = Paths.get("out");
        private final Map<String, SourceOutput> sources = new LinkedHashMap<>();
        private RollPolicy rollPolicy = RollPolicy.defaults();
        private int batchMessages = DEFAULT_BATCH_MESSAGES;
        private long batchBytes = DEFAULT_BATCH_BYTES;
        private long appendQueueBytes = DEFAULT_APPEND_QUEUE_BYTES;
        private String fileVersion = "0.0";
        private boolean syncOnCommit = DEFAULT_SYNC_ON_COMMIT;
        private boolean directWrites = DEFAULT_DIRECT_WRITES;
        private long minFreeBytes = DEFAULT_MIN_FREE_BYTES;

        private Builder() {}

        public Builder outputDirectory(Path dir) {
            this.outputDirectory = dir;
            return this;
        }

        public Builder outputDirectory(String dir) {
            return outputDirectory(Paths.get(dir));
        }

        /** Adds a source: its files go to {@code <output>/<name>/}, /meta gets protocol and io_version. */
        public Builder source(String name, String protocol, String ioVersion) {
            SourceOutput output = new SourceOutput(name, protocol, ioVersion);
            if (sources.putIfAbsent(name, output) != null) {
                throw new IllegalArgumentException("duplicate source " + name);
            }
            return this;
        }

        public Builder rollPolicy(RollPolicy policy) {
            this.rollPolicy = policy;
            return this;
        }

        /** Messages buffered per source before one append to the file (default 1000). */
        public Builder batchMessages(int messages) {
            this.batchMessages = atLeast(messages, 1, "batchMessages");
            return this;
        }

        /** Payload bytes buffered per source before one append to the file (default 4 MiB). */
        public Builder batchBytes(long bytes) {
            this.batchBytes = atLeast(bytes, 1, "batchBytes");
            return this;
        }

        /**
         * Bytes of full batches that may wait for the sink writer's append thread (default 32 MiB);
         * 0 appends on the task thread. The batches are direct buffers (Flink: task off-heap memory).
         */
        public Builder appendQueueBytes(long bytes) {
            this.appendQueueBytes = atLeast(bytes, 0, "appendQueueBytes");
            return this;
        }

        /** Raw-HDF5 format version written to /meta (default "0.0"). */
        public Builder fileVersion(String version) {
            this.fileVersion = version;
            return this;
        }

        /** fsync each file (and its directory) when committing it (default true). */
        public Builder syncOnCommit(boolean sync) {
            this.syncOnCommit = sync;
            return this;
        }

        /**
         * Write the whole disk blocks of large writes with {@code O_DIRECT}, past the page cache
         * (default true; see {@link org.rawstream.sinks.rawhdf5.RawFileOptions.Builder#directWrites}).
         */
        public Builder directWrites(boolean direct) {
            this.directWrites = direct;
            return this;
        }

        /**
         * Free space the output file system must keep after an append (default 64 MiB; 0 = no
         * guard). An append that would leave less fails the task before libhdf5 hits a full disk,
         * keeping room for closing files and for checkpoints; the job restarts from its last
         * checkpoint and resumes once space is freed.
         */
        public Builder minFreeBytes(long bytes) {
            this.minFreeBytes = atLeast(bytes, 0, "minFreeBytes");
            return this;
        }

        public RawHdf5Sink build() {
            if (sources.isEmpty()) {
                throw new IllegalStateException("RawHdf5Sink needs at least one source");
            }
            return new RawHdf5Sink(this);
        }
    }
}
