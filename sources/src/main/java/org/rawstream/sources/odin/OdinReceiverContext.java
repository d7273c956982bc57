package org.rawstream.sources.odin;

import java.util.Objects;

/**
 * What per-identifier state needs from its surroundings: the limits, the counters, where output
 * goes. The plain-Java {@link OdinReceiver} makes one; a Flink keyed operator makes one per
 * subtask.
 */
public final class OdinReceiverContext {

    private final OdinReceiverConfig config;
    private final OdinStatistics statistics;
    private final OdinOutput output;

    public OdinReceiverContext(OdinReceiverConfig config, OdinStatistics statistics, OdinOutput output) {
        this.config = Objects.requireNonNull(config);
        this.statistics = Objects.requireNonNull(statistics);
        this.output = Objects.requireNonNull(output);
    }

    public OdinReceiverConfig config() {
        return config;
    }

    public OdinStatistics statistics() {
        return statistics;
    }

    public OdinOutput output() {
        return output;
    }

    /** Whether one more schema fits under {@link OdinReceiverConfig#maxSchemas()}. */
    boolean admitSchema() {
        return statistics.schemasKnown() < config.maxSchemas();
    }
}
