package org.rawstream.sinks.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfoImpl;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.sinks.rawhdf5.RawFileReader;

/**
 * The sink writer on the task thread's side, without a cluster: batches appended on the append
 * thread (and on the task thread with {@code appendQueueBytes(0)}) reach the files complete and in
 * order, files roll on the append thread, and an append's failure fails the task thread.
 */
class RawHdf5SinkWriterTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void appendThreadWritesEveryMessageInOrderAndRollsFiles() throws Exception {
        // A 1-byte queue: every full batch waits for the one before it (the backpressure path).
        for (long queueBytes : new long[] {0, 1, 32L << 20}) {
            Path out = dir.resolve("q" + queueBytes);
            RawHdf5Sink sink = sink(out, queueBytes);
            List<String> expectedA = new ArrayList<>();
            List<String> expectedB = new ArrayList<>();
            List<RawFileCommittable> committables = new ArrayList<>();
            try (RawHdf5SinkWriter writer = sink.createWriter(context())) {
                for (int checkpoint = 1; checkpoint <= 2; checkpoint++) {
                    for (int i = 0; i < 500; i++) {
                        String a = "a-" + checkpoint + "-" + i + "-" + "x".repeat(i % 37);
                        writer.write(new RawMessage("a", 1, a.getBytes(StandardCharsets.UTF_8)), null);
                        expectedA.add(a);
                        if (i % 3 == 0) {
                            String b = "b-" + checkpoint + "-" + i;
                            writer.write(new RawMessage("b", 2, b.getBytes(StandardCharsets.UTF_8)), null);
                            expectedB.add(b);
                        }
                    }
                    committables.addAll(writer.prepareCommit());
                    writer.snapshotState(checkpoint);
                }
            }
            assertThat(readAll(out.resolve("a"), committables)).as("queue %d", queueBytes).isEqualTo(expectedA);
            assertThat(readAll(out.resolve("b"), committables)).as("queue %d", queueBytes).isEqualTo(expectedB);
            // 1000 messages of "a", files rolled once a batch (5 messages) takes them to 64 or more.
            assertThat(committables.stream().filter(c -> c.source().equals("a")).count()).isGreaterThanOrEqualTo(15);
            assertThat(committables).allSatisfy(c -> assertThat(c.messageCount()).isBetween(1L, 68L));
        }
    }

    @Test
    void failedAppendFailsTheTaskThread() throws Exception {
        RawHdf5Sink sink = sink(dir, 32L << 20);
        RawHdf5SinkWriter writer = sink.createWriter(context());
        try {
            // The source's directory disappears: opening its first file fails on the append thread.
            Files.delete(dir.resolve("a"));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 10; i++) {
                    writer.write(new RawMessage("a", 1, new byte[] {(byte) i}), null);
                }
                writer.prepareCommit();
            }).isInstanceOf(OutputFaults.OutputFailedException.class).hasRootCauseInstanceOf(NoSuchFileException.class)
                    .hasMessageStartingWith("raw-HDF5 output " + dir.resolve("a").toAbsolutePath()
                            + ": the directory does not exist any more");
            // It stays failed: nothing is appended after a failed append.
            assertThatThrownBy(writer::prepareCommit).isInstanceOf(IOException.class);
        } finally {
            writer.close();
        }
    }

    @Test
    void spaceGuardRefusesBeforeTheDiskFillsAndNothingIsWritten() throws Exception {
        for (long queueBytes : new long[] {0, 32L << 20}) {
            Path out = dir.resolve("guard" + queueBytes);
            // More free space than any disk has: the very first append is refused.
            RawHdf5Sink sink = RawHdf5Sink.builder().outputDirectory(out).source("a", "test", "1.0").batchMessages(5)
                    .appendQueueBytes(queueBytes).syncOnCommit(false).minFreeBytes(Long.MAX_VALUE / 4).build();
            RawHdf5SinkWriter writer = sink.createWriter(context());
            try {
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 10; i++) {
                        writer.write(new RawMessage("a", 1, new byte[] {(byte) i}), null);
                    }
                    writer.prepareCommit();
                }).isInstanceOf(OutputFaults.OutputFailedException.class)
                        .hasMessageStartingWith("raw-HDF5 output " + out.resolve("a").toAbsolutePath()
                                + ": free space below sink.min-free-bytes");
            } finally {
                writer.close(); // never throws
            }
            try (Stream<Path> files = Files.list(out.resolve("a"))) {
                assertThat(files).as("no file created").isEmpty();
            }
        }
    }

    @Test
    void anInProgressFileRemovedUnderneathFailsTheCommitInsteadOfLosingIt() throws Exception {
        RawHdf5Sink sink = sink(dir, 32L << 20);
        RawHdf5SinkWriter writer = sink.createWriter(context());
        try {
            for (int i = 0; i < 12; i++) {
                writer.write(new RawMessage("a", 1, new byte[] {(byte) i}), null);
            }
            writer.flush(false);
            Path inProgress;
            try (Stream<Path> files = Files.list(dir.resolve("a"))) {
                inProgress = files.findFirst().orElseThrow();
            }
            Files.delete(inProgress);
            assertThatThrownBy(writer::prepareCommit).isInstanceOf(OutputFaults.OutputFailedException.class)
                    .hasMessageStartingWith("raw-HDF5 output " + dir.resolve("a").toAbsolutePath()
                            + ": the in-progress file " + inProgress.getFileName() + " was removed");
        } finally {
            writer.close();
        }
    }

    @Test
    void closeAfterAFailureDropsTheOpenFileAndNeverThrows() throws Exception {
        RawHdf5Sink sink = sink(dir, 32L << 20);
        RawHdf5SinkWriter writer = sink.createWriter(context());
        for (int i = 0; i < 12; i++) {
            writer.write(new RawMessage("a", 1, new byte[] {(byte) i}), null);
        }
        writer.flush(false); // two batches appended: a file in progress
        try (Stream<Path> files = Files.list(dir.resolve("a"))) {
            assertThat(files).hasSize(1);
        }
        writer.close();
        writer.close();
        try (Stream<Path> files = Files.list(dir.resolve("a"))) {
            assertThat(files).as("the uncommitted file is gone").isEmpty();
        }
    }

    @Test
    void closeWhileTheAppendThreadIsBusyLeavesItsFilesToItInsteadOfFreeingThem() throws Exception {
        RawHdf5Sink sink = sink(dir, 32L << 20);
        // close() waits 200 ms for the append thread instead of a minute.
        RawHdf5SinkWriter writer = new RawHdf5SinkWriter(sink, context(), List.of(), 200);
        for (int i = 0; i < 12; i++) {
            writer.write(new RawMessage("a", 1, new byte[] {(byte) i}), null);
        }
        writer.flush(false); // a file in progress, its native handle owned by the append thread
        Path inProgress;
        try (Stream<Path> files = Files.list(dir.resolve("a"))) {
            inProgress = files.findFirst().orElseThrow();
        }
        // The append thread is inside a call that does not return (as if stuck in libhdf5 or the kernel).
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        writer.runOnAppendThread(() -> {
            inside.countDown();
            release.await();
        });
        assertThat(inside.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        try {
            writer.close(); // gives up waiting after 200 ms and logs that the files are left to the append thread
            assertThat(inProgress).as("not closed (nor deleted) under the busy append thread").exists();
        } finally {
            release.countDown();
        }
        // Once its call returns, the append thread closes and deletes the uncommitted file itself.
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (Files.exists(inProgress)) {
            assertThat(System.nanoTime()).as("append thread dropped %s in time", inProgress).isLessThan(deadline);
            LockSupport.parkNanos(10_000_000L); // poll interval
        }
    }

    private static RawHdf5Sink sink(Path out, long queueBytes) {
        return RawHdf5Sink.builder()
                .outputDirectory(out)
                .source("a", "test", "1.0")
                .source("b", "test", "1.0")
                .batchMessages(5)
                .appendQueueBytes(queueBytes)
                .rollPolicy(RollPolicy.builder().maxFileRecords(64).build())
                .syncOnCommit(false)
                .build();
    }

    /** The messages of the committed files of one source, files in the order they were closed. */
    private static List<String> readAll(Path sourceDir, Collection<RawFileCommittable> committables) throws IOException {
        List<String> messages = new ArrayList<>();
        List<RawFileCommittable> ordered = committables.stream()
                .filter(c -> c.source().equals(sourceDir.getFileName().toString()))
                .sorted(Comparator.comparing(RawFileCommittable::hiddenName, RawHdf5SinkWriterTest::partOrder))
                .toList();
        for (RawFileCommittable c : ordered) {
            try (RawFileReader reader = RawFileReader.open(sourceDir.resolve(c.hiddenName()))) {
                assertThat(reader.count()).isEqualTo(c.messageCount());
                for (byte[] m : reader.messages(0, reader.count())) {
                    messages.add(new String(m, StandardCharsets.UTF_8));
                }
            }
        }
        try (Stream<Path> files = Files.list(sourceDir)) {
            assertThat(files.count()).as("no file beyond the committables").isEqualTo(ordered.size());
        }
        return messages;
    }

    /** Orders hidden part names by (checkpoint, sequence). */
    private static int partOrder(String a, String b) {
        PartFileName x = PartFileName.parseHidden(a).orElseThrow();
        PartFileName y = PartFileName.parseHidden(b).orElseThrow();
        return x.checkpoint != y.checkpoint ? Long.compare(x.checkpoint, y.checkpoint) : Integer.compare(x.seq, y.seq);
    }

    private static final ProcessingTimeService NEVER_FIRING = new ProcessingTimeService() {
        @Override
        public long getCurrentProcessingTime() {
            return System.currentTimeMillis();
        }

        @Override
        public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback target) {
            return null; // no handle: the writer then has nothing to cancel
        }
    };

    static WriterInitContext context() {
        InternalSinkWriterMetricGroup metrics =
                InternalSinkWriterMetricGroup.wrap(UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup());
        TaskInfoImpl task = new TaskInfoImpl("sink", 1, 0, 1, 0);
        JobInfoImpl job = new JobInfoImpl(new JobID(), "test");
        return (WriterInitContext) Proxy.newProxyInstance(RawHdf5SinkWriterTest.class.getClassLoader(),
                new Class<?>[] {WriterInitContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "metricGroup" -> metrics;
                    case "getTaskInfo" -> task;
                    case "getJobInfo" -> job;
                    case "getRestoredCheckpointId" -> OptionalLong.empty();
                    // Timers never fire here (these tests call the writer from one thread, as the
                    // mailbox would); RawHdf5SinkRollOnTimeITCase runs them on Flink's real service.
                    case "getProcessingTimeService" -> NEVER_FIRING;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
