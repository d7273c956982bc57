package org.rawstream.sources.spead;

import java.util.Locale;

/** Why a packet was dropped; each reason is its own counter (metric). */
public enum InvalidPacketReason {
    /** Fewer than 8 header bytes. */
    TRUNCATED_HEADER,
    BAD_MAGIC,
    BAD_VERSION,
    /** A width of 0 or widths that do not add to 8 bytes. */
    BAD_WIDTHS,
    /** 8 + 8N exceeds the packet. */
    TRUNCATED_POINTERS,
    MISSING_HEAP_CNT,
    MISSING_HEAP_OFFSET,
    MISSING_PAYLOAD_LENGTH,
    /** HEAP_CNT, HEAP_SIZE, HEAP_OFFSET or PAYLOAD_LENGTH given as an addressed item. */
    SPECIAL_ITEM_NOT_IMMEDIATE,
    /** 8 + 8N + PAYLOAD_LENGTH differs from the datagram length. */
    PAYLOAD_LENGTH_MISMATCH,
    /** 8 + 8N + PAYLOAD_LENGTH exceeds the data (a packet cut short). */
    TRUNCATED_PAYLOAD,
    /** HEAP_OFFSET + PAYLOAD_LENGTH > HEAP_SIZE. */
    PAYLOAD_PAST_HEAP_SIZE,
    /** The packet is longer than the configured maximum packet size. */
    PACKET_TOO_LARGE,
    /** HEAP_SIZE (or, without it, offset + length) above the configured maximum heap size. */
    HEAP_TOO_LARGE,
    /** A packet's HEAP_SIZE differs from the one the heap already has. */
    HEAP_SIZE_CONFLICT,
    /** A packet of another flavour than the rest of its heap. */
    FLAVOUR_MISMATCH,
    /** The heap would hold more item pointers than the configured maximum. */
    TOO_MANY_ITEM_POINTERS;

    /** Metric-friendly name, e.g. {@code bad_magic}. */
    public String metricName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
