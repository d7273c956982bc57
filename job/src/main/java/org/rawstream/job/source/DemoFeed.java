package org.rawstream.job.source;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code --local} demo feed: runs sender rounds back to back on a daemon thread until closed.
 * A failed round (typically: the job's endpoint is not bound yet) is retried after a short pause,
 * so a feed may start before its source listens.
 */
public final class DemoFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoFeed.class);
    private static final long RETRY_PAUSE_NANOS = 500_000_000L;

    /** One bounded piece of sending; {@link #stop()} may be called from another thread to end it early. */
    public interface Round {
        void run() throws Exception;

        default void stop() {
        }
    }

    private final Thread thread;
    private volatile boolean closed;
    private volatile Round current;

    private DemoFeed(String name, Supplier<Round> rounds) {
        this.thread = new Thread(() -> loop(name, rounds), name);
        thread.setDaemon(true);
    }

    public static DemoFeed start(String name, Supplier<Round> rounds) {
        DemoFeed feed = new DemoFeed(name, rounds);
        feed.thread.start();
        return feed;
    }

    private void loop(String name, Supplier<Round> rounds) {
        while (!closed) {
            Round round = rounds.get();
            current = round;
            if (closed) {
                return;
            }
            try {
                round.run();
            } catch (Exception e) {
                LOG.debug("{}: round failed ({}); retrying", name, e.toString());
                LockSupport.parkNanos(RETRY_PAUSE_NANOS);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Round round = current;
        if (round != null) {
            round.stop();
        }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
