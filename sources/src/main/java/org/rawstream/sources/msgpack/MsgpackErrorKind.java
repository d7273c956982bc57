package org.rawstream.sources.msgpack;

/**
 * Why a MessagePack value is rejected. Every kind is a protocol error: MessagePack has no
 * resynchronisation point, so on TCP the connection is closed and on UDP the datagram dropped.
 */
public enum MsgpackErrorKind {
    /** The never-used format byte 0xC1. */
    NEVER_USED_BYTE("neverUsedByte"),
    /** A declared str/bin/ext length or array/map count, or the value's bytes so far, exceed the per-value cap. */
    VALUE_ABOVE_CAP("valueAboveCap"),
    /** Containers nested deeper than the configured cap. */
    DEPTH_ABOVE_CAP("depthAboveCap"),
    /** Timestamp extension (type -1) whose data is not 4, 8 or 12 bytes. */
    BAD_TIMESTAMP_LENGTH("badTimestampLength"),
    /** Timestamp extension with nanoseconds above 999999999. */
    BAD_TIMESTAMP_NANOS("badTimestampNanos"),
    /** A value cut short by the end of the connection or of its datagram (declared lengths included). */
    TRUNCATED("truncated");

    private final String metricName;

    MsgpackErrorKind(String metricName) {
        this.metricName = metricName;
    }

    /** camelCase name used as the error counter's metric name, e.g. {@code valueAboveCap}. */
    public String metricName() {
        return metricName;
    }
}
