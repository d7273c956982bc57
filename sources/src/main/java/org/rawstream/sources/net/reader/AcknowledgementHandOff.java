package org.rawstream.sources.net.reader;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Carries "these records are durable" from the reader's task thread (notifyCheckpointComplete)
 * to the fetcher thread, which owns the sockets. The fetcher drains it at the start of every fetch;
 * the reader wakes a fetcher blocked in its poll.
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

    /** @return the next acknowledgement, or null */
    Acknowledgement poll() {
        return queue.poll();
    }

    int pending() {
        return queue.size();
    }
}
