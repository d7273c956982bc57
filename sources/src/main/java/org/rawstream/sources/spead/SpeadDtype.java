package org.rawstream.sources.spead;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Element type of an item: one or more fields, each of kind u (unsigned), i (signed), f (float),
 * c (complex, numpy's meaning), b (bool) or S (raw bytes / characters), a bit width and a byte
 * order. Built from a SPEAD format (big-endian, bit-packed) or from a numpy descr.
 */
public final class SpeadDtype {

    /** One field of an element: its name, kind (u, i, f, c complex, b bool or S bytes), bits, byte order. */
    public record Field(String name, char kind, int bits, boolean bigEndian) {

        /** True when the field is a whole number of bytes of a width numpy has (no bit unpacking). */
        public boolean isStandard() {
            switch (kind) {
                case 'u':
                case 'i':
                    return bits == 8 || bits == 16 || bits == 32 || bits == 64;
                case 'f':
                    return bits == 32 || bits == 64;
                case 'c':
                    return bits == 64 || bits == 128;
                case 'b':
                    return bits == 8;
                case 'S':
                    return bits % 8 == 0;
                default:
                    return false;
            }
        }

        /** numpy type code of the decoded (little-endian) values, e.g. {@code <u4}, {@code |u1}. */
        public String numpyCode() {
            if (!isStandard()) {
                return "|O";
            }
            int bytes = bits / 8;
            if (kind == 'b') {
                return "|b1";
            }
            if (kind == 'S') {
                return "|S" + bytes;
            }
            return (bytes == 1 ? "|" : "<") + kind + bytes;
        }
    }

    private final List<Field> fields;
    private final boolean fromFormat;

    private SpeadDtype(List<Field> fields, boolean fromFormat) {
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a dtype needs at least one field");
        }
        this.fields = Collections.unmodifiableList(fields);
        this.fromFormat = fromFormat;
    }

    /** From SPEAD format fields: big-endian, packed without padding bits. */
    public static SpeadDtype fromFormat(char[] types, int[] bits) {
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            char t = types[i];
            int b = bits[i];
            if (b <= 0) {
                throw new IllegalArgumentException("format field of " + b + " bits");
            }
            switch (t) {
                case 'u':
                case 'i':
                    if (b > 64) {
                        throw new IllegalArgumentException("integer field wider than 64 bits: " + b);
                    }
                    fields.add(new Field("f" + i, t, b, true));
                    break;
                case 'f':
                    if (b != 32 && b != 64) {
                        throw new IllegalArgumentException("float field must be 32 or 64 bits, not " + b);
                    }
                    fields.add(new Field("f" + i, 'f', b, true));
                    break;
                case 'c':
                    if (b != 8) {
                        throw new IllegalArgumentException("char field must be 8 bits, not " + b);
                    }
                    fields.add(new Field("f" + i, 'S', 8, true));
                    break;
                case 'b':
                    if (b > 64) {
                        throw new IllegalArgumentException("bool field wider than 64 bits: " + b);
                    }
                    fields.add(new Field("f" + i, 'b', b, true));
                    break;
                default:
                    throw new IllegalArgumentException("unknown format type '" + t + "'");
            }
        }
        return new SpeadDtype(fields, true);
    }

    /** From numpy type codes such as {@code >u4}, {@code <c8}, {@code |S8}, {@code ?}. */
    public static SpeadDtype fromNumpyDescr(List<String> codes, List<String> names) {
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < codes.size(); i++) {
            fields.add(parseCode(codes.get(i), names.get(i)));
        }
        return new SpeadDtype(fields, false);
    }

    private static Field parseCode(String code, String name) {
        String c = code.trim();
        if (c.equals("?") || c.equals("|?")) {
            return new Field(name, 'b', 8, false);
        }
        boolean bigEndian = false;
        if (!c.isEmpty() && "<>|=".indexOf(c.charAt(0)) >= 0) {
            bigEndian = c.charAt(0) == '>';
            c = c.substring(1);
        }
        if (c.length() < 2) {
            throw new IllegalArgumentException("unsupported numpy type code: " + code);
        }
        char kind = c.charAt(0);
        int bytes;
        try {
            bytes = Integer.parseInt(c.substring(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unsupported numpy type code: " + code, e);
        }
        if (kind == 'a') {
            kind = 'S';
        }
        Field f = new Field(name, kind, bytes * 8, bigEndian);
        if ("uifcbS".indexOf(kind) < 0 || bytes <= 0 || bytes > 1 << 20 || !f.isStandard()) {
            throw new IllegalArgumentException("unsupported numpy type code: " + code);
        }
        return f;
    }

    public List<Field> fields() {
        return fields;
    }

    public int fieldCount() {
        return fields.size();
    }

    public Field field(int i) {
        return fields.get(i);
    }

    /** Bits of one element (the sum of the fields; no padding). */
    public long elementBits() {
        long b = 0;
        for (Field f : fields) {
            b += f.bits;
        }
        return b;
    }

    /** True when every field is a standard, byte-aligned numpy type (no bit unpacking). */
    public boolean isStandard() {
        for (Field f : fields) {
            if (!f.isStandard()) {
                return false;
            }
        }
        return true;
    }

    /** True when the type came from a SPEAD format rather than a numpy header. */
    public boolean fromFormat() {
        return fromFormat;
    }

    /** A SPEAD format of one 8-bit char field: spead2 turns such values into a string. */
    public boolean isCharString() {
        return fromFormat && fields.size() == 1 && fields.get(0).kind == 'S' && fields.get(0).bits == 8;
    }

    /** numpy dtype string of the decoded values: {@code <u4}, {@code |u1}, {@code |V6}, ... */
    public String numpyDescr() {
        if (fields.size() == 1) {
            return fields.get(0).numpyCode();
        }
        return isStandard() ? "|V" + elementBits() / 8 : "|O";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (Field f : fields) {
            sb.append(sb.length() > 1 ? ", " : "").append(f.name).append(':')
                    .append(f.bigEndian ? '>' : '<').append(f.kind).append(f.bits);
        }
        return sb.append(']').toString().toLowerCase(Locale.ROOT);
    }
}
