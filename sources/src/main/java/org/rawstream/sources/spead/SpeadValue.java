package org.rawstream.sources.spead;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A decoded item value: an array of the given shape (empty shape = scalar) in C order, held as
 * one primitive array per dtype field ("column"): byte[]/short[]/int[]/long[] for integers of
 * 8/16/32/64 bits (other widths in long[]), float[]/double[] for floats, interleaved float[] or
 * double[] for complex, boolean[] for bools, byte[] (element size bytes each) for S.
 */
public final class SpeadValue {

    private final SpeadDtype dtype;
    private final int[] shape;
    private final int count;
    private final Object[] columns;

    SpeadValue(SpeadDtype dtype, int[] shape, int count, Object[] columns) {
        this.dtype = dtype;
        this.shape = shape;
        this.count = count;
        this.columns = columns;
    }

    public SpeadDtype dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public boolean isScalar() {
        return shape.length == 0;
    }

    /** Number of elements (1 for a scalar). */
    public int count() {
        return count;
    }

    /** The primitive array holding field {@code field} of every element. */
    public Object column(int field) {
        return columns[field];
    }

    /** True when spead2 would present the value as a string (SPEAD format c8). */
    public boolean isString() {
        return dtype.isCharString();
    }

    /** The characters of a c8 value as a string (ASCII). */
    public String asString() {
        return new String((byte[]) columns[0], StandardCharsets.US_ASCII);
    }

    /** An integer or bool field of element {@code index} (unsigned fields zero-extended). */
    public long longValue(int index, int field) {
        SpeadDtype.Field f = dtype.field(field);
        Object col = columns[field];
        boolean unsigned = f.kind() == 'u';
        if (col instanceof byte[]) {
            byte v = ((byte[]) col)[index];
            return unsigned ? v & 0xFFL : v;
        }
        if (col instanceof short[]) {
            short v = ((short[]) col)[index];
            return unsigned ? v & 0xFFFFL : v;
        }
        if (col instanceof int[]) {
            int v = ((int[]) col)[index];
            return unsigned ? v & 0xFFFFFFFFL : v;
        }
        if (col instanceof long[]) {
            return ((long[]) col)[index];
        }
        if (col instanceof boolean[]) {
            return ((boolean[]) col)[index] ? 1 : 0;
        }
        throw new IllegalStateException("field " + field + " is not an integer field");
    }

    /** A float field of element {@code index}; for complex fields the real part. */
    public double doubleValue(int index, int field) {
        Object col = columns[field];
        boolean complex = dtype.field(field).kind() == 'c';
        int i = complex ? 2 * index : index;
        if (col instanceof float[]) {
            return ((float[]) col)[i];
        }
        if (col instanceof double[]) {
            return ((double[]) col)[i];
        }
        return longValue(index, field);
    }

    /** Imaginary part of a complex field of element {@code index}. */
    public double imagValue(int index, int field) {
        Object col = columns[field];
        if (col instanceof float[]) {
            return ((float[]) col)[2 * index + 1];
        }
        return ((double[]) col)[2 * index + 1];
    }

    /**
     * The values as numpy would store them natively here: little-endian, C order, fields packed
     * (no padding). Only for standard (byte-aligned numpy) types.
     */
    public byte[] littleEndianBytes() {
        if (!dtype.isStandard()) {
            throw new IllegalStateException("no numpy byte layout for " + dtype);
        }
        ByteBuffer out = ByteBuffer.allocate((int) (dtype.elementBits() / 8 * count)).order(ByteOrder.LITTLE_ENDIAN);
        for (int e = 0; e < count; e++) {
            for (int f = 0; f < dtype.fieldCount(); f++) {
                SpeadDtype.Field field = dtype.field(f);
                Object col = columns[f];
                int bytes = field.bits() / 8;
                if (col instanceof byte[]) {
                    out.put((byte[]) col, e * bytes, bytes);
                } else if (col instanceof short[]) {
                    out.putShort(((short[]) col)[e]);
                } else if (col instanceof int[]) {
                    out.putInt(((int[]) col)[e]);
                } else if (col instanceof long[]) {
                    out.putLong(((long[]) col)[e]);
                } else if (col instanceof boolean[]) {
                    out.put((byte) (((boolean[]) col)[e] ? 1 : 0));
                } else if (col instanceof float[]) {
                    float[] a = (float[]) col;
                    out.putFloat(a[field.kind() == 'c' ? 2 * e : e]);
                    if (field.kind() == 'c') {
                        out.putFloat(a[2 * e + 1]);
                    }
                } else {
                    double[] a = (double[]) col;
                    out.putDouble(a[field.kind() == 'c' ? 2 * e : e]);
                    if (field.kind() == 'c') {
                        out.putDouble(a[2 * e + 1]);
                    }
                }
            }
        }
        return out.array();
    }

    /**
     * The value as text, as numpy prints it but flattened (C order): a scalar as a number, a c8
     * value as a quoted string, an array as {@code [a, b, ...]}; an array of more than
     * {@code maxShown} elements shows its first and last three only (summarised, like numpy).
     * Unsigned integers print unsigned, complex as {@code (re+imj)}, several fields as a tuple.
     */
    public String format(int maxShown) {
        if (isString()) {
            return "'" + asString() + "'";
        }
        if (isScalar()) {
            return element(0);
        }
        StringBuilder s = new StringBuilder("[");
        boolean summarise = count > maxShown && count > 6;
        for (int e = 0; e < count; e++) {
            if (summarise && e == 3) {
                s.append(", ...");
                e = count - 3;
            }
            s.append(e == 0 ? "" : ", ").append(element(e));
        }
        return s.append(']').toString();
    }

    private String element(int index) {
        if (dtype.fieldCount() == 1) {
            return field(index, 0);
        }
        StringBuilder s = new StringBuilder("(");
        for (int f = 0; f < dtype.fieldCount(); f++) {
            s.append(f == 0 ? "" : ", ").append(field(index, f));
        }
        return s.append(')').toString();
    }

    private String field(int index, int field) {
        SpeadDtype.Field f = dtype.field(field);
        Object col = columns[field];
        switch (f.kind()) {
            case 'b':
                return ((boolean[]) col)[index] ? "True" : "False";
            case 'f':
                return col instanceof float[] ? Float.toString(((float[]) col)[index]) : Double.toString(((double[]) col)[index]);
            case 'c':
                return col instanceof float[]
                        ? complex(Float.toString(((float[]) col)[2 * index]), Float.toString(((float[]) col)[2 * index + 1]))
                        : complex(Double.toString(((double[]) col)[2 * index]), Double.toString(((double[]) col)[2 * index + 1]));
            case 'S':
                int bytes = f.bits() / 8;
                StringBuilder s = new StringBuilder("b'");
                for (int k = 0; k < bytes; k++) {
                    int b = ((byte[]) col)[index * bytes + k] & 0xFF;
                    s.append(b >= 0x20 && b < 0x7F && b != '\\' && b != '\'' ? Character.toString(b) : String.format("\\x%02x", b));
                }
                return s.append('\'').toString();
            case 'u':
                return Long.toUnsignedString(longValue(index, field));
            default:
                return Long.toString(longValue(index, field));
        }
    }

    private static String complex(String re, String im) {
        return "(" + re + (im.startsWith("-") ? "" : "+") + im + "j)";
    }

    @Override
    public String toString() {
        if (isString()) {
            return "\"" + asString() + "\"";
        }
        return "SpeadValue{" + dtype.numpyDescr() + " shape=" + Arrays.toString(shape) + "}";
    }
}
