package org.rawstream.sources.odin;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Collects the chunks (0x03 packets) of one identifier's named schema until all
 * {@code totalCount} items are known. A chunk for another definition or count, or one that
 * contradicts items already held, starts the assembly over (a sender restarted mid-schema).
 */
public final class OdinExtendedAssembly {

    private final int identifier;
    private final long definition;
    private final int totalCount;
    /**
     * The items received so far, by ordinal. A map rather than arrays of {@code totalCount}: a
     * sender's first chunk may announce thousands of items it never sends, and memory must follow
     * what arrived, not what was announced.
     */
    private final TreeMap<Integer, Item> items = new TreeMap<>();

    private OdinExtendedAssembly(int identifier, long definition, int totalCount) {
        this.identifier = identifier;
        this.definition = definition;
        this.totalCount = totalCount;
    }

    /** A new assembly starting with {@code chunk}. */
    public static OdinExtendedAssembly start(OdinExtendedChunk chunk) {
        OdinExtendedAssembly assembly = new OdinExtendedAssembly(chunk.identifier(), chunk.definition(), chunk.totalCount());
        assembly.add(chunk);
        return assembly;
    }

    /**
     * Adds a chunk. Returns {@code false} (adding nothing) when it does not fit this assembly:
     * other definition or total count, or an item that contradicts a known one. (An index used at
     * two ordinals is found when the schema is complete.)
     */
    public boolean add(OdinExtendedChunk chunk) {
        if (chunk.definition() != definition || chunk.totalCount() != totalCount) {
            return false;
        }
        for (int i = 0; i < chunk.itemCount(); i++) {
            Item known = items.get(chunk.startOrdinal() + i);
            if (known != null && !known.equals(Item.of(chunk, i))) {
                return false;
            }
        }
        for (int i = 0; i < chunk.itemCount(); i++) {
            items.put(chunk.startOrdinal() + i, Item.of(chunk, i));
        }
        return true;
    }

    public boolean isComplete() {
        return items.size() == totalCount;
    }

    /** Items known so far. */
    public int known() {
        return items.size();
    }

    /**
     * The named schema; only when {@link #isComplete()}.
     *
     * @throws OdinFormatException (DUPLICATE_INDEX) when two ordinals carry the same index
     */
    public OdinSchema toSchema() throws OdinFormatException {
        if (!isComplete()) {
            throw new IllegalStateException("extended identifier incomplete: " + items.size() + " of " + totalCount);
        }
        int[] indices = new int[totalCount];
        int[] sizes = new int[totalCount];
        OdinElementType[] elementTypes = new OdinElementType[totalCount];
        int[] typeIds = new int[totalCount];
        String[] names = new String[totalCount];
        for (Map.Entry<Integer, Item> e : items.entrySet()) {
            int ordinal = e.getKey();
            Item item = e.getValue();
            indices[ordinal] = item.index;
            sizes[ordinal] = item.size;
            elementTypes[ordinal] = item.elementType;
            typeIds[ordinal] = item.typeId;
            names[ordinal] = item.name;
        }
        OdinPackets.requireDistinct(indices);
        return OdinSchema.named(identifier, definition, indices, sizes, names, elementTypes, typeIds);
    }

    /** Same bytes as before items were kept by ordinal: a presence flag per ordinal, then the item. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeShort(identifier);
        out.writeInt((int) definition);
        out.writeInt(totalCount);
        for (int ordinal = 0; ordinal < totalCount; ordinal++) {
            Item item = items.get(ordinal);
            out.writeBoolean(item != null);
            if (item != null) {
                out.writeInt(item.index);
                out.writeShort(item.size);
                out.writeByte(item.elementType.code());
                out.writeShort(item.typeId);
                out.writeUTF(item.name);
            }
        }
    }

    public static OdinExtendedAssembly readFrom(DataInput in) throws IOException {
        int identifier = in.readUnsignedShort();
        long definition = Integer.toUnsignedLong(in.readInt());
        OdinExtendedAssembly a = new OdinExtendedAssembly(identifier, definition, in.readInt());
        for (int ordinal = 0; ordinal < a.totalCount; ordinal++) {
            if (in.readBoolean()) {
                int index = in.readInt();
                int size = in.readUnsignedShort();
                OdinElementType type = Objects.requireNonNull(OdinElementType.fromCode(in.readUnsignedByte()));
                a.items.put(ordinal, new Item(index, size, type, in.readUnsignedShort(), in.readUTF()));
            }
        }
        return a;
    }

    /** One item of the schema, as a chunk carried it. */
    private static final class Item {
        final int index;
        final int size;
        final OdinElementType elementType;
        final int typeId;
        final String name;

        Item(int index, int size, OdinElementType elementType, int typeId, String name) {
            this.index = index;
            this.size = size;
            this.elementType = elementType;
            this.typeId = typeId;
            this.name = name;
        }

        static Item of(OdinExtendedChunk chunk, int i) {
            return new Item(chunk.rawIndex(i), chunk.size(i), chunk.elementType(i), chunk.typeId(i), chunk.name(i));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Item other && index == other.index && size == other.size
                    && elementType == other.elementType && typeId == other.typeId && name.equals(other.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(index, size, elementType, typeId, name);
        }
    }
}
