package org.rawstream.job.odin;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.rawstream.sources.odin.OdinInvalidReason;
import org.rawstream.sources.odin.OdinPacketType;
import org.rawstream.sources.odin.OdinReceiverContext;
import org.rawstream.sources.odin.OdinStatistics;

/**
 * The keyed operator's ODIN counters as Flink gauges under {@code rawstream.<source name>}:
 * packets by type, invalid packets by reason (those found after the source's header check),
 * schemas known/replaced, data held/refused/resolved/expired and the bytes held now, expiries
 * per identifier as {@code dataExpired_<id>} for the first
 * {@link OdinStatistics#MAX_EXPIRY_IDENTIFIERS} identifiers (the rest together in
 * {@code dataExpired_otherIdentifiers}), released values, gaps, lost, duplicates, late.
 * Gauges read plain fields written by the task thread: a reporter may see a value a moment old.
 */
final class OdinMetrics {

    private OdinMetrics() {
    }

    static void register(MetricGroup operatorGroup, String sourceName, OdinReceiverContext context) {
        OdinStatistics s = context.statistics();
        MetricGroup g = operatorGroup.addGroup("rawstream").addGroup(sourceName);
        g.gauge("packets", (Gauge<Long>) s::packets);
        g.gauge("packetsValid", (Gauge<Long>) s::validPackets);
        for (OdinPacketType type : OdinPacketType.values()) {
            g.gauge("packets_" + type.metricName(), (Gauge<Long>) () -> s.packetsOfType(type));
        }
        g.gauge("invalid", (Gauge<Long>) s::invalidTotal);
        for (OdinInvalidReason reason : OdinInvalidReason.values()) {
            g.gauge("invalid_" + reason.metricName(), (Gauge<Long>) () -> s.invalid(reason));
        }
        g.gauge("schemasKnown", (Gauge<Long>) s::schemasKnown);
        g.gauge("schemasReplaced", (Gauge<Long>) s::schemasReplaced);
        g.gauge("schemasRepeated", (Gauge<Long>) s::schemasRepeated);
        g.gauge("extendedIdentifiersCompleted", (Gauge<Long>) s::extendedCompleted);
        g.gauge("dataHeld", (Gauge<Long>) s::dataHeld);
        g.gauge("dataRefused", (Gauge<Long>) s::dataRefused);
        g.gauge("heldBytes", (Gauge<Long>) context::heldBytes);
        g.gauge("dataResolved", (Gauge<Long>) s::dataResolved);
        g.gauge("dataExpired", (Gauge<Long>) s::dataExpired);
        g.gauge("dataReleased", (Gauge<Long>) s::dataReleased);
        g.gauge("gaps", (Gauge<Long>) s::gaps);
        g.gauge("lost", (Gauge<Long>) s::lost);
        g.gauge("duplicates", (Gauge<Long>) s::duplicates);
        g.gauge("late", (Gauge<Long>) s::late);
        g.gauge("sequenceResets", (Gauge<Long>) s::sequenceResets);
        g.gauge("events", (Gauge<Long>) s::events);
        g.gauge("dataExpired_otherIdentifiers", (Gauge<Long>) s::dataExpiredOtherIdentifiers);
        // Called once per identifier, for at most MAX_EXPIRY_IDENTIFIERS of them.
        s.onFirstExpiry(identifier -> g.gauge("dataExpired_" + identifier, (Gauge<Long>) () -> s.dataExpired(identifier)));
    }
}
