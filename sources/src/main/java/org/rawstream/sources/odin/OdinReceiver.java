package org.rawstream.sources.odin;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A complete ODIN-Stream receiver in plain Java: validates each packet, passes events through,
 * and keeps one {@link OdinIdentifierState} per identifier (at most
 * {@link OdinReceiverConfig#maxSchemas()} with a schema and
 * {@link OdinReceiverConfig#maxPendingIdentifiers()} without). The Flink job keeps the same
 * per-identifier state in keyed state instead of this map; this class is also the plain-Java
 * baseline of the benchmarks. Not thread-safe; the caller supplies the clock.
 */
public final class OdinReceiver {

    private final OdinReceiverContext context;
    private final OdinOutput output;
    private final Map<Integer, OdinIdentifierState> states = new HashMap<>();

    public OdinReceiver(OdinReceiverConfig config, OdinOutput output) {
        this.context = new OdinReceiverContext(config, new OdinStatistics());
        this.output = java.util.Objects.requireNonNull(output);
    }

    public OdinStatistics statistics() {
        return context.statistics();
    }

    public OdinReceiverConfig config() {
        return context.config();
    }

    /** Bytes of data held for unknown schemas, at most {@link OdinReceiverConfig#maxHeldBytes()}. */
    public long heldBytes() {
        return context.heldBytes();
    }

    /** The schema known for {@code identifier}, or {@code null}. */
    public OdinSchema schema(int identifier) {
        OdinIdentifierState state = states.get(identifier);
        return state == null ? null : state.schema();
    }

    /** Handles one packet (a UDP datagram or a deframed TCP packet: its remaining bytes). */
    public void accept(ByteBuffer packet, long now) {
        OdinStatistics stats = context.statistics();
        OdinInvalidReason reason = OdinPacketClassifier.classify(packet, stats);
        if (reason != null) {
            stats.rejected(reason);
            return;
        }
        int typeCode = OdinPackets.typeCode(packet);
        if (typeCode == OdinPacketType.EVENT.code()) {
            OdinPacketClassifier.passEvent(packet, context, output);
            return;
        }
        int identifier = OdinPackets.identifier(packet);
        OdinIdentifierState state = states.get(identifier);
        if (state == null) {
            // An identifier packet makes a known schema, not a pending one: only the rest is limited here.
            if (typeCode != OdinPacketType.IDENTIFIER.code()
                    && states.size() - stats.schemasKnown() >= context.config().maxPendingIdentifiers()) {
                stats.rejected(OdinInvalidReason.PENDING_LIMIT);
                return;
            }
            state = new OdinIdentifierState(identifier);
            states.put(identifier, state);
        }
        state.accept(packet, now, context, output);
        if (state.isEmpty()) {
            states.remove(identifier);
        }
    }

    /** Expires what waited too long (held data, reorder-window waits). Call now and then. */
    public void advanceTime(long now) {
        for (Iterator<OdinIdentifierState> it = states.values().iterator(); it.hasNext(); ) {
            OdinIdentifierState state = it.next();
            state.advanceTime(now, context, output);
            if (state.isEmpty()) {
                it.remove();
            }
        }
    }

    /** When {@link #advanceTime} next has work, or {@code Long.MAX_VALUE}. */
    public long nextDeadline() {
        long deadline = Long.MAX_VALUE;
        for (OdinIdentifierState state : states.values()) {
            deadline = Math.min(deadline, state.nextDeadline(context.config()));
        }
        return deadline;
    }

    /** End of input: releases all waiting data in order; unresolved held data expires. */
    public void flush() {
        for (Iterator<OdinIdentifierState> it = states.values().iterator(); it.hasNext(); ) {
            OdinIdentifierState state = it.next();
            state.flush(context, output);
            if (state.isEmpty()) {
                it.remove();
            }
        }
    }
}
