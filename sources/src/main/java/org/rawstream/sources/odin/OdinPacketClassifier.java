package org.rawstream.sources.odin;

import java.nio.ByteBuffer;

/**
 * The stateless first step for every packet, shared by the plain receiver and the Flink
 * operator: header validation with per-type counting, and event pass-through (events need no
 * state).
 */
public final class OdinPacketClassifier {

    private OdinPacketClassifier() {
    }

    /**
     * Counts the packet and checks its header. Returns why it is invalid (the caller counts and
     * drops it) or {@code null}; a packet with a valid header is counted under its type.
     */
    public static OdinInvalidReason classify(ByteBuffer packet, OdinStatistics stats) {
        OdinInvalidReason reason = OdinPackets.checkHeader(packet);
        stats.packet();
        if (reason == null) {
            stats.packetOfType(OdinPackets.typeCode(packet));
        }
        return reason;
    }

    /** Passes an event packet on, raw and parsed. */
    public static void passEvent(ByteBuffer packet, OdinReceiverContext context, OdinOutput output) {
        int position = packet.position();
        int limit = packet.limit();
        context.statistics().event();
        context.statistics().valid();
        output.packet(OdinPacketType.EVENT, OdinPackets.identifier(packet), packet);
        packet.limit(limit).position(position);
        output.event(OdinPackets.parseEvent(packet));
    }
}
