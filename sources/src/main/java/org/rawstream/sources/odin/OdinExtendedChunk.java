package org.rawstream.sources.odin;

/**
 * One extended identifier packet (0x03): items {@code startOrdinal .. startOrdinal+itemCount-1}
 * of a named schema of {@code totalCount} items. Immutable once parsed.
 */
public final class OdinExtendedChunk {

    private final int identifier;
    private final long definition;
    private final int totalCount;
    private final int startOrdinal;
    private final int[] indices;
    private final int[] sizes;
    private final OdinElementType[] elementTypes;
    private final int[] typeIds;
    private final String[] names;

    OdinExtendedChunk(int identifier, long definition, int totalCount, int startOrdinal, int[] indices,
                      int[] sizes, OdinElementType[] elementTypes, int[] typeIds, String[] names) {
        this.identifier = identifier;
        this.definition = definition;
        this.totalCount = totalCount;
        this.startOrdinal = startOrdinal;
        this.indices = indices;
        this.sizes = sizes;
        this.elementTypes = elementTypes;
        this.typeIds = typeIds;
        this.names = names;
    }

    public int identifier() {
        return identifier;
    }

    public long definition() {
        return definition;
    }

    public int totalCount() {
        return totalCount;
    }

    public int startOrdinal() {
        return startOrdinal;
    }

    public int itemCount() {
        return indices.length;
    }

    /** Raw u32 bits of item {@code i}'s index. */
    int rawIndex(int i) {
        return indices[i];
    }

    public long index(int i) {
        return Integer.toUnsignedLong(indices[i]);
    }

    public int size(int i) {
        return sizes[i];
    }

    public OdinElementType elementType(int i) {
        return elementTypes[i];
    }

    public int typeId(int i) {
        return typeIds[i];
    }

    public String name(int i) {
        return names[i];
    }
}
