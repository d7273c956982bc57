package org.rawstream.sources.odin;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the bytes of one value into a Java value by its element type. Integers become
 * {@link Long} (U64 above {@code Long.MAX_VALUE} becomes {@link BigInteger}), F32/F64 become
 * {@link Double}, BOOL {@link Boolean}, CHAR a string cut at the first NUL, HEX a lower-case hex
 * string, CUSTOM a map of field name to value by its type descriptor (a hex string when the
 * descriptor is unknown). A size of several elements gives a {@link List} of them.
 */
public final class OdinValueDecoder {

    private OdinValueDecoder() {
    }

    /**
     * Decodes {@code size} bytes at absolute index {@code at} of {@code bytes} (little-endian).
     *
     * @param descriptor the struct type for CUSTOM, else ignored (may be null)
     */
    public static Object decode(OdinElementType type, ByteBuffer bytes, int at, int size, OdinTypeDescriptor descriptor) {
        switch (type) {
            case HEX:
                return hex(bytes, at, size);
            case CHAR:
                return chars(bytes, at, size);
            case CUSTOM:
                if (descriptor == null || size % descriptor.size() != 0) {
                    return hex(bytes, at, size);
                }
                int structs = size / descriptor.size();
                if (structs == 1) {
                    return struct(descriptor, bytes, at);
                }
                List<Object> list = new ArrayList<>(structs);
                for (int i = 0; i < structs; i++) {
                    list.add(struct(descriptor, bytes, at + i * descriptor.size()));
                }
                return list;
            default:
                int count = size / type.size();
                if (count == 1) {
                    return scalar(type, bytes, at);
                }
                List<Object> values = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    values.add(scalar(type, bytes, at + i * type.size()));
                }
                return values;
        }
    }

    /** One element of a fixed-size type (not HEX, CHAR or CUSTOM) at absolute index {@code at}. */
    public static Object scalar(OdinElementType type, ByteBuffer bytes, int at) {
        switch (type) {
            case BOOL:
                return bytes.get(at) != 0;
            case U8:
                return (long) (bytes.get(at) & 0xFF);
            case I8:
                return (long) bytes.get(at);
            case U16:
                return le(bytes, at, 2) & 0xFFFF;
            case I16:
                return (long) (short) le(bytes, at, 2);
            case U32:
                return le(bytes, at, 4) & 0xFFFF_FFFFL;
            case I32:
                return (long) (int) le(bytes, at, 4);
            case I64:
                return le(bytes, at, 8);
            case U64: {
                long v = le(bytes, at, 8);
                return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
            }
            case F32:
                return (double) Float.intBitsToFloat((int) le(bytes, at, 4));
            case F64:
                return Double.longBitsToDouble(le(bytes, at, 8));
            default:
                throw new IllegalArgumentException("not a fixed-size element type: " + type);
        }
    }

    private static Map<String, Object> struct(OdinTypeDescriptor descriptor, ByteBuffer bytes, int at) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (OdinTypeDescriptor.Field field : descriptor.fields()) {
            fields.put(field.name(), decode(field.elementType(), bytes, at + field.offset(), field.size(), null));
        }
        return fields;
    }

    private static long le(ByteBuffer bytes, int at, int width) {
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = v << 8 | (bytes.get(at + i) & 0xFF);
        }
        return v;
    }

    private static String chars(ByteBuffer bytes, int at, int size) {
        int end = 0;
        while (end < size && bytes.get(at + end) != 0) {
            end++;
        }
        byte[] text = new byte[end];
        bytes.get(at, text);
        return new String(text, StandardCharsets.UTF_8);
    }

    private static String hex(ByteBuffer bytes, int at, int size) {
        StringBuilder s = new StringBuilder(size * 2);
        for (int i = 0; i < size; i++) {
            int b = bytes.get(at + i) & 0xFF;
            s.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return s.toString();
    }
}
