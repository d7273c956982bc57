package org.rawstream.sources.odin;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Counters of an ODIN-Stream receiver (later exposed as Flink metrics). Plain fields, updated by
 * the one thread that runs the receiver; not state (counters restart with the task).
 */
public final class OdinStatistics {

    /**
     * Identifiers whose expired data is counted one by one (and may get a metric each); expiries of
     * further identifiers are counted together in {@link #dataExpiredOtherIdentifiers()}, so a
     * sender cycling through all 65 536 identifiers cannot grow this map or a metric family.
     */
    public static final int MAX_EXPIRY_IDENTIFIERS = 256;

    private long packets;
    private final long[] packetsByType = new long[256];
    private final long[] invalidByReason = new long[OdinInvalidReason.values().length];
    private long validPackets;
    private long schemasKnown;
    private long schemasReplaced;
    private long schemasRepeated;
    private long extendedCompleted;
    private long extendedRestarted;
    private long typeDescriptors;
    private long dataHeld;
    private long dataResolved;
    private long dataRefused;
    private long dataExpired;
    /** Per-identifier expiry counts for the first {@link #MAX_EXPIRY_IDENTIFIERS} identifiers only. */
    private final Map<Integer, Long> expiredByIdentifier = new HashMap<>();
    private long expiredOtherIdentifiers;
    private long dataReleased;
    private long gaps;
    private long lost;
    private long duplicates;
    private long late;
    private long sequenceResets;
    private long events;
    /** Told the first time an identifier's data expires (to register a per-identifier metric). */
    private IntConsumer firstExpiryListener = identifier -> { };

    // ---- updates (package-private: only the receiver state counts) ------------------------------

    void packet() {
        packets++;
    }

    void packetOfType(int typeCode) {
        packetsByType[typeCode & 0xFF]++;
    }

    /** Counts a rejected packet or frame. Public so that transports can count framing errors. */
    public void rejected(OdinInvalidReason reason) {
        invalidByReason[reason.ordinal()]++;
    }

    void valid() {
        validPackets++;
    }

    void schemaAdded() {
        schemasKnown++;
    }

    void schemaRemoved() {
        schemasKnown--;
    }

    void schemaReplaced() {
        schemasReplaced++;
    }

    void schemaRepeated() {
        schemasRepeated++;
    }

    void extendedAssembled() {
        extendedCompleted++;
    }

    void extendedAbandoned() {
        extendedRestarted++;
    }

    void typeDescriptor() {
        typeDescriptors++;
    }

    void held() {
        dataHeld++;
    }

    void resolved() {
        dataResolved++;
    }

    void refused() {
        dataRefused++;
    }

    void expired(int identifier) {
        dataExpired++;
        Long count = expiredByIdentifier.get(identifier);
        if (count != null) {
            expiredByIdentifier.put(identifier, count + 1);
        } else if (expiredByIdentifier.size() < MAX_EXPIRY_IDENTIFIERS) {
            expiredByIdentifier.put(identifier, 1L);
            firstExpiryListener.accept(identifier);
        } else {
            expiredOtherIdentifiers++;
        }
    }

    /**
     * Calls {@code listener} the first time data of an identifier expires, for at most
     * {@link #MAX_EXPIRY_IDENTIFIERS} identifiers.
     */
    public void onFirstExpiry(IntConsumer listener) {
        this.firstExpiryListener = listener;
    }

    /**
     * Counts a schema found in restored keyed state (the counter of known schemas is not state: an
     * operator re-counts the schemas it meets after a restore).
     */
    public void countRestoredSchema() {
        schemasKnown++;
    }

    /** {@code SOME_NAME} as {@code someName}. */
    static String camelCase(String constant) {
        StringBuilder name = new StringBuilder();
        for (String word : constant.toLowerCase(Locale.ROOT).split("_")) {
            name.append(name.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return name.toString();
    }

    void released() {
        dataReleased++;
    }

    void gap() {
        gaps++;
    }

    void lost(long count) {
        lost += count;
    }

    void duplicate() {
        duplicates++;
    }

    void arrivedLate() {
        late++;
    }

    void sequenceReset() {
        sequenceResets++;
    }

    void event() {
        events++;
    }

    // ---- reads -----------------------------------------------------------------------------------

    /** Packets offered to the receiver, valid or not (frames dropped by TCP framing excluded). */
    public long packets() {
        return packets;
    }

    /** Packets with a valid header of this type (whatever became of them after). */
    public long packetsOfType(int typeCode) {
        return packetsByType[typeCode & 0xFF];
    }

    public long packetsOfType(OdinPacketType type) {
        return packetsOfType(type.code());
    }

    public long invalid(OdinInvalidReason reason) {
        return invalidByReason[reason.ordinal()];
    }

    /** Rejected packets and frames, all reasons. */
    public long invalidTotal() {
        long sum = 0;
        for (long n : invalidByReason) {
            sum += n;
        }
        return sum;
    }

    public Map<OdinInvalidReason, Long> invalidByReason() {
        Map<OdinInvalidReason, Long> map = new EnumMap<>(OdinInvalidReason.class);
        for (OdinInvalidReason reason : OdinInvalidReason.values()) {
            if (invalidByReason[reason.ordinal()] != 0) {
                map.put(reason, invalidByReason[reason.ordinal()]);
            }
        }
        return map;
    }

    /** Packets accepted and passed on as raw messages. */
    public long validPackets() {
        return validPackets;
    }

    public long schemasKnown() {
        return schemasKnown;
    }

    public long schemasReplaced() {
        return schemasReplaced;
    }

    /** Identifier packets that repeated a known schema (no-ops). */
    public long schemasRepeated() {
        return schemasRepeated;
    }

    public long extendedCompleted() {
        return extendedCompleted;
    }

    /** Extended identifier assemblies abandoned because a chunk contradicted them. */
    public long extendedRestarted() {
        return extendedRestarted;
    }

    public long typeDescriptors() {
        return typeDescriptors;
    }

    /** Data packets held because their schema was unknown. */
    public long dataHeld() {
        return dataHeld;
    }

    /** Held data packets decoded once their schema arrived. */
    public long dataResolved() {
        return dataResolved;
    }

    /**
     * Data packets for an unknown schema refused because holding them would pass
     * {@link OdinReceiverConfig#maxHeldBytes()}.
     */
    public long dataRefused() {
        return dataRefused;
    }

    /** Held data packets dropped unresolved (timeout, overflow or end of input). */
    public long dataExpired() {
        return dataExpired;
    }

    public long dataExpired(int identifier) {
        return expiredByIdentifier.getOrDefault(identifier, 0L);
    }

    /** Expired data of identifiers beyond the first {@link #MAX_EXPIRY_IDENTIFIERS} that had any. */
    public long dataExpiredOtherIdentifiers() {
        return expiredOtherIdentifiers;
    }

    public Map<Integer, Long> expiredByIdentifier() {
        return Collections.unmodifiableMap(expiredByIdentifier);
    }

    /** Data packets released, decoded, in sequence order. */
    public long dataReleased() {
        return dataReleased;
    }

    /** Runs of missing sequence numbers. */
    public long gaps() {
        return gaps;
    }

    /** Sequence numbers never received (sum of the gaps' lengths). */
    public long lost() {
        return lost;
    }

    public long duplicates() {
        return duplicates;
    }

    /** Packets that arrived after the reorder window had given up on them. */
    public long late() {
        return late;
    }

    public long sequenceResets() {
        return sequenceResets;
    }

    public long events() {
        return events;
    }

    @Override
    public String toString() {
        return "OdinStatistics{packets=" + packets + ", valid=" + validPackets + ", invalid=" + invalidByReason()
                + ", schemasKnown=" + schemasKnown + ", replaced=" + schemasReplaced + ", repeated=" + schemasRepeated
                + ", extendedCompleted=" + extendedCompleted + ", held=" + dataHeld + ", resolved=" + dataResolved
                + ", refused=" + dataRefused + ", expired=" + dataExpired + ", released=" + dataReleased + ", gaps=" + gaps + ", lost=" + lost
                + ", duplicates=" + duplicates + ", late=" + late + ", resets=" + sequenceResets
                + ", events=" + events + "}";
    }
}
