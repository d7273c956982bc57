package org.rawstream.sources.odin;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and validates ODIN-Stream packets in place. A packet is the remaining bytes of a
 * {@link ByteBuffer} (position to limit); nothing here moves the buffer's position, and the
 * hot-path accessors (header, data timestamp/sequence) allocate nothing. All fields are
 * little-endian, as the upstream C implementation's packed structs lay them out.
 */
public final class OdinPackets {

    /** type u8, identifier u16, reserved u8. */
    public static final int HEADER_LENGTH = 4;
    /** Header + definition_identifier u32. */
    public static final int IDENTIFIER_FIXED_LENGTH = 8;
    /** index u32 + size u16. */
    public static final int IDENTIFIER_ENTRY_LENGTH = 6;
    /** Header + timestamp u32 + sequence u16. */
    public static final int DATA_HEADER_LENGTH = 10;
    /** Header + timestamp u32 + sequence u16. */
    public static final int EVENT_HEADER_LENGTH = 10;
    /** Header + definition u32 + total_count u16 + start_ordinal u16. */
    public static final int EXTENDED_FIXED_LENGTH = 12;
    /** index u32, size u16, element_type u8, name_len u8, type_id u16 (then the name). */
    public static final int EXTENDED_ITEM_FIXED_LENGTH = 10;
    /** type_id u16, size u16, field_count u8, name_len u8 (then the name). */
    public static final int TYPE_FIXED_LENGTH = 6;
    /** element_type u8, size u16, offset u16, name_len u8 (then the name). */
    public static final int FIELD_FIXED_LENGTH = 6;

    private OdinPackets() {
    }

    // ---- header and data accessors (no allocation) -------------------------------------------

    /** The type byte (0..255). The packet must have at least 1 byte. */
    public static int typeCode(ByteBuffer packet) {
        return packet.get(packet.position()) & 0xFF;
    }

    /** The header's identifier (schema id for data, event id for events). Needs 3 bytes. */
    public static int identifier(ByteBuffer packet) {
        return u16(packet, 1);
    }

    /** A data or event packet's timestamp (u32). Needs 8 bytes. */
    public static long timestamp(ByteBuffer packet) {
        return u32(packet, 4);
    }

    /** A data or event packet's sequence (u16). Needs 10 bytes. */
    public static int sequence(ByteBuffer packet) {
        return u16(packet, 8);
    }

    /**
     * Checks what can be checked without a schema: header length, type byte and the fixed part of
     * the packet's type. Returns {@code null} when the packet may go on to its type's parser.
     */
    public static OdinInvalidReason checkHeader(ByteBuffer packet) {
        int length = packet.remaining();
        if (length < 1) {
            return OdinInvalidReason.TOO_SHORT;
        }
        int code = typeCode(packet);
        if (code == 0) {
            return OdinInvalidReason.TYPE_ZERO;
        }
        OdinPacketType type = OdinPacketType.fromCode(code);
        if (type == null) {
            return OdinInvalidReason.UNKNOWN_TYPE;
        }
        if (length < HEADER_LENGTH) {
            return OdinInvalidReason.TOO_SHORT;
        }
        switch (type) {
            case IDENTIFIER:
                if (length < IDENTIFIER_FIXED_LENGTH) {
                    return OdinInvalidReason.TOO_SHORT;
                }
                return length < IDENTIFIER_FIXED_LENGTH + IDENTIFIER_ENTRY_LENGTH ? OdinInvalidReason.NO_ENTRIES : null;
            case DATA:
                return length < DATA_HEADER_LENGTH ? OdinInvalidReason.TOO_SHORT : null;
            case EVENT:
                return length < EVENT_HEADER_LENGTH ? OdinInvalidReason.TOO_SHORT : null;
            case EXTENDED_IDENTIFIER:
                return length < EXTENDED_FIXED_LENGTH ? OdinInvalidReason.TOO_SHORT : null;
            case TYPE_DESCRIPTOR:
                return length < HEADER_LENGTH + TYPE_FIXED_LENGTH ? OdinInvalidReason.TOO_SHORT : null;
            default:
                return OdinInvalidReason.UNKNOWN_TYPE;
        }
    }

    // ---- parsers of the rare packet types ------------------------------------------------------

    /**
     * Parses an identifier packet (0x01) whose header passed {@link #checkHeader}. A trailing
     * partial entry is ignored (the spec says so); a zero size or a duplicate index rejects the
     * whole packet.
     */
    public static OdinSchema parseIdentifier(ByteBuffer packet, int maxEntries) throws OdinFormatException {
        int n = (packet.remaining() - IDENTIFIER_FIXED_LENGTH) / IDENTIFIER_ENTRY_LENGTH;
        if (n == 0) {
            throw new OdinFormatException(OdinInvalidReason.NO_ENTRIES);
        }
        if (n > maxEntries) {
            throw new OdinFormatException(OdinInvalidReason.TOO_MANY_ENTRIES);
        }
        int[] indices = new int[n];
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) {
            int at = IDENTIFIER_FIXED_LENGTH + i * IDENTIFIER_ENTRY_LENGTH;
            indices[i] = i32(packet, at);
            sizes[i] = u16(packet, at + 4);
            if (sizes[i] == 0) {
                throw new OdinFormatException(OdinInvalidReason.ZERO_SIZE_ENTRY);
            }
        }
        requireDistinct(indices);
        return new OdinSchema(identifier(packet), u32(packet, 4), indices, sizes, null, null, null);
    }

    /** Parses an extended identifier packet (0x03) whose header passed {@link #checkHeader}. */
    public static OdinExtendedChunk parseExtendedChunk(ByteBuffer packet, int maxEntries) throws OdinFormatException {
        int length = packet.remaining();
        int total = u16(packet, 8);
        int start = u16(packet, 10);
        if (total == 0 || length == EXTENDED_FIXED_LENGTH) {
            throw new OdinFormatException(OdinInvalidReason.NO_ENTRIES);
        }
        if (total > maxEntries) {
            throw new OdinFormatException(OdinInvalidReason.TOO_MANY_ENTRIES);
        }
        // Count the items first so the arrays are exact; every item is at least 10 bytes.
        int count = 0;
        for (int at = EXTENDED_FIXED_LENGTH; at < length; count++) {
            if (at + EXTENDED_ITEM_FIXED_LENGTH > length) {
                throw new OdinFormatException(OdinInvalidReason.TRUNCATED);
            }
            at += EXTENDED_ITEM_FIXED_LENGTH + u8(packet, at + 7);
            if (at > length) {
                throw new OdinFormatException(OdinInvalidReason.TRUNCATED);
            }
        }
        if (start + count > total) {
            throw new OdinFormatException(OdinInvalidReason.ORDINAL_OUT_OF_RANGE);
        }
        int[] indices = new int[count];
        int[] sizes = new int[count];
        OdinElementType[] types = new OdinElementType[count];
        int[] typeIds = new int[count];
        String[] names = new String[count];
        int at = EXTENDED_FIXED_LENGTH;
        for (int i = 0; i < count; i++) {
            indices[i] = i32(packet, at);
            sizes[i] = u16(packet, at + 4);
            types[i] = OdinElementType.fromCode(u8(packet, at + 6));
            int nameLength = u8(packet, at + 7);
            typeIds[i] = u16(packet, at + 8);
            names[i] = string(packet, at + EXTENDED_ITEM_FIXED_LENGTH, nameLength);
            at += EXTENDED_ITEM_FIXED_LENGTH + nameLength;
            checkElement(types[i], sizes[i], true);
        }
        requireDistinct(indices);
        return new OdinExtendedChunk(identifier(packet), u32(packet, 4), total, start,
                indices, sizes, types, typeIds, names);
    }

    /** Parses a type descriptor packet (0x04): one or more struct types, each with its fields. */
    public static List<OdinTypeDescriptor> parseTypeDescriptors(ByteBuffer packet) throws OdinFormatException {
        int length = packet.remaining();
        List<OdinTypeDescriptor> types = new ArrayList<>(2);
        int at = HEADER_LENGTH;
        while (at < length) {
            if (at + TYPE_FIXED_LENGTH > length) {
                throw new OdinFormatException(OdinInvalidReason.TRUNCATED);
            }
            int typeId = u16(packet, at);
            int size = u16(packet, at + 2);
            int fieldCount = u8(packet, at + 4);
            int nameLength = u8(packet, at + 5);
            at += TYPE_FIXED_LENGTH;
            if (at + nameLength > length) {
                throw new OdinFormatException(OdinInvalidReason.TRUNCATED);
            }
            String name = string(packet, at, nameLength);
            at += nameLength;
            if (size == 0) {
                throw new OdinFormatException(OdinInvalidReason.ZERO_SIZE_ENTRY);
            }
            if (fieldCount == 0) {
                throw new OdinFormatException(OdinInvalidReason.NO_ENTRIES);
            }
            List<OdinTypeDescriptor.Field> fields = new ArrayList<>(fieldCount);
            for (int f = 0; f < fieldCount; f++) {
                if (at + FIELD_FIXED_LENGTH > length) {
                    throw new OdinFormatException(OdinInvalidReason.TRUNCATED);
                }
                OdinElementType type = OdinElementType.fromCode(u8(packet, at));
                int fieldSize = u16(packet, at + 1);
                int offset = u16(packet, at + 3);
                int fieldNameLength = u8(packet, at + 5);
                at += FIELD_FIXED_LENGTH;
                if (at + fieldNameLength > length) {
                    throw new OdinFormatException(OdinInvalidReason.TRUNCATED);
                }
                checkElement(type, fieldSize, false);
                if (offset + fieldSize > size) {
                    throw new OdinFormatException(OdinInvalidReason.FIELD_OUT_OF_RANGE);
                }
                fields.add(new OdinTypeDescriptor.Field(type, fieldSize, offset, string(packet, at, fieldNameLength)));
                at += fieldNameLength;
            }
            types.add(new OdinTypeDescriptor(typeId, size, name, fields));
        }
        return types;
    }

    /** Copies an event packet (0x0B) whose header passed {@link #checkHeader}. */
    public static OdinEvent parseEvent(ByteBuffer packet) {
        byte[] payload = new byte[packet.remaining() - EVENT_HEADER_LENGTH];
        packet.get(packet.position() + EVENT_HEADER_LENGTH, payload);
        return new OdinEvent(identifier(packet), timestamp(packet), sequence(packet), payload);
    }

    /**
     * CRC-16/CCITT-FALSE over the indices written as little-endian u32, in order: the identifier
     * a sender conventionally puts in the header of a schema with these indices.
     */
    public static int conventionalIdentifier(long[] indices) {
        int crc = OdinCrc16.INITIAL;
        for (long index : indices) {
            for (int shift = 0; shift < 32; shift += 8) {
                crc = OdinCrc16.update(crc, (int) (index >>> shift));
            }
        }
        return crc;
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static void checkElement(OdinElementType type, int size, boolean customAllowed) throws OdinFormatException {
        if (type == null || (type == OdinElementType.CUSTOM && !customAllowed)) {
            throw new OdinFormatException(OdinInvalidReason.BAD_ELEMENT_TYPE);
        }
        if (size == 0) {
            throw new OdinFormatException(OdinInvalidReason.ZERO_SIZE_ENTRY);
        }
        if (type.size() > 1 && size % type.size() != 0) {
            throw new OdinFormatException(OdinInvalidReason.ELEMENT_SIZE_MISMATCH);
        }
    }

    static void requireDistinct(int[] indices) throws OdinFormatException {
        int[] sorted = indices.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new OdinFormatException(OdinInvalidReason.DUPLICATE_INDEX);
            }
        }
    }

    private static String string(ByteBuffer packet, int offset, int length) {
        byte[] bytes = new byte[length];
        packet.get(packet.position() + offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static int u8(ByteBuffer packet, int offset) {
        return packet.get(packet.position() + offset) & 0xFF;
    }

    static int u16(ByteBuffer packet, int offset) {
        int at = packet.position() + offset;
        return (packet.get(at) & 0xFF) | (packet.get(at + 1) & 0xFF) << 8;
    }

    static int i32(ByteBuffer packet, int offset) {
        int at = packet.position() + offset;
        return (packet.get(at) & 0xFF) | (packet.get(at + 1) & 0xFF) << 8
                | (packet.get(at + 2) & 0xFF) << 16 | (packet.get(at + 3) & 0xFF) << 24;
    }

    static long u32(ByteBuffer packet, int offset) {
        return Integer.toUnsignedLong(i32(packet, offset));
    }
}
