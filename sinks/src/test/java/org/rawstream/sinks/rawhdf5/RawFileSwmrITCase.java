package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An h5py SWMR reader polls the file (re-opening it every poll) while our writer appends 100
 * batches. Both sides timestamp with CLOCK_MONOTONIC, so every poll can be checked against the
 * exact state the file was in. Row {@code r} holds bytes equal to {@code r % 251}, which the reader
 * checks in the last row: with large messages that row was written past the page cache
 * (DirectWriteDriver) and is read through it.
 */
class RawFileSwmrITCase {

    private static final int BATCHES = 100;
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    private final List<long[]> appends = new ArrayList<>(); // {start ns, end ns, rows after}

    @Test
    void swmrReaderSeesConsistentGrowingCounts() throws Exception {
        pollWhileAppending(100);
    }

    /** Messages of 64 KiB and more: their whole blocks are written with O_DIRECT. */
    @Test
    void swmrReaderSeesTheBytesOfDirectWrites() throws Exception {
        pollWhileAppending(DirectWriteDriver.DIRECT_MIN_BYTES + 4093);
    }

    private void pollWhileAppending(int smallestMessage) throws Exception {
        RawHdf5TestSupport.assumeH5py();
        Path file = dir.resolve("swmr.h5");
        Path poller = RawHdf5TestSupport.script(dir, "swmr_poll.py");
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        List<String> seen = new ArrayList<>();
        MessageBatch batch = new MessageBatch();
        try (RawFileWriter w = RawFileWriter.create(file, RawFileOptions.builder().ioVersion("1.0").build())) {
            long beforeStart = System.nanoTime();
            Process p = new ProcessBuilder(RawHdf5TestSupport.PYTHON, poller.toString(), file.toString())
                    .redirectErrorStream(true).start();
            Thread pump = new Thread(() -> pump(p, lines), "swmr-poller-output");
            pump.setDaemon(true);
            pump.start();
            try {
                String ready = await(lines, seen, l -> l.startsWith("ready "));
                long readyAt = Long.parseLong(ready.split(" ")[1]);
                assertThat(readyAt).as("poller uses the clock of System.nanoTime")
                        .isBetween(beforeStart, System.nanoTime());
                for (int b = 0; b < BATCHES; b++) {
                    batch.clear();
                    for (int i = 0; i <= b % 7; i++) {
                        byte[] m = new byte[smallestMessage + 37 * i];
                        java.util.Arrays.fill(m, (byte) ((w.messageCount() + batch.size()) % 251));
                        batch.add(m, (b + i) % 256);
                    }
                    long start = System.nanoTime();
                    w.append(batch);
                    long end = System.nanoTime();
                    appends.add(new long[] {start, end, w.messageCount()});
                    // Wait until a poll that began after this append saw it.
                    String rows = " " + w.messageCount() + " " + w.messageCount();
                    await(lines, seen, l -> l.startsWith("poll ") && l.endsWith(rows)
                            && Long.parseLong(l.split(" ")[1]) > end);
                }
            } finally {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
                pump.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        // Only lines taken before the poller was stopped are checked: a kill can cut the last one.
        checkPolls(seen);
    }

    private void checkPolls(List<String> seen) {
        long lastMsgs = 0;
        long lastHeaders = 0;
        int quiet = 0;
        int racing = 0;
        int errors = 0;
        for (String line : seen) {
            if (line.startsWith("ready ")) {
                continue;
            }
            String[] parts = line.split(" ", 4);
            assertThat(parts[0]).as("poller output: %s", line).isIn("poll", "error");
            long t0 = Long.parseLong(parts[1]);
            long t1 = Long.parseLong(parts[2]);
            boolean overlapsWrite = appends.stream().anyMatch(a -> a[0] < t1 && a[1] > t0);
            if (parts[0].equals("error")) {
                // A poll racing a write may fail to read the newest vlen row (the global heap is not
                // SWMR-protected); a poll of a file at rest must never fail.
                assertThat(overlapsWrite).as("poll of a file at rest failed: %s", line).isTrue();
                errors++;
                continue;
            }
            String[] counts = parts[3].split(" ");
            long msgs = Long.parseLong(counts[0]);
            long headers = Long.parseLong(counts[1]);
            long committed = rowsCommittedBy(t0);
            long maxRows = rowsStartedBefore(t1);
            assertThat(msgs).as("msgs length only grows: %s", line).isGreaterThanOrEqualTo(lastMsgs);
            assertThat(headers).as("msg_headers length only grows: %s", line).isGreaterThanOrEqualTo(lastHeaders);
            assertThat(msgs).as("msgs length is a committed state: %s", line).isBetween(committed, maxRows);
            assertThat(headers).as("msg_headers length is a committed state: %s", line).isBetween(committed, maxRows);
            if (!overlapsWrite) {
                assertThat(headers).as("poll between writes: equal lengths: %s", line).isEqualTo(msgs);
                assertThat(msgs).as("poll between writes sees every finished batch: %s", line).isEqualTo(committed);
                quiet++;
            } else {
                racing++;
            }
            lastMsgs = msgs;
            lastHeaders = headers;
        }
        System.out.printf("SWMR polls: %d between writes, %d racing a write, %d racing reads failed%n",
                quiet, racing, errors);
        assertThat(quiet).as("polls between writes").isGreaterThanOrEqualTo(BATCHES);
    }

    private long rowsCommittedBy(long t) {
        long rows = 0;
        for (long[] a : appends) {
            if (a[1] <= t) {
                rows = a[2];
            }
        }
        return rows;
    }

    private long rowsStartedBefore(long t) {
        long rows = 0;
        for (long[] a : appends) {
            if (a[0] < t) {
                rows = a[2];
            }
        }
        return rows;
    }

    private static void pump(Process p, LinkedBlockingQueue<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (java.io.IOException e) {
            // The stream closes when the test stops the poller; the lines so far are what counts.
        }
    }

    /** Takes lines (keeping them for the final check) until one matches, with a deadline. */
    private static String await(LinkedBlockingQueue<String> lines, List<String> seen,
                                java.util.function.Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            assertThat(line).as("poller answered within %d s (last lines: %s)", WAIT_SECONDS,
                    seen.subList(Math.max(0, seen.size() - 3), seen.size())).isNotNull();
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
    }
}
