package org.rawstream.job.source;

/**
 * What a demo feed reports about its traffic, so that a test can hold a run's output against what
 * was really sent: each record as the sink will store it, and (echo with {@code ack: durable})
 * each record the receiver acknowledged as durable. Called on the feed's threads; an
 * implementation must be thread-safe. {@link #NONE} keeps nothing (a demo feed may run for days).
 */
public interface FeedLedger {
    /** Keeps nothing. */
    FeedLedger NONE = new FeedLedger() {
    };

    /** The feed is about to send this record (its exact stored bytes; do not modify them). */
    default void sent(byte[] stored) {
    }

    /**
     * The receiver acknowledged this record as durable: the checkpoint holding it completed, so
     * the committed output must hold it exactly once.
     */
    default void acknowledged(byte[] stored) {
    }

    /** Whether anything is kept (feeds skip the copies when not). */
    default boolean recording() {
        return this != NONE;
    }
}
