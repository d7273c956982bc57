package org.rawstream.job.odin;

import org.rawstream.sources.odin.OdinSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code --local} feed of an ODIN source: an {@link OdinSender} on a daemon thread until closed. */
final class OdinDemoFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OdinDemoFeed.class);

    private final OdinSender sender;
    private final Thread thread;

    private OdinDemoFeed(OdinSender sender, String sourceName) {
        this.sender = sender;
        this.thread = new Thread(() -> {
            try {
                LOG.info("{}: demo feed done: {}", sourceName, sender.run());
            } catch (Exception e) {
                LOG.warn("{}: demo feed stopped: {}", sourceName, e.toString());
            }
        }, "odin-demo-feed-" + sourceName);
        thread.setDaemon(true);
    }

    static OdinDemoFeed start(OdinSender sender, String sourceName) {
        OdinDemoFeed feed = new OdinDemoFeed(sender, sourceName);
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
