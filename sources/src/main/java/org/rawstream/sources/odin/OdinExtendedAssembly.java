package org.rawstream.sources.odin;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * Collects the chunks (0x03 packets) of one identifier's named schema until all
 * {@code totalCount} items are known. A chunk for another definition or count, or one that
 * contradicts items already held, starts the assembly over (a sender restarted mid-schema).
 */
public final class OdinExtendedAssembly {

    private final int identifier;
    private final long definition;
    private final int[] indices;
    private final int[] sizes;
    private final OdinElementType[] elementTypes;
    private final int[] typeIds;
    private final String[] names;
    private int known;

    private OdinExtendedAssembly(int identifier, long definition, int totalCount) {
        this.identifier = identifier;
        this.definition = definition;
        this.indices = new int[totalCount];
        this.sizes = new int[totalCount];
        this.elementTypes = new OdinElementType[totalCount];
        this.typeIds = new int[totalCount];
        this.names = new String[totalCount];
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
        if (chunk.definition() != definition || chunk.totalCount() != indices.length) {
            return false;
        }
        for (int i = 0; i < chunk.itemCount(); i++) {
            int ordinal = chunk.startOrdinal() + i;
            if (names[ordinal] != null && !sameItem(ordinal, chunk, i)) {
                return false;
            }
        }
        for (int i = 0; i < chunk.itemCount(); i++) {
            int ordinal = chunk.startOrdinal() + i;
            if (names[ordinal] == null) {
                known++;
            }
            indices[ordinal] = chunk.rawIndex(i);
            sizes[ordinal] = chunk.size(i);
            elementTypes[ordinal] = chunk.elementType(i);
            typeIds[ordinal] = chunk.typeId(i);
            names[ordinal] = chunk.name(i);
        }
        return true;
    }

    public boolean isComplete() {
        return known == indices.length;
    }

    /** Items known so far. */
    public int known() {
        return known;
    }

    /**
     * The named schema; only when {@link #isComplete()}.
     *
     * @throws OdinFormatException (DUPLICATE_INDEX) when two ordinals carry the same index
     */
    public OdinSchema toSchema() throws OdinFormatException {
        if (!isComplete()) {
            throw new IllegalStateException("extended identifier incomplete: " + known + " of " + indices.length);
        }
        OdinPackets.requireDistinct(indices);
        return OdinSchema.named(identifier, definition, indices, sizes, names, elementTypes, typeIds);
    }

    private boolean sameItem(int ordinal, OdinExtendedChunk chunk, int i) {
        return indices[ordinal] == chunk.rawIndex(i) && sizes[ordinal] == chunk.size(i)
                && elementTypes[ordinal] == chunk.elementType(i) && typeIds[ordinal] == chunk.typeId(i)
                && names[ordinal].equals(chunk.name(i));
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeShort(identifier);
        out.writeInt((int) definition);
        out.writeInt(indices.length);
        for (int i = 0; i < indices.length; i++) {
            out.writeBoolean(names[i] != null);
            if (names[i] != null) {
                out.writeInt(indices[i]);
                out.writeShort(sizes[i]);
                out.writeByte(elementTypes[i].code());
                out.writeShort(typeIds[i]);
                out.writeUTF(names[i]);
            }
        }
    }

    public static OdinExtendedAssembly readFrom(DataInput in) throws IOException {
        int identifier = in.readUnsignedShort();
        long definition = Integer.toUnsignedLong(in.readInt());
        OdinExtendedAssembly a = new OdinExtendedAssembly(identifier, definition, in.readInt());
        for (int i = 0; i < a.indices.length; i++) {
            if (in.readBoolean()) {
                a.indices[i] = in.readInt();
                a.sizes[i] = in.readUnsignedShort();
                a.elementTypes[i] = Objects.requireNonNull(OdinElementType.fromCode(in.readUnsignedByte()));
                a.typeIds[i] = in.readUnsignedShort();
                a.names[i] = in.readUTF();
                a.known++;
            }
        }
        return a;
    }
}
