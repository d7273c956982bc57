package org.rawstream.sources.odin;

import java.util.Objects;

/**
 * What per-identifier state needs from its surroundings that lives as long as the receiver: the
 * limits, the counters, the held-data budget. The plain-Java {@link OdinReceiver} makes one; a
 * Flink keyed operator makes one per subtask. Where output goes is an argument of each call.
 */
public final class OdinReceiverContext {

    private final OdinReceiverConfig config;
    private final OdinStatistics statistics;
    /** Bytes of data packets held for unknown schemas by all identifiers sharing this context. */
    private long heldBytes;

    public OdinReceiverContext(OdinReceiverConfig config, OdinStatistics statistics) {
        this.config = Objects.requireNonNull(config);
        this.statistics = Objects.requireNonNull(statistics);
    }

    public OdinReceiverConfig config() {
        return config;
    }

    public OdinStatistics statistics() {
        return statistics;
    }

    /** Bytes of data currently held for unknown schemas (see {@link OdinReceiverConfig#maxHeldBytes()}). */
    public long heldBytes() {
        return heldBytes;
    }

    /**
     * Counts held bytes found in restored keyed state, which were admitted before the restore. Until
     * every restored identifier has been met again (or its held data expired), the total may thus
     * exceed {@link OdinReceiverConfig#maxHeldBytes()} by at most what was checkpointed.
     */
    public void countRestoredHeld(long bytes) {
        heldBytes += bytes;
    }

    /** Takes {@code bytes} from the held-data budget, or returns false when they do not fit. */
    boolean reserveHeld(int bytes) {
        if (heldBytes + bytes > config.maxHeldBytes()) {
            return false;
        }
        heldBytes += bytes;
        return true;
    }

    /** Gives back what {@link #reserveHeld} took. */
    void releaseHeld(int bytes) {
        heldBytes -= bytes;
    }

    /** Whether one more schema fits under {@link OdinReceiverConfig#maxSchemas()}. */
    boolean admitSchema() {
        return statistics.schemasKnown() < config.maxSchemas();
    }
}
