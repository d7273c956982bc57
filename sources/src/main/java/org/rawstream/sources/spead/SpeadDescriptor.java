package org.rawstream.sources.spead;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a DESCRIPTOR item says about one item: name, description, shape (a dimension of -1 is of
 * variable length), format (fields of type char u/i/f/c/b and bit width) and an optional numpy
 * header that, when present, overrides format and shape.
 */
public final class SpeadDescriptor {

    private final long id;
    private final String name;
    private final String description;
    private final long[] shape;
    private final char[] formatTypes;
    private final int[] formatBits;
    private final String numpyHeader;

    private SpeadDescriptor(Builder b) {
        this.id = b.id;
        this.name = b.name;
        this.description = b.description;
        this.shape = b.shape.clone();
        this.formatTypes = b.formatTypes.clone();
        this.formatBits = b.formatBits.clone();
        this.numpyHeader = b.numpyHeader;
    }

    public static Builder builder(long id, String name) {
        return new Builder(id, name);
    }

    public long id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** Shape as sent; -1 marks a variable dimension. */
    public long[] shape() {
        return shape.clone();
    }

    public int formatFieldCount() {
        return formatTypes.length;
    }

    public char formatType(int field) {
        return formatTypes[field];
    }

    public int formatBits(int field) {
        return formatBits[field];
    }

    /** The numpy header dict, or null. */
    public String numpyHeader() {
        return numpyHeader;
    }

    /** The element type and shape values decode with: the numpy header first, else format + shape. */
    public SpeadDtype dtype() {
        if (numpyHeader != null) {
            return NumpyHeader.parse(numpyHeader).dtype();
        }
        return SpeadDtype.fromFormat(formatTypes, formatBits);
    }

    /** The shape values decode with (numpy header first); -1 marks a variable dimension. */
    public long[] effectiveShape() {
        if (numpyHeader != null) {
            return NumpyHeader.parse(numpyHeader).shape();
        }
        return shape.clone();
    }

    /** True when the numpy header asks for Fortran (column-major) order. */
    public boolean fortranOrder() {
        return numpyHeader != null && NumpyHeader.parse(numpyHeader).fortranOrder();
    }

    /** The descriptor as a complete SPEAD packet: the value of a DESCRIPTOR item. */
    public byte[] encode(SpeadFlavour flavour) {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        byte[] descBytes = description.getBytes(StandardCharsets.US_ASCII);
        int fw = flavour.formatWidthBytes();
        byte[] format = new byte[formatTypes.length * (1 + fw)];
        for (int i = 0; i < formatTypes.length; i++) {
            int p = i * (1 + fw);
            format[p] = (byte) formatTypes[i];
            for (int k = 0; k < fw; k++) {
                format[p + 1 + k] = (byte) (formatBits[i] >>> (8 * (fw - 1 - k)));
            }
        }
        int se = flavour.shapeEntryBytes();
        byte[] shapeBytes = new byte[shape.length * se];
        for (int i = 0; i < shape.length; i++) {
            int p = i * se;
            long size = shape[i] < 0 ? 0 : shape[i];
            shapeBytes[p] = (byte) (shape[i] < 0 ? 1 : 0);
            for (int k = 0; k < se - 1; k++) {
                shapeBytes[p + 1 + k] = (byte) (size >>> (8 * (se - 2 - k)));
            }
        }
        byte[] numpy = numpyHeader == null ? new byte[0] : numpyHeader.getBytes(StandardCharsets.US_ASCII);
        int payload = nameBytes.length + descBytes.length + format.length + shapeBytes.length + numpy.length;
        int pointers = 4 + 1 + 4 + (numpyHeader == null ? 0 : 1);
        ByteBuffer out = ByteBuffer.allocate((int) SpeadPacketWriter.packetLength(pointers, payload));
        SpeadPacketWriter.writeHeader(out, flavour, pointers);
        SpeadPacketWriter.writePacketPointers(out, flavour, 1, payload, 0, payload);
        SpeadPacketWriter.writePointer(out, ItemPointers.immediate(SpeadItemIds.DESCRIPTOR_ID, id, flavour));
        long off = 0;
        SpeadPacketWriter.writePointer(out, ItemPointers.addressed(SpeadItemIds.DESCRIPTOR_NAME, off, flavour));
        off += nameBytes.length;
        SpeadPacketWriter.writePointer(out, ItemPointers.addressed(SpeadItemIds.DESCRIPTOR_DESCRIPTION, off, flavour));
        off += descBytes.length;
        SpeadPacketWriter.writePointer(out, ItemPointers.addressed(SpeadItemIds.DESCRIPTOR_FORMAT, off, flavour));
        off += format.length;
        SpeadPacketWriter.writePointer(out, ItemPointers.addressed(SpeadItemIds.DESCRIPTOR_SHAPE, off, flavour));
        off += shapeBytes.length;
        if (numpyHeader != null) {
            SpeadPacketWriter.writePointer(out,
                    ItemPointers.addressed(SpeadItemIds.DESCRIPTOR_NUMPY_HEADER, off, flavour));
        }
        out.put(nameBytes).put(descBytes).put(format).put(shapeBytes).put(numpy);
        return out.array();
    }

    /**
     * Decodes a DESCRIPTOR item's value (itself a SPEAD packet); null when it is not a valid
     * descriptor (not a packet, no DESCRIPTOR_ID, or fields that do not parse).
     */
    public static SpeadDescriptor decode(ByteBuffer buf, int offset, int length) {
        SpeadPacket packet = new SpeadPacket();
        if (!packet.decodeFramed(buf, offset, length)) {
            return null;
        }
        int bits = packet.heapAddressBits();
        SpeadFlavour flavour = SpeadFlavour.ofAddressBytes(bits / 8);
        int n = packet.pointerCount();
        long payloadLength = packet.payloadLength();
        long[] addressed = new long[n];
        int na = 0;
        long descId = -1;
        for (int i = 0; i < n; i++) {
            long p = packet.pointer(i);
            if (ItemPointers.isImmediate(p)) {
                if (ItemPointers.id(p, bits) == SpeadItemIds.DESCRIPTOR_ID) {
                    descId = ItemPointers.value(p, bits);
                }
            } else {
                addressed[na++] = p;
            }
        }
        if (descId < 0) {
            return null;
        }
        Builder b = new Builder(descId, "");
        int payloadStart = packet.payloadStart();
        for (int i = 0; i < na; i++) {
            long id = ItemPointers.id(addressed[i], bits);
            long from = ItemPointers.value(addressed[i], bits);
            long to = payloadLength;
            for (int k = 0; k < na; k++) {
                long o = ItemPointers.value(addressed[k], bits);
                if (o >= from && o < to && (o > from || k > i)) {
                    to = o;
                }
            }
            if (from > payloadLength) {
                return null;
            }
            byte[] v = new byte[(int) (to - from)];
            buf.get(payloadStart + (int) from, v);
            if (id == SpeadItemIds.DESCRIPTOR_NAME) {
                b.name = new String(v, StandardCharsets.US_ASCII);
            } else if (id == SpeadItemIds.DESCRIPTOR_DESCRIPTION) {
                b.description = new String(v, StandardCharsets.US_ASCII);
            } else if (id == SpeadItemIds.DESCRIPTOR_NUMPY_HEADER) {
                b.numpyHeader = new String(v, StandardCharsets.US_ASCII);
            } else if (id == SpeadItemIds.DESCRIPTOR_FORMAT) {
                int fw = flavour.formatWidthBytes();
                if (v.length % (1 + fw) != 0) {
                    return null;
                }
                int fields = v.length / (1 + fw);
                char[] types = new char[fields];
                int[] widths = new int[fields];
                for (int f = 0; f < fields; f++) {
                    types[f] = (char) (v[f * (1 + fw)] & 0xFF);
                    long w = 0;
                    for (int k = 0; k < fw; k++) {
                        w = (w << 8) | (v[f * (1 + fw) + 1 + k] & 0xFF);
                    }
                    if (w > 1 << 20) {
                        return null;
                    }
                    widths[f] = (int) w;
                }
                b.formatTypes = types;
                b.formatBits = widths;
            } else if (id == SpeadItemIds.DESCRIPTOR_SHAPE) {
                int se = flavour.shapeEntryBytes();
                if (v.length % se != 0) {
                    return null;
                }
                long[] dims = new long[v.length / se];
                for (int d = 0; d < dims.length; d++) {
                    boolean variable = (v[d * se] & 1) != 0;
                    long size = 0;
                    for (int k = 1; k < se; k++) {
                        size = (size << 8) | (v[d * se + k] & 0xFF);
                    }
                    dims[d] = variable ? -1 : size;
                }
                b.shape = dims;
            }
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SpeadDescriptor)) {
            return false;
        }
        SpeadDescriptor d = (SpeadDescriptor) o;
        return id == d.id && name.equals(d.name) && description.equals(d.description)
                && Arrays.equals(shape, d.shape) && Arrays.equals(formatTypes, d.formatTypes)
                && Arrays.equals(formatBits, d.formatBits) && Objects.equals(numpyHeader, d.numpyHeader);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, description, Arrays.hashCode(shape), numpyHeader);
    }

    @Override
    public String toString() {
        StringBuilder f = new StringBuilder();
        for (int i = 0; i < formatTypes.length; i++) {
            f.append(formatTypes[i]).append(formatBits[i]).append(i + 1 < formatTypes.length ? "," : "");
        }
        return "SpeadDescriptor{id=0x" + Long.toHexString(id) + ", name=" + name + ", shape="
                + Arrays.toString(shape) + ", format=[" + f + "], numpy=" + numpyHeader + "}";
    }

    /** Builder for descriptors to send. */
    public static final class Builder {
        private final long id;
        private String name;
        private String description = "";
        private long[] shape = new long[0];
        private char[] formatTypes = new char[0];
        private int[] formatBits = new int[0];
        private String numpyHeader;

        private Builder(long id, String name) {
            this.id = id;
            this.name = Objects.requireNonNull(name);
        }

        public Builder description(String value) {
            this.description = Objects.requireNonNull(value);
            return this;
        }

        /** Dimensions; -1 for a variable one. */
        public Builder shape(long... dims) {
            this.shape = dims.clone();
            return this;
        }

        /** Adds a format field, e.g. ('u', 32). */
        public Builder formatField(char type, int bits) {
            formatTypes = Arrays.copyOf(formatTypes, formatTypes.length + 1);
            formatBits = Arrays.copyOf(formatBits, formatBits.length + 1);
            formatTypes[formatTypes.length - 1] = type;
            formatBits[formatBits.length - 1] = bits;
            return this;
        }

        public Builder numpyHeader(String header) {
            this.numpyHeader = header;
            return this;
        }

        public SpeadDescriptor build() {
            return new SpeadDescriptor(this);
        }
    }
}
