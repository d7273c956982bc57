package org.rawstream.sources.msgpack;

import java.util.Locale;

/**
 * Why a MessagePack value is rejected. Every kind is a protocol error: MessagePack has no
 * resynchronisation point, so on TCP the connection is closed and on UDP the datagram dropped.
 */
public enum MsgpackErrorKind {
    /** The never-used format byte 0xC1. */
    NEVER_USED_BYTE,
    /** A declared str/bin/ext length or array/map count, or the value's bytes so far, exceed the per-value cap. */
    VALUE_ABOVE_CAP,
    /** Containers nested deeper than the configured cap. */
    DEPTH_ABOVE_CAP,
    /** Timestamp extension (type -1) whose data is not 4, 8 or 12 bytes. */
    BAD_TIMESTAMP_LENGTH,
    /** Timestamp extension with nanoseconds above 999999999. */
    BAD_TIMESTAMP_NANOS,
    /** A value cut short by the end of the connection or of its datagram (declared lengths included). */
    TRUNCATED;

    private final String metricName = name().toLowerCase(Locale.ROOT);

    /** Lower-case name used as a counter/metric label. */
    public String metricName() {
        return metricName;
    }
}
