package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.rawstream.job.source.DemoFeed;

/** A demo feed retries failed rounds (a broken or refused connection) until it is closed. */
class DemoFeedTest {
    @Test
    void retriesFailedRoundsUntilClosed() throws Exception {
        AtomicInteger rounds = new AtomicInteger();
        AtomicInteger succeeded = new AtomicInteger();
        DemoFeed feed = DemoFeed.start("test feed", () -> () -> {
            if (rounds.incrementAndGet() <= 3) {
                throw new IOException("connection refused");
            }
            succeeded.incrementAndGet();
        });
        try {
            Deadlines.await(Duration.ofSeconds(20), "rounds after three failures", () -> succeeded.get() > 0);
        } finally {
            feed.close();
        }
        int afterClose = rounds.get();
        assertThat(afterClose).isGreaterThan(3);
        // Counted when made: a round made just as the feed closed is counted but never run.
        assertThat(feed.rounds()).as("rounds the feed counted").isBetween((long) afterClose, afterClose + 1L);
        assertThat(rounds.get()).as("no round after close").isEqualTo(afterClose);
    }
}
