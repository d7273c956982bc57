package org.rawstream.sources.odin;

/** The packet types of ODIN-Stream, by the type byte at offset 0 of every packet. */
public enum OdinPacketType {
    IDENTIFIER(0x01),
    DATA(0x02),
    EXTENDED_IDENTIFIER(0x03),
    TYPE_DESCRIPTOR(0x04),
    EVENT(0x0B);

    private static final OdinPacketType[] BY_CODE = new OdinPacketType[256];

    static {
        for (OdinPacketType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    OdinPacketType(int code) {
        this.code = code;
    }

    /** The type byte on the wire. */
    public int code() {
        return code;
    }

    /** The name used in metrics, camelCase, e.g. {@code extendedIdentifier}. */
    public String metricName() {
        return OdinStatistics.camelCase(name());
    }

    /** The type for a wire code, or {@code null} if the code is 0x00 or not a known type. */
    public static OdinPacketType fromCode(int code) {
        return code < 0 || code > 255 ? null : BY_CODE[code];
    }
}
