package org.rawstream.sources.odin;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Encodes ODIN-Stream packets (for the sender and for tests), little-endian like the C structs. */
public final class OdinPacketWriter {

    private OdinPacketWriter() {
    }

    /** An identifier packet (0x01) for a schema. */
    public static byte[] identifier(OdinSchema schema) {
        int n = schema.entryCount();
        ByteBuffer out = header(OdinPacketType.IDENTIFIER, schema.identifier(),
                OdinPackets.IDENTIFIER_FIXED_LENGTH + n * OdinPackets.IDENTIFIER_ENTRY_LENGTH);
        out.putInt((int) schema.definition());
        for (int i = 0; i < n; i++) {
            out.putInt((int) schema.index(i)).putShort((short) schema.size(i));
        }
        return out.array();
    }

    /** A data packet (0x02) carrying {@code values} (the entries' values, concatenated). */
    public static byte[] data(int identifier, long timestamp, int sequence, byte[] values) {
        ByteBuffer out = ByteBuffer.allocate(OdinPackets.DATA_HEADER_LENGTH + values.length).order(ByteOrder.LITTLE_ENDIAN);
        writeDataHeader(out, identifier, timestamp, sequence);
        return out.put(values).array();
    }

    /**
     * Writes a data packet header at {@code out}'s position (advancing it by 10); the caller
     * then puts the values. Allocates nothing, for the sender's hot loop.
     */
    public static void writeDataHeader(ByteBuffer out, int identifier, long timestamp, int sequence) {
        ByteOrder order = out.order();
        out.order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) OdinPacketType.DATA.code()).putShort((short) identifier).put((byte) 0)
                .putInt((int) timestamp).putShort((short) sequence)
                .order(order);
    }

    /** An event packet (0x0B). */
    public static byte[] event(int eventId, long timestamp, int sequence, byte[] payload) {
        ByteBuffer out = header(OdinPacketType.EVENT, eventId, OdinPackets.EVENT_HEADER_LENGTH + payload.length);
        return out.putInt((int) timestamp).putShort((short) sequence).put(payload).array();
    }

    /**
     * The extended identifier packets (0x03) of a named schema, each at most
     * {@code maxPacketLength} bytes (at least one item per packet, whatever its length).
     */
    public static List<byte[]> extendedIdentifier(OdinSchema named, int maxPacketLength) {
        if (!named.isNamed()) {
            throw new IllegalArgumentException("schema has no names and types");
        }
        List<byte[]> packets = new ArrayList<>();
        int n = named.entryCount();
        int start = 0;
        while (start < n) {
            int length = OdinPackets.EXTENDED_FIXED_LENGTH;
            int end = start;
            while (end < n) {
                int item = itemLength(named, end);
                if (end > start && length + item > maxPacketLength) {
                    break;
                }
                length += item;
                end++;
            }
            packets.add(extendedIdentifierChunk(named, start, end - start));
            start = end;
        }
        return packets;
    }

    /** One extended identifier packet with items {@code start .. start+count-1} of {@code named}. */
    public static byte[] extendedIdentifierChunk(OdinSchema named, int start, int count) {
        int length = OdinPackets.EXTENDED_FIXED_LENGTH;
        for (int i = start; i < start + count; i++) {
            length += itemLength(named, i);
        }
        ByteBuffer out = header(OdinPacketType.EXTENDED_IDENTIFIER, named.identifier(), length);
        out.putInt((int) named.definition()).putShort((short) named.entryCount()).putShort((short) start);
        for (int i = start; i < start + count; i++) {
            byte[] name = nameBytes(named.name(i));
            out.putInt((int) named.index(i)).putShort((short) named.size(i))
                    .put((byte) named.elementType(i).code()).put((byte) name.length)
                    .putShort((short) named.typeId(i)).put(name);
        }
        return out.array();
    }

    /** A type descriptor packet (0x04) describing {@code types} for schema {@code identifier}. */
    public static byte[] typeDescriptors(int identifier, List<OdinTypeDescriptor> types) {
        int length = OdinPackets.HEADER_LENGTH;
        for (OdinTypeDescriptor type : types) {
            length += OdinPackets.TYPE_FIXED_LENGTH + nameBytes(type.name()).length;
            for (OdinTypeDescriptor.Field field : type.fields()) {
                length += OdinPackets.FIELD_FIXED_LENGTH + nameBytes(field.name()).length;
            }
        }
        ByteBuffer out = header(OdinPacketType.TYPE_DESCRIPTOR, identifier, length);
        for (OdinTypeDescriptor type : types) {
            byte[] name = nameBytes(type.name());
            out.putShort((short) type.typeId()).putShort((short) type.size())
                    .put((byte) type.fields().size()).put((byte) name.length).put(name);
            for (OdinTypeDescriptor.Field field : type.fields()) {
                byte[] fieldName = nameBytes(field.name());
                out.put((byte) field.elementType().code()).putShort((short) field.size())
                        .putShort((short) field.offset()).put((byte) fieldName.length).put(fieldName);
            }
        }
        return out.array();
    }

    private static int itemLength(OdinSchema named, int i) {
        return OdinPackets.EXTENDED_ITEM_FIXED_LENGTH + nameBytes(named.name(i)).length;
    }

    /** UTF-8 bytes of a name; names longer than the u8 length field allows are refused. */
    private static byte[] nameBytes(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 255) {
            throw new IllegalArgumentException("name longer than 255 bytes: " + name);
        }
        return bytes;
    }

    private static ByteBuffer header(OdinPacketType type, int identifier, int length) {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) type.code()).putShort((short) identifier).put((byte) 0);
    }
}
