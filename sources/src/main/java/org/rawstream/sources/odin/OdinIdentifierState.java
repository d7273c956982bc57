package org.rawstream.sources.odin;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a receiver remembers about one identifier, and what it does with that identifier's
 * packets: its schema (replaced, and counted, when different content arrives), an extended
 * identifier being assembled, CUSTOM struct types, data held while the schema is unknown, and
 * sequence tracking with the reorder window. Written to and read from keyed state with
 * {@link #writeTo}/{@link #readFrom}; no Flink types here.
 *
 * <p>Raw output keeps arrival order: data held for a schema is passed on when the schema
 * arrives, before the schema packet itself.
 */
public final class OdinIdentifierState {

    private final int identifier;
    private OdinSchema schema;
    private OdinExtendedAssembly assembly;
    /**
     * Unmodifiable, sorted by type id (so state bytes are deterministic); replaced as a whole when a
     * type descriptor arrives, so released values keep the types they were decoded with.
     */
    private Map<Integer, OdinTypeDescriptor> types = Map.of();
    private final ArrayDeque<HeldPacket> held = new ArrayDeque<>();
    private OdinSequenceTracker sequence;

    /** Set for the duration of one call, so the release callback needs no allocation. */
    private OdinReceiverContext current;
    private OdinOutput currentOutput;
    private final OdinSequenceTracker.Release release = this::release;

    public OdinIdentifierState(int identifier) {
        this.identifier = identifier;
    }

    public int identifier() {
        return identifier;
    }

    /** The schema, or {@code null} while unknown. */
    public OdinSchema schema() {
        return schema;
    }

    public boolean hasSchema() {
        return schema != null;
    }

    public Map<Integer, OdinTypeDescriptor> types() {
        return types;
    }

    /** Data packets held for the schema. */
    public int heldCount() {
        return held.size();
    }

    /** Bytes of the data packets held for the schema (what they take of the held-data budget). */
    public long heldBytes() {
        long bytes = 0;
        for (HeldPacket h : held) {
            bytes += h.packet.length;
        }
        return bytes;
    }

    /** Whether nothing is remembered, so the state can be dropped. */
    public boolean isEmpty() {
        return schema == null && assembly == null && types.isEmpty() && held.isEmpty();
    }

    /**
     * Handles one packet of this identifier (identifier, data, extended identifier or type
     * descriptor) whose header passed {@link OdinPackets#checkHeader}.
     */
    public void accept(ByteBuffer packet, long now, OdinReceiverContext context, OdinOutput output) {
        current = context;
        currentOutput = output;
        try {
            switch (OdinPacketType.fromCode(OdinPackets.typeCode(packet))) {
                case DATA:
                    onData(packet, now);
                    break;
                case IDENTIFIER:
                    onIdentifier(packet, now);
                    break;
                case EXTENDED_IDENTIFIER:
                    onExtendedIdentifier(packet, now);
                    break;
                case TYPE_DESCRIPTOR:
                    onTypeDescriptors(packet);
                    break;
                default:
                    throw new IllegalArgumentException("not a packet of an identifier's state");
            }
        } finally {
            current = null;
            currentOutput = null;
        }
    }

    /** Expires held data and reorder-window waits that are past their time. */
    public void advanceTime(long now, OdinReceiverContext context, OdinOutput output) {
        current = context;
        currentOutput = output;
        try {
            OdinReceiverConfig config = context.config();
            while (!held.isEmpty() && now - held.peekFirst().arrival >= config.heldTimeoutMillis()) {
                dropOldestHeld();
            }
            if (sequence != null) {
                sequence.expire(now, config.reorderTimeoutMillis(), release, context.statistics());
            }
        } finally {
            current = null;
            currentOutput = null;
        }
    }

    /** End of input: releases everything waiting in order; what is still held expires. */
    public void flush(OdinReceiverContext context, OdinOutput output) {
        current = context;
        currentOutput = output;
        try {
            while (!held.isEmpty()) {
                dropOldestHeld();
            }
            if (sequence != null) {
                sequence.flush(release, context.statistics());
            }
        } finally {
            current = null;
            currentOutput = null;
        }
    }

    /** When {@link #advanceTime} next has something to do, or {@code Long.MAX_VALUE}. */
    public long nextDeadline(OdinReceiverConfig config) {
        long deadline = Long.MAX_VALUE;
        if (!held.isEmpty()) {
            deadline = held.peekFirst().arrival + config.heldTimeoutMillis();
        }
        if (sequence != null) {
            long oldest = sequence.oldestArrival();
            if (oldest != Long.MAX_VALUE) {
                deadline = Math.min(deadline, oldest + config.reorderTimeoutMillis());
            }
        }
        return deadline;
    }

    // ---- packet handling -------------------------------------------------------------------------

    private void onData(ByteBuffer packet, long now) {
        OdinStatistics stats = current.statistics();
        if (schema == null) {
            hold(packet, now);
        } else if (packet.remaining() != schema.dataPacketLength()) {
            stats.rejected(OdinInvalidReason.DATA_LENGTH_MISMATCH);
            tracker().reject(OdinPackets.sequence(packet), now, release, stats);
        } else {
            emitRaw(OdinPacketType.DATA, packet);
            tracker().offer(packet, now, release, stats);
        }
    }

    private void onIdentifier(ByteBuffer packet, long now) {
        OdinSchema parsed;
        try {
            parsed = OdinPackets.parseIdentifier(packet, current.config().maxSchemaEntries());
        } catch (OdinFormatException e) {
            current.statistics().rejected(e.reason());
            return;
        }
        install(parsed, OdinPacketType.IDENTIFIER, packet, now);
    }

    private void onExtendedIdentifier(ByteBuffer packet, long now) {
        OdinStatistics stats = current.statistics();
        OdinExtendedChunk chunk;
        try {
            chunk = OdinPackets.parseExtendedChunk(packet, current.config().maxSchemaEntries());
        } catch (OdinFormatException e) {
            stats.rejected(e.reason());
            return;
        }
        if (assembly == null) {
            assembly = OdinExtendedAssembly.start(chunk);
        } else if (!assembly.add(chunk)) {
            stats.extendedAbandoned();
            assembly = OdinExtendedAssembly.start(chunk);
        }
        if (!assembly.isComplete()) {
            emitRaw(OdinPacketType.EXTENDED_IDENTIFIER, packet);
            return;
        }
        OdinSchema named;
        try {
            named = assembly.toSchema();
        } catch (OdinFormatException e) {
            stats.rejected(e.reason());
            return;
        } finally {
            assembly = null;
        }
        stats.extendedAssembled();
        install(named, OdinPacketType.EXTENDED_IDENTIFIER, packet, now);
    }

    private void onTypeDescriptors(ByteBuffer packet) {
        OdinStatistics stats = current.statistics();
        List<OdinTypeDescriptor> parsed;
        try {
            parsed = OdinPackets.parseTypeDescriptors(packet);
        } catch (OdinFormatException e) {
            stats.rejected(e.reason());
            return;
        }
        Map<Integer, OdinTypeDescriptor> merged = new HashMap<>(types);
        for (OdinTypeDescriptor type : parsed) {
            merged.put(type.typeId(), type);
        }
        if (merged.size() > current.config().maxTypesPerIdentifier()) {
            stats.rejected(OdinInvalidReason.TOO_MANY_ENTRIES);
            return;
        }
        types = Collections.unmodifiableMap(new TreeMap<>(merged));
        stats.typeDescriptor();
        emitRaw(OdinPacketType.TYPE_DESCRIPTOR, packet);
    }

    /** Makes {@code incoming} the schema (from an identifier or a completed extended identifier). */
    private void install(OdinSchema incoming, OdinPacketType type, ByteBuffer packet, long now) {
        OdinStatistics stats = current.statistics();
        if (schema != null && schema.sameLayout(incoming)) {
            if (incoming.isNamed()) {
                schema = schema.withAnnotationsOf(incoming);
            } else {
                stats.schemaRepeated();
            }
            emitRaw(type, packet);
        } else if (schema == null) {
            if (!current.admitSchema()) {
                stats.rejected(OdinInvalidReason.SCHEMA_LIMIT);
                return;
            }
            stats.schemaAdded();
            schema = incoming;
            resolveHeld();
            emitRaw(type, packet);
        } else {
            // Data waiting in the reorder window was validated against the old schema: out with it first.
            if (sequence != null) {
                sequence.flush(release, stats);
            }
            stats.schemaReplaced();
            schema = incoming;
            emitRaw(type, packet);
        }
    }

    private void hold(ByteBuffer packet, long now) {
        OdinStatistics stats = current.statistics();
        if (held.size() >= current.config().maxHeldPerIdentifier()) {
            dropOldestHeld();
        }
        if (!current.reserveHeld(packet.remaining())) {
            stats.refused();
            return;
        }
        byte[] copy = new byte[packet.remaining()];
        packet.get(packet.position(), copy);
        held.addLast(new HeldPacket(now, copy));
        stats.held();
    }

    private void resolveHeld() {
        OdinStatistics stats = current.statistics();
        while (!held.isEmpty()) {
            HeldPacket h = held.pollFirst();
            current.releaseHeld(h.packet.length);
            ByteBuffer packet = ByteBuffer.wrap(h.packet);
            if (h.packet.length != schema.dataPacketLength()) {
                stats.rejected(OdinInvalidReason.DATA_LENGTH_MISMATCH);
                tracker().reject(OdinPackets.sequence(packet), h.arrival, release, stats);
            } else {
                stats.resolved();
                emitRaw(OdinPacketType.DATA, packet);
                tracker().offer(packet, h.arrival, release, stats);
            }
        }
    }

    /** Drops the oldest held packet unresolved (timeout, overflow, end of input): counted as expired. */
    private void dropOldestHeld() {
        current.releaseHeld(held.pollFirst().packet.length);
        current.statistics().expired(identifier);
    }

    private OdinSequenceTracker tracker() {
        if (sequence == null) {
            OdinReceiverConfig config = current.config();
            sequence = new OdinSequenceTracker(config.reorderWindow(), config.resyncDistance());
        }
        return sequence;
    }

    private void emitRaw(OdinPacketType type, ByteBuffer packet) {
        int position = packet.position();
        int limit = packet.limit();
        current.statistics().valid();
        currentOutput.packet(type, identifier, packet);
        packet.limit(limit).position(position);
    }

    private void release(ByteBuffer packet) {
        int position = packet.position();
        int limit = packet.limit();
        currentOutput.data(schema, types, packet);
        packet.limit(limit).position(position);
    }

    // ---- keyed state -----------------------------------------------------------------------------

    /**
     * The layout of {@code OdinTypes.IdentifierStateSerializer}'s format 0 (savepoints hold it):
     * a change here needs a new format there that still reads this one (docs/state-compatibility.md).
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeShort(identifier);
        out.writeBoolean(schema != null);
        if (schema != null) {
            schema.writeTo(out);
        }
        out.writeBoolean(assembly != null);
        if (assembly != null) {
            assembly.writeTo(out);
        }
        out.writeInt(types.size());
        for (OdinTypeDescriptor type : types.values()) {
            type.writeTo(out);
        }
        out.writeInt(held.size());
        for (HeldPacket h : held) {
            out.writeLong(h.arrival);
            out.writeInt(h.packet.length);
            out.write(h.packet);
        }
        out.writeBoolean(sequence != null);
        if (sequence != null) {
            sequence.writeTo(out);
        }
    }

    public static OdinIdentifierState readFrom(DataInput in) throws IOException {
        OdinIdentifierState state = new OdinIdentifierState(in.readUnsignedShort());
        if (in.readBoolean()) {
            state.schema = OdinSchema.readFrom(in);
        }
        if (in.readBoolean()) {
            state.assembly = OdinExtendedAssembly.readFrom(in);
        }
        int typeCount = in.readInt();
        Map<Integer, OdinTypeDescriptor> types = new HashMap<>();
        for (int i = 0; i < typeCount; i++) {
            OdinTypeDescriptor type = OdinTypeDescriptor.readFrom(in);
            types.put(type.typeId(), type);
        }
        state.types = Collections.unmodifiableMap(new TreeMap<>(types));
        int heldCount = in.readInt();
        for (int i = 0; i < heldCount; i++) {
            long arrival = in.readLong();
            byte[] packet = new byte[in.readInt()];
            in.readFully(packet);
            state.held.addLast(new HeldPacket(arrival, packet));
        }
        if (in.readBoolean()) {
            state.sequence = OdinSequenceTracker.readFrom(in);
        }
        return state;
    }

    /** A data packet waiting for its schema. */
    private static final class HeldPacket {
        final long arrival;
        final byte[] packet;

        HeldPacket(long arrival, byte[] packet) {
            this.arrival = arrival;
            this.packet = packet;
        }
    }
}
