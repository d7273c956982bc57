package org.rawstream.sources.odin;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A CUSTOM struct type from a type descriptor packet (0x04): its size and named fields. */
public final class OdinTypeDescriptor {

    /** One field of a struct: an element type (never CUSTOM), its size and offset in the struct. */
    public record Field(OdinElementType elementType, int size, int offset, String name) {
        public Field {
            Objects.requireNonNull(elementType);
            Objects.requireNonNull(name);
        }
    }

    private final int typeId;
    private final int size;
    private final String name;
    private final List<Field> fields;

    public OdinTypeDescriptor(int typeId, int size, String name, List<Field> fields) {
        this.typeId = typeId;
        this.size = size;
        this.name = Objects.requireNonNull(name);
        this.fields = List.copyOf(fields);
    }

    public int typeId() {
        return typeId;
    }

    public int size() {
        return size;
    }

    public String name() {
        return name;
    }

    public List<Field> fields() {
        return fields;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeShort(typeId);
        out.writeShort(size);
        out.writeUTF(name);
        out.writeShort(fields.size());
        for (Field f : fields) {
            out.writeByte(f.elementType.code());
            out.writeShort(f.size);
            out.writeShort(f.offset);
            out.writeUTF(f.name);
        }
    }

    public static OdinTypeDescriptor readFrom(DataInput in) throws IOException {
        int typeId = in.readUnsignedShort();
        int size = in.readUnsignedShort();
        String name = in.readUTF();
        int n = in.readUnsignedShort();
        List<Field> fields = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            OdinElementType type = Objects.requireNonNull(OdinElementType.fromCode(in.readUnsignedByte()));
            fields.add(new Field(type, in.readUnsignedShort(), in.readUnsignedShort(), in.readUTF()));
        }
        return new OdinTypeDescriptor(typeId, size, name, fields);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OdinTypeDescriptor)) {
            return false;
        }
        OdinTypeDescriptor d = (OdinTypeDescriptor) o;
        return typeId == d.typeId && size == d.size && name.equals(d.name) && fields.equals(d.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(typeId, size, name, fields);
    }
}
