package org.rawstream.job.config;

import java.time.Duration;
import java.util.List;
import org.rawstream.sinks.sink.RawHdf5Sink;
import org.rawstream.sinks.sink.RollPolicy;

/**
 * The job's own settings and the keys every source has, each defined once. The sink's limits take
 * their defaults from the sink ({@link RollPolicy}, {@link RawHdf5Sink}), so the job and the sink
 * cannot disagree about them.
 */
public final class JobSettings {
    private static final Duration FOREVER = Duration.ofDays(36500);
    private static final RollPolicy ROLL = RollPolicy.defaults();

    public static final Setting<String> OUTPUT_DIR = Setting.key("output.dir").text().defaultValue("out")
            .withDescription("files go to `<output.dir>/<source>/` (flag `-o`, `--output`)");
    public static final Setting<String> SOURCES = Setting.key("sources").text("names, comma-separated", v -> v)
            .defaultValue("gen,spead,odin,echo,msgpack")
            .withDescription("the sources to run, by name (see [below](#the-default-sources)) (flag `--sources`)");
    public static final Setting<Integer> PARALLELISM = Setting.key("parallelism").intCount(1, 1024).noDefaultValue()
            .withDescription("job parallelism; unset = Flink's (`parallelism.default`, 1 locally) (flag `-p`)");
    public static final Setting<Duration> CHECKPOINT_INTERVAL = Setting.key("checkpoint.interval")
            .duration(Duration.ofMillis(10), Duration.ofDays(7)).noDefaultValue()
            .withDescription("checkpoint interval = how often files are committed; unset = Flink's (10 s in "
                    + "`flink-conf/config.yaml`) (flag `--checkpoint-interval`)");
    public static final Setting<Duration> DURATION = Setting.key("duration").duration(Duration.ofMillis(1), FOREVER)
            .noDefaultValue()
            .withDescription("stop cleanly after this time, e.g. `30s`, `10min`; unset = run until stopped "
                    + "(flag `--duration`)");
    public static final Setting<Long> ROLL_MAX_BYTES = Setting.key("roll.max-bytes").bytes(1, Long.MAX_VALUE)
            .defaultValue(ROLL.maxFileBytes())
            .withDescription("start a new file at this payload size (flag `--roll-max-bytes`)");
    public static final Setting<Long> ROLL_MAX_RECORDS = Setting.key("roll.max-records").count(1, Long.MAX_VALUE)
            .defaultValue(ROLL.maxFileRecords())
            .withDescription("… at this many messages (flag `--roll-max-records`)");
    public static final Setting<Duration> ROLL_MAX_AGE = Setting.key("roll.max-age").duration(Duration.ofMillis(1), FOREVER)
            .defaultValue(Duration.ofMillis(ROLL.maxFileAgeMillis()))
            .withDescription("… at this age, counted from the file's first message; checked after each append and on "
                    + "a timer (a tenth of it, 100 ms .. 1 min), so a quiet source's file closes too "
                    + "([sink writer](sink-writer.md)) (flag `--roll-max-age`)");
    public static final Setting<Integer> BATCH_MAX_MESSAGES = Setting.key("batch.max-messages").intCount(1, 1_000_000)
            .defaultValue(RawHdf5Sink.DEFAULT_BATCH_MESSAGES)
            .withDescription("messages collected per source before one append");
    /** A batch is one direct buffer with int offsets. */
    public static final Setting<Long> BATCH_MAX_BYTES = Setting.key("batch.max-bytes").bytes(1, 1L << 30)
            .defaultValue(RawHdf5Sink.DEFAULT_BATCH_BYTES)
            .withDescription("bytes collected per source before one append");
    public static final Setting<Long> BATCH_QUEUE_BYTES = Setting.key("batch.queue-bytes").bytes(0, 64L << 30)
            .defaultValue(RawHdf5Sink.DEFAULT_APPEND_QUEUE_BYTES)
            .withDescription("full batches that may wait for the sink's append thread, which writes (libhdf5 and the "
                    + "write to disk) while the task thread keeps receiving; beyond it the task thread waits "
                    + "(`rawhdf5.appendWaits`). `0` appends on the task thread. The batches are direct buffers: on a "
                    + "cluster they count against `taskmanager.memory.task.off-heap.size`");
    public static final Setting<Boolean> SYNC_ON_COMMIT = Setting.key("sink.sync-on-commit").bool()
            .defaultValue(RawHdf5Sink.DEFAULT_SYNC_ON_COMMIT)
            .withDescription("fsync each file and its directory when committing");
    public static final Setting<Boolean> DIRECT_WRITES = Setting.key("sink.direct-writes").bool()
            .defaultValue(RawHdf5Sink.DEFAULT_DIRECT_WRITES)
            .withDescription("write the whole 4 KiB blocks of large writes (messages of 64 KiB and more) with "
                    + "O_DIRECT, past the page cache, whose copy was the largest cost of a fast capture "
                    + "([sink writer](sink-writer.md#direct-writes)); the files' bytes are the same. `false` = every "
                    + "byte through the page cache (libhdf5's default driver). A file system that refuses O_DIRECT "
                    + "is written through the page cache either way");
    /**
     * One sink writer per source, chained to the source's operators, or one writer for all sources
     * (the layout of earlier versions, whose multi-source savepoints restore only into it).
     */
    public static final Setting<Boolean> SINK_PER_SOURCE = Setting.key("sink.per-source").bool()
            .defaultValue(true)
            .withDescription("one sink writer per source, chained to the source's operators (messages reach it by "
                    + "reference instead of through Flink's network buffers; `batch.queue-bytes` is shared out over "
                    + "the sources, at least two batches each); `false` = one writer for all sources, the layout "
                    + "before this setting existed: use it to restore a savepoint of a job with several sources taken "
                    + "by an earlier version");
    /** Free space the output file system keeps; an append that would go below fails the task first. */
    public static final Setting<Long> MIN_FREE_BYTES = Setting.key("sink.min-free-bytes").bytes(0, Long.MAX_VALUE)
            .defaultValue(RawHdf5Sink.DEFAULT_MIN_FREE_BYTES)
            .withDescription("free space the output file system keeps: an append that would leave less fails the task "
                    + "before the disk is full, and the job resumes once space is freed "
                    + "([faults](faults.md#a-full-disk-and-other-output-failures)); `0` = no guard");
    /** Consecutive failed checkpoints tolerated before the job restarts (Flink's tolerable-failed-checkpoints). */
    public static final Setting<Integer> CHECKPOINT_TOLERABLE_FAILURES = Setting.key("checkpoint.tolerable-failures")
            .intCount(0, Integer.MAX_VALUE).defaultValue(10)
            .withDescription("consecutive failed checkpoints before the job restarts (unless Flink's "
                    + "`execution.checkpointing.tolerable-failed-checkpoints` is set and this is not); a failed "
                    + "checkpoint only delays a commit ([faults](faults.md#failed-checkpoints))");

    /** Keys every source has ({@code source.<name>.<key>}); the kind's own settings come from the kind. */
    public static final Setting<String> SOURCE_TYPE = Setting.key("type").text().noDefaultValue()
            .withDescription("the source's kind (required): one of the types below");
    public static final Setting<Integer> SOURCE_IO_GROUP = Setting.key("io-group").intCount(0, 255).defaultValue(0)
            .withDescription("the `io_groups` value of this source's messages, unique per job");
    public static final Setting<String> SOURCE_PROTOCOL = Setting.key("protocol").text().noDefaultValue()
            .withDescription("`/meta` attribute `protocol`; unset = the type's");
    public static final Setting<String> SOURCE_IO_VERSION = Setting.key("io-version").text().noDefaultValue()
            .withDescription("`/meta` attribute `io_version`; unset = the type's");

    private JobSettings() {}

    /** The job's settings, in the order the reference lists them. */
    public static List<Setting<?>> job() {
        return List.of(OUTPUT_DIR, SOURCES, PARALLELISM, CHECKPOINT_INTERVAL, DURATION, ROLL_MAX_BYTES, ROLL_MAX_RECORDS,
                ROLL_MAX_AGE, BATCH_MAX_MESSAGES, BATCH_MAX_BYTES, BATCH_QUEUE_BYTES, SYNC_ON_COMMIT, DIRECT_WRITES, SINK_PER_SOURCE,
                MIN_FREE_BYTES, CHECKPOINT_TOLERABLE_FAILURES);
    }

    /** The keys every source has. */
    public static List<Setting<?>> common() {
        return List.of(SOURCE_TYPE, SOURCE_IO_GROUP, SOURCE_PROTOCOL, SOURCE_IO_VERSION);
    }
}
