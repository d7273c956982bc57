package org.rawstream.sources.spead;

import java.nio.ByteBuffer;

/**
 * Decodes an item's bytes into a {@link SpeadValue} with its descriptor: numpy header first
 * (either byte order, C or Fortran order), else the SPEAD format (big-endian, bit-packed) and
 * shape. A variable dimension takes what the item's length leaves; an immediate narrower than
 * its pointer is right-aligned.
 */
public final class ItemValueDecoder {

    /** Most elements one value may have; guards against absurd shapes. */
    public static final long MAX_ELEMENTS = 1L << 28;

    private ItemValueDecoder() {
    }

    /** Decodes {@code length} bytes at {@code offset}; throws IllegalArgumentException when they do not fit. */
    public static SpeadValue decode(SpeadDescriptor descriptor, ByteBuffer buf, int offset, int length,
            boolean immediate) {
        SpeadDtype dtype = descriptor.dtype();
        long[] shape = descriptor.effectiveShape();
        return decode(dtype, shape, descriptor.fortranOrder(), buf, offset, length, immediate);
    }

    public static SpeadValue decode(SpeadDtype dtype, long[] declaredShape, boolean fortran, ByteBuffer buf,
            int offset, int length, boolean immediate) {
        long elementBits = dtype.elementBits();
        long fixed = 1;
        int variable = -1;
        for (int i = 0; i < declaredShape.length; i++) {
            if (declaredShape[i] < 0) {
                if (variable >= 0) {
                    throw new IllegalArgumentException("more than one variable dimension");
                }
                variable = i;
            } else {
                fixed = Math.multiplyExact(fixed, declaredShape[i]);
                if (fixed > MAX_ELEMENTS) {
                    throw new IllegalArgumentException("too many elements");
                }
            }
        }
        long availableBits = 8L * length;
        int[] shape = new int[declaredShape.length];
        long count;
        if (variable >= 0) {
            long perVariable = fixed * elementBits;
            long n = perVariable == 0 ? 0 : availableBits / perVariable;
            count = fixed * n;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = (int) (i == variable ? n : declaredShape[i]);
            }
        } else {
            count = fixed;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = (int) declaredShape[i];
            }
        }
        if (count > MAX_ELEMENTS) {
            throw new IllegalArgumentException("too many elements");
        }
        long neededBits = count * elementBits;
        if (neededBits > availableBits) {
            throw new IllegalArgumentException("item of " + length + " bytes too short for " + count
                    + " elements of " + elementBits + " bits");
        }
        // Immediates are right-aligned in their pointer: skip the leading pad bits.
        long skipBits = immediate ? availableBits - neededBits : 0;
        int n = (int) count;
        Object[] columns = new Object[dtype.fieldCount()];
        for (int f = 0; f < columns.length; f++) {
            columns[f] = newColumn(dtype.field(f), n);
        }
        if (dtype.isStandard() && skipBits % 8 == 0) {
            readStandard(dtype, buf, offset + (int) (skipBits / 8), n, columns);
        } else {
            readPacked(dtype, buf, offset, skipBits, n, columns);
        }
        if (fortran && shape.length > 1) {
            toCOrder(dtype, shape, n, columns);
        }
        return new SpeadValue(dtype, shape, n, columns);
    }

    private static Object newColumn(SpeadDtype.Field f, int n) {
        switch (f.kind()) {
            case 'u':
            case 'i':
                if (!f.isStandard()) {
                    return new long[n];
                }
                switch (f.bits()) {
                    case 8:
                        return new byte[n];
                    case 16:
                        return new short[n];
                    case 32:
                        return new int[n];
                    default:
                        return new long[n];
                }
            case 'f':
                return f.bits() == 32 ? (Object) new float[n] : new double[n];
            case 'c':
                return f.bits() == 64 ? (Object) new float[2 * n] : new double[2 * n];
            case 'b':
                return new boolean[n];
            default:
                return new byte[Math.multiplyExact(n, f.bits() / 8)];
        }
    }

    private static void readStandard(SpeadDtype dtype, ByteBuffer buf, int start, int n, Object[] columns) {
        int stride = (int) (dtype.elementBits() / 8);
        int fieldOffset = 0;
        for (int f = 0; f < columns.length; f++) {
            SpeadDtype.Field field = dtype.field(f);
            int bytes = field.bits() / 8;
            boolean be = field.bigEndian();
            Object col = columns[f];
            for (int e = 0; e < n; e++) {
                int p = start + e * stride + fieldOffset;
                switch (field.kind()) {
                    case 'S':
                        for (int k = 0; k < bytes; k++) {
                            ((byte[]) col)[e * bytes + k] = buf.get(p + k);
                        }
                        break;
                    case 'b':
                        ((boolean[]) col)[e] = buf.get(p) != 0;
                        break;
                    case 'f':
                        if (bytes == 4) {
                            ((float[]) col)[e] = Float.intBitsToFloat((int) readInt(buf, p, 4, be));
                        } else {
                            ((double[]) col)[e] = Double.longBitsToDouble(readInt(buf, p, 8, be));
                        }
                        break;
                    case 'c':
                        int half = bytes / 2;
                        if (half == 4) {
                            ((float[]) col)[2 * e] = Float.intBitsToFloat((int) readInt(buf, p, 4, be));
                            ((float[]) col)[2 * e + 1] = Float.intBitsToFloat((int) readInt(buf, p + 4, 4, be));
                        } else {
                            ((double[]) col)[2 * e] = Double.longBitsToDouble(readInt(buf, p, 8, be));
                            ((double[]) col)[2 * e + 1] = Double.longBitsToDouble(readInt(buf, p + 8, 8, be));
                        }
                        break;
                    default:
                        long v = readInt(buf, p, bytes, be);
                        if (bytes == 1) {
                            ((byte[]) col)[e] = (byte) v;
                        } else if (bytes == 2) {
                            ((short[]) col)[e] = (short) v;
                        } else if (bytes == 4) {
                            ((int[]) col)[e] = (int) v;
                        } else {
                            ((long[]) col)[e] = v;
                        }
                }
            }
            fieldOffset += bytes;
        }
    }

    private static long readInt(ByteBuffer buf, int p, int bytes, boolean bigEndian) {
        long v = 0;
        for (int k = 0; k < bytes; k++) {
            int b = buf.get(p + (bigEndian ? k : bytes - 1 - k)) & 0xFF;
            v = (v << 8) | b;
        }
        return v;
    }

    /** Big-endian bit stream, fields back to back with no padding (SPEAD formats). */
    private static void readPacked(SpeadDtype dtype, ByteBuffer buf, int offset, long skipBits, int n,
            Object[] columns) {
        long bit = skipBits;
        for (int e = 0; e < n; e++) {
            for (int f = 0; f < columns.length; f++) {
                SpeadDtype.Field field = dtype.field(f);
                int bits = field.bits();
                Object col = columns[f];
                if (field.kind() == 'S') {
                    int bytes = bits / 8;
                    for (int k = 0; k < bytes; k++) {
                        ((byte[]) col)[e * bytes + k] = (byte) readBits(buf, offset, bit + 8L * k, 8);
                    }
                    bit += bits;
                    continue;
                }
                if (field.kind() == 'c') {
                    int half = bits / 2;
                    long re = readBits(buf, offset, bit, half);
                    long im = readBits(buf, offset, bit + half, half);
                    if (half == 32) {
                        ((float[]) col)[2 * e] = Float.intBitsToFloat((int) re);
                        ((float[]) col)[2 * e + 1] = Float.intBitsToFloat((int) im);
                    } else {
                        ((double[]) col)[2 * e] = Double.longBitsToDouble(re);
                        ((double[]) col)[2 * e + 1] = Double.longBitsToDouble(im);
                    }
                    bit += bits;
                    continue;
                }
                long v = readBits(buf, offset, bit, bits);
                bit += bits;
                switch (field.kind()) {
                    case 'b':
                        ((boolean[]) col)[e] = v != 0;
                        break;
                    case 'f':
                        if (bits == 32) {
                            ((float[]) col)[e] = Float.intBitsToFloat((int) v);
                        } else {
                            ((double[]) col)[e] = Double.longBitsToDouble(v);
                        }
                        break;
                    case 'i':
                        if (bits < 64) {
                            v = (v << (64 - bits)) >> (64 - bits);
                        }
                        storeInt(field, col, e, v);
                        break;
                    default:
                        storeInt(field, col, e, v);
                }
            }
        }
    }

    private static void storeInt(SpeadDtype.Field field, Object col, int e, long v) {
        if (col instanceof byte[]) {
            ((byte[]) col)[e] = (byte) v;
        } else if (col instanceof short[]) {
            ((short[]) col)[e] = (short) v;
        } else if (col instanceof int[]) {
            ((int[]) col)[e] = (int) v;
        } else {
            ((long[]) col)[e] = v;
        }
    }

    private static long readBits(ByteBuffer buf, int offset, long bit, int bits) {
        long v = 0;
        for (int k = 0; k < bits; k++) {
            long b = bit + k;
            int byteValue = buf.get(offset + (int) (b >>> 3)) & 0xFF;
            v = (v << 1) | ((byteValue >>> (7 - (b & 7))) & 1);
        }
        return v;
    }

    /** Reorders Fortran-order (column-major) columns into C order. */
    private static void toCOrder(SpeadDtype dtype, int[] shape, int n, Object[] columns) {
        int[] cIndexOfF = new int[n];
        int[] idx = new int[shape.length];
        for (int fi = 0; fi < n; fi++) {
            int c = 0;
            for (int d = 0; d < shape.length; d++) {
                c = c * shape[d] + idx[d];
            }
            cIndexOfF[fi] = c;
            for (int d = 0; d < shape.length; d++) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        for (int f = 0; f < columns.length; f++) {
            Object src = columns[f];
            int len = java.lang.reflect.Array.getLength(src);
            int per = len / Math.max(n, 1);
            Object dst = java.lang.reflect.Array.newInstance(src.getClass().getComponentType(), len);
            for (int fi = 0; fi < n; fi++) {
                System.arraycopy(src, fi * per, dst, cIndexOfF[fi] * per, per);
            }
            columns[f] = dst;
        }
    }
}
