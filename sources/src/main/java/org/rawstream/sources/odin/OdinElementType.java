package org.rawstream.sources.odin;

/** Element types of extended identifier items and struct fields (spec section 0x03). */
public enum OdinElementType {
    BOOL(0, 1),
    HEX(1, 1),
    U8(2, 1),
    U16(3, 2),
    U32(4, 4),
    U64(5, 8),
    I8(6, 1),
    I16(7, 2),
    I32(8, 4),
    I64(9, 8),
    F32(10, 4),
    F64(11, 8),
    CHAR(12, 1),
    /** A struct described by a type descriptor (0x04); its size comes from the descriptor. */
    CUSTOM(13, 0);

    private static final OdinElementType[] BY_CODE = values();

    private final int code;
    private final int size;

    OdinElementType(int code, int size) {
        this.code = code;
        this.size = size;
    }

    public int code() {
        return code;
    }

    /** Size in bytes of one element; 0 for {@link #CUSTOM}. */
    public int size() {
        return size;
    }

    /** The element type for a wire code, or {@code null} if the code is unknown. */
    public static OdinElementType fromCode(int code) {
        return code < 0 || code >= BY_CODE.length ? null : BY_CODE[code];
    }
}
