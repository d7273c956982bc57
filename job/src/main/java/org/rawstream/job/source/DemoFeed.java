package org.rawstream.job.source;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code --local --demo} feed: runs sender rounds back to back on a daemon thread until closed.
 * A failed round (the job's endpoint is not bound yet, or a TCP connection broke because the job
 * stopped with a savepoint, restarts or lost a TaskManager) is retried after a bounded backoff
 * (doubling from 100 ms to 2 s, reset by a round that ran for a while), so a feed may start before
 * its source listens and keeps feeding a job that comes back. UDP senders ignore ICMP
 * port-unreachable themselves (a datagram to nobody is simply lost, as from a device). Failures
 * before the feed ever worked (the job is still starting) are logged at debug level only, with one
 * warning if it still cannot reach its source after {@link #QUIET_START_NANOS}.
 */
public final class DemoFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoFeed.class);
    private static final long MIN_BACKOFF_NANOS = 100_000_000L;
    private static final long MAX_BACKOFF_NANOS = 2_000_000_000L;
    /** How long failures at the start stay quiet: the local MiniCluster binds sources within seconds. */
    static final long QUIET_START_NANOS = 60_000_000_000L;

    /** One bounded piece of sending; {@link #stop()} may be called from another thread to end it early. */
    public interface Round {
        void run() throws Exception;

        default void stop() {
        }
    }

    private final Thread thread;
    private final AtomicLong roundsBegun = new AtomicLong();
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
        long backoff = MIN_BACKOFF_NANOS;
        long begun = System.nanoTime();
        boolean worked = false;
        boolean warned = false;
        while (!closed) {
            Round round = rounds.get();
            roundsBegun.incrementAndGet();
            current = round;
            if (closed) {
                return;
            }
            long started = System.nanoTime();
            try {
                round.run();
                backoff = MIN_BACKOFF_NANOS;
                worked = true;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                long now = System.nanoTime();
                if (now - started > MAX_BACKOFF_NANOS) {
                    backoff = MIN_BACKOFF_NANOS; // it ran for a while: a fresh failure, not a retry storm
                    worked = true;
                }
                if (worked) {
                    LOG.info("{}: round failed ({}); retrying in {} ms", name, e.toString(), backoff / 1_000_000);
                } else if (!warned && now - begun > QUIET_START_NANOS) {
                    warned = true;
                    LOG.warn("{}: cannot reach its source for {} s ({}); still retrying", name,
                            (now - begun) / 1_000_000_000L, e.toString());
                } else {
                    LOG.debug("{}: round failed ({}); retrying in {} ms", name, e.toString(), backoff / 1_000_000);
                }
                LockSupport.parkNanos(backoff);
                backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
            }
        }
    }

    /**
     * Rounds made so far (each obtained from the supplier, run or about to run): a feed that numbers
     * its records by round bounds the numbers it can have sent with this.
     */
    public long rounds() {
        return roundsBegun.get();
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
