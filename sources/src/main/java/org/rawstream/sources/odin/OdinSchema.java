package org.rawstream.sources.odin;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One schema: the object-dictionary entries a data packet of one identifier carries, in order,
 * with their sizes, and (once an extended identifier is complete) their names and element types.
 * Immutable. Two schemas have the same <em>layout</em> when definition, indices and sizes agree;
 * names and types only annotate a layout.
 */
public final class OdinSchema {

    private final int identifier;
    private final long definition;
    private final int[] indices;
    private final int[] sizes;
    private final int[] offsets;
    private final int valuesLength;
    /** Null until an extended identifier named the entries. */
    private final String[] names;
    private final OdinElementType[] elementTypes;
    private final int[] typeIds;

    OdinSchema(int identifier, long definition, int[] indices, int[] sizes,
               String[] names, OdinElementType[] elementTypes, int[] typeIds) {
        this.identifier = identifier;
        this.definition = definition;
        this.indices = indices;
        this.sizes = sizes;
        this.names = names;
        this.elementTypes = elementTypes;
        this.typeIds = typeIds;
        this.offsets = new int[sizes.length];
        int offset = 0;
        for (int i = 0; i < sizes.length; i++) {
            offsets[i] = offset;
            offset += sizes[i];
        }
        this.valuesLength = offset;
    }

    /** A schema without names or types, as an identifier packet (0x01) defines it. */
    public static OdinSchema of(int identifier, long definition, int[] indices, int[] sizes) {
        if (indices.length != sizes.length) {
            throw new IllegalArgumentException("indices and sizes differ in length");
        }
        return new OdinSchema(identifier, definition, indices.clone(), sizes.clone(), null, null, null);
    }

    /** A named, typed schema, as a complete extended identifier (0x03) defines it. */
    public static OdinSchema named(int identifier, long definition, int[] indices, int[] sizes,
                                   String[] names, OdinElementType[] elementTypes, int[] typeIds) {
        int n = indices.length;
        if (sizes.length != n || names.length != n || elementTypes.length != n || typeIds.length != n) {
            throw new IllegalArgumentException("entry arrays differ in length");
        }
        return new OdinSchema(identifier, definition, indices.clone(), sizes.clone(),
                names.clone(), elementTypes.clone(), typeIds.clone());
    }

    /** The 16-bit identifier data packets carry in their header. */
    public int identifier() {
        return identifier;
    }

    /** The object-dictionary definition the indices refer to (u32). */
    public long definition() {
        return definition;
    }

    public int entryCount() {
        return indices.length;
    }

    /** Object-dictionary index of entry {@code i} (u32). */
    public long index(int i) {
        return Integer.toUnsignedLong(indices[i]);
    }

    /** Size in bytes of entry {@code i}'s value. */
    public int size(int i) {
        return sizes[i];
    }

    /** Offset of entry {@code i}'s value within the values section of a data packet. */
    public int offset(int i) {
        return offsets[i];
    }

    /** Sum of all entry sizes. */
    public int valuesLength() {
        return valuesLength;
    }

    /** The only valid length of a data packet of this schema. */
    public int dataPacketLength() {
        return OdinPackets.DATA_HEADER_LENGTH + valuesLength;
    }

    public boolean isNamed() {
        return names != null;
    }

    /** Name of entry {@code i}, or {@code null} if no extended identifier named it. */
    public String name(int i) {
        return names == null ? null : names[i];
    }

    /** Element type of entry {@code i}, or {@code null} if no extended identifier typed it. */
    public OdinElementType elementType(int i) {
        return elementTypes == null ? null : elementTypes[i];
    }

    /** Type descriptor id of a CUSTOM entry {@code i} (0 otherwise or when untyped). */
    public int typeId(int i) {
        return typeIds == null ? 0 : typeIds[i];
    }

    /** Whether definition, indices and sizes agree (names and types are not compared). */
    public boolean sameLayout(OdinSchema other) {
        return other != null
                && identifier == other.identifier
                && definition == other.definition
                && Arrays.equals(indices, other.indices)
                && Arrays.equals(sizes, other.sizes);
    }

    /** This layout with the names and types of {@code named} (which must have the same layout). */
    OdinSchema withAnnotationsOf(OdinSchema named) {
        return new OdinSchema(identifier, definition, indices, sizes,
                named.names, named.elementTypes, named.typeIds);
    }

    /** Writes this schema for keyed state (read back with {@link #readFrom}). */
    public void writeTo(DataOutput out) throws IOException {
        out.writeShort(identifier);
        out.writeInt((int) definition);
        out.writeInt(indices.length);
        for (int i = 0; i < indices.length; i++) {
            out.writeInt(indices[i]);
            out.writeShort(sizes[i]);
        }
        out.writeBoolean(names != null);
        if (names != null) {
            for (int i = 0; i < indices.length; i++) {
                out.writeUTF(names[i]);
                out.writeByte(elementTypes[i].code());
                out.writeShort(typeIds[i]);
            }
        }
    }

    public static OdinSchema readFrom(DataInput in) throws IOException {
        int identifier = in.readUnsignedShort();
        long definition = Integer.toUnsignedLong(in.readInt());
        int n = in.readInt();
        int[] indices = new int[n];
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) {
            indices[i] = in.readInt();
            sizes[i] = in.readUnsignedShort();
        }
        if (!in.readBoolean()) {
            return new OdinSchema(identifier, definition, indices, sizes, null, null, null);
        }
        String[] names = new String[n];
        OdinElementType[] types = new OdinElementType[n];
        int[] typeIds = new int[n];
        for (int i = 0; i < n; i++) {
            names[i] = in.readUTF();
            types[i] = Objects.requireNonNull(OdinElementType.fromCode(in.readUnsignedByte()));
            typeIds[i] = in.readUnsignedShort();
        }
        return new OdinSchema(identifier, definition, indices, sizes, names, types, typeIds);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OdinSchema)) {
            return false;
        }
        OdinSchema other = (OdinSchema) o;
        return sameLayout(other)
                && Arrays.equals(names, other.names)
                && Arrays.equals(elementTypes, other.elementTypes)
                && Arrays.equals(typeIds, other.typeIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * identifier + Arrays.hashCode(indices)) + Arrays.hashCode(sizes);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("OdinSchema{id=").append(identifier)
                .append(", definition=0x").append(Long.toHexString(definition)).append(", entries=[");
        for (int i = 0; i < indices.length; i++) {
            s.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(index(i))).append(':').append(sizes[i]);
            if (names != null) {
                s.append(' ').append(names[i]).append('/').append(elementTypes[i]);
            }
        }
        return s.append("]}").toString();
    }
}
