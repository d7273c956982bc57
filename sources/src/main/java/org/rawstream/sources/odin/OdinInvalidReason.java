package org.rawstream.sources.odin;

/**
 * Why a packet or a TCP frame was rejected. Each value is one counter (a Flink metric named by
 * {@link #metricName()}).
 */
public enum OdinInvalidReason {
    /** Shorter than the 4-byte header or than the fixed part of its packet type. */
    TOO_SHORT,
    /** Type byte 0x00, which the spec declares invalid. */
    TYPE_ZERO,
    /** A type byte that is not one of 0x01, 0x02, 0x03, 0x04, 0x0B. */
    UNKNOWN_TYPE,
    /** An identifier, extended identifier or type descriptor packet that defines nothing. */
    NO_ENTRIES,
    /** A schema entry (or struct field) of size 0: the whole packet is rejected. */
    ZERO_SIZE_ENTRY,
    /** The same object-dictionary index twice in one schema: the whole packet is rejected. */
    DUPLICATE_INDEX,
    /** More schema entries than the configured limit. */
    TOO_MANY_ENTRIES,
    /** A data packet whose length is not 10 + the sum of its schema's sizes. */
    DATA_LENGTH_MISMATCH,
    /** An extended identifier item or type descriptor cut off by the end of the packet. */
    TRUNCATED,
    /** An element type code outside 0..13 (or CUSTOM inside a struct field). */
    BAD_ELEMENT_TYPE,
    /** An entry size that is not a whole number of its element type's size. */
    ELEMENT_SIZE_MISMATCH,
    /** An extended identifier chunk whose ordinals run past total_count. */
    ORDINAL_OUT_OF_RANGE,
    /** A struct field that lies outside its struct. */
    FIELD_OUT_OF_RANGE,
    /** A new schema while the configured number of schemas is already known. */
    SCHEMA_LIMIT,
    /**
     * A packet for a new identifier without a schema (data to hold, a partial extended identifier,
     * type descriptors) while the configured number of such pending identifiers is reached.
     */
    PENDING_LIMIT,
    /** TCP: the frame's CRC-16/CCITT-FALSE does not match. */
    BAD_CRC,
    /** TCP: the COBS encoding is broken (a block runs past the frame delimiter). */
    BAD_COBS,
    /** TCP: a frame longer than the configured maximum. */
    FRAME_TOO_LARGE,
    /** TCP: a frame too short to hold the 2-byte CRC. */
    FRAME_TOO_SHORT,
    /** TCP: the connection ended inside a frame. */
    PARTIAL_FRAME;

    /** The counter name for this reason, camelCase as metric names are, e.g. {@code dataLengthMismatch}. */
    public String metricName() {
        return OdinStatistics.camelCase(name());
    }
}
