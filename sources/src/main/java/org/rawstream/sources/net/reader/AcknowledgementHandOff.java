package org.rawstream.sources.net.reader;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Carries "these records are durable" (notifyCheckpointComplete) or, in emission mode, "these
 * records were emitted" from the reader's task thread to the fetcher thread, which owns the
 * sockets. The fetcher drains it at the start and end of every fetch; the reader wakes a fetcher
 * blocked in its poll.
 */
final class AcknowledgementHandOff {
    /** Records {@code 0 .. durableRecords-1} of connection {@code connectionId} on split {@code splitId} are durable. */
    static final class Acknowledgement {
        final String splitId;
        final long connectionId;
        final long durableRecords;

        Acknowledgement(String splitId, long connectionId, long durableRecords) {
            this.splitId = splitId;
            this.connectionId = connectionId;
            this.durableRecords = durableRecords;
        }
    }

    private final Queue<Acknowledgement> queue = new ConcurrentLinkedQueue<>();
    private volatile Runnable waker = () -> { };
    private volatile Runnable onBatchEmitted = () -> { };

    void offer(Acknowledgement ack) {
        queue.add(ack);
    }

    void wakeFetcher() {
        waker.run();
    }

    /** Set by the fetcher's split reader: how to interrupt its poll. */
    void setWaker(Runnable waker) {
        this.waker = waker;
    }

    /** Task thread: a hand-over batch was emitted (emission mode: acknowledge its records). */
    void batchEmitted() {
        onBatchEmitted.run();
    }

    /** Set by the reader: what to do when a batch was emitted. */
    void setOnBatchEmitted(Runnable action) {
        this.onBatchEmitted = action;
    }

    /** @return the next acknowledgement, or null */
    Acknowledgement poll() {
        return queue.poll();
    }

    int pending() {
        return queue.size();
    }
}
