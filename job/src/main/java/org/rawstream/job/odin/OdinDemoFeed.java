package org.rawstream.job.odin;

import java.time.Duration;
import org.rawstream.sources.odin.OdinSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code --local} feed of an ODIN source: an {@link OdinSender} on a daemon thread until closed. */
final class OdinDemoFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OdinDemoFeed.class);

    private final OdinSender sender;
    private final Thread thread;

    private OdinDemoFeed(OdinSender sender, String sourceName, int udpPort) {
        this.sender = sender;
        this.thread = new Thread(() -> {
            try {
                // UDP packets sent before the job binds are lost: start once it listens (TCP retries itself).
                if (udpPort > 0 && !LocalEndpoints.awaitBound(false, udpPort, Duration.ofSeconds(60))) {
                    LOG.warn("{}: UDP port {} not bound after 60 s; sending anyway", sourceName, udpPort);
                }
                LOG.info("{}: demo feed done: {}", sourceName, sender.run());
            } catch (Exception e) {
                LOG.warn("{}: demo feed stopped: {}", sourceName, e.toString());
            }
        }, "odin-demo-feed-" + sourceName);
        thread.setDaemon(true);
    }

    /** @param udpPort the UDP port to wait for before sending, or 0 (TCP) */
    static OdinDemoFeed start(OdinSender sender, String sourceName, int udpPort) {
        OdinDemoFeed feed = new OdinDemoFeed(sender, sourceName, udpPort);
        feed.thread.start();
        return feed;
    }

    @Override
    public void close() {
        sender.stop();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
