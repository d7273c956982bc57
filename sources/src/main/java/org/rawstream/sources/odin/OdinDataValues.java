package org.rawstream.sources.odin;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A data packet decoded against its schema: timestamp, sequence and one value per schema entry,
 * named and typed when an extended identifier described the schema. Holds a copy of the packet;
 * values are decoded on demand.
 */
public final class OdinDataValues {

    private final OdinSchema schema;
    private final Map<Integer, OdinTypeDescriptor> types;
    private final ByteBuffer packet;

    private OdinDataValues(OdinSchema schema, Map<Integer, OdinTypeDescriptor> types, ByteBuffer packet) {
        this.schema = schema;
        this.types = types;
        this.packet = packet;
    }

    /**
     * Copies a data packet that is valid for {@code schema} (its length is
     * {@link OdinSchema#dataPacketLength()}).
     *
     * @param types the identifier's CUSTOM struct types by type id (an immutable map)
     */
    public static OdinDataValues of(OdinSchema schema, Map<Integer, OdinTypeDescriptor> types, ByteBuffer packet) {
        if (packet.remaining() != schema.dataPacketLength()) {
            throw new IllegalArgumentException("data packet length " + packet.remaining()
                    + " does not match schema length " + schema.dataPacketLength());
        }
        byte[] copy = new byte[packet.remaining()];
        packet.get(packet.position(), copy);
        return new OdinDataValues(schema, types, ByteBuffer.wrap(copy));
    }

    public OdinSchema schema() {
        return schema;
    }

    public int identifier() {
        return schema.identifier();
    }

    public long timestamp() {
        return OdinPackets.timestamp(packet);
    }

    public int sequence() {
        return OdinPackets.sequence(packet);
    }

    /** The packet's exact bytes. */
    public byte[] packetBytes() {
        return packet.array().clone();
    }

    public int entryCount() {
        return schema.entryCount();
    }

    public long index(int i) {
        return schema.index(i);
    }

    /** The entry's name, or {@code null} before an extended identifier named it. */
    public String name(int i) {
        return schema.name(i);
    }

    /** The entry's raw value bytes. */
    public byte[] rawValue(int i) {
        byte[] raw = new byte[schema.size(i)];
        packet.get(valueAt(i), raw);
        return raw;
    }

    /**
     * The entry's value, typed by the extended identifier; as a hex string while the schema
     * has no element types.
     */
    public Object value(int i) {
        OdinElementType type = schema.elementType(i);
        return valueAs(i, type == null ? OdinElementType.HEX : type);
    }

    /** The entry's value read as {@code type} (for schemas without types, or to reinterpret). */
    public Object valueAs(int i, OdinElementType type) {
        return OdinValueDecoder.decode(type, packet, valueAt(i), schema.size(i), types.get(schema.typeId(i)));
    }

    /** Name (or {@code 0x<index>} when unnamed) to value, in schema order. */
    public Map<String, Object> namedValues() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < entryCount(); i++) {
            String name = name(i);
            values.put(name != null ? name : "0x" + Long.toHexString(index(i)), value(i));
        }
        return values;
    }

    private int valueAt(int i) {
        return OdinPackets.DATA_HEADER_LENGTH + schema.offset(i);
    }

    @Override
    public String toString() {
        return "OdinDataValues{id=" + identifier() + ", timestamp=" + timestamp() + ", sequence=" + sequence()
                + ", values=" + namedValues() + "}";
    }
}
