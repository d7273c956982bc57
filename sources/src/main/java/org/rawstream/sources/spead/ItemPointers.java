package org.rawstream.sources.spead;

/**
 * Bit manipulation of 64-bit SPEAD item pointers: bit 63 is the mode (1 = immediate), then the
 * item id, then {@code heapAddressBits} of value (immediate) or heap offset (addressed).
 */
public final class ItemPointers {

    private ItemPointers() {
    }

    public static boolean isImmediate(long pointer) {
        return pointer < 0;
    }

    public static long id(long pointer, int heapAddressBits) {
        return (pointer & Long.MAX_VALUE) >>> heapAddressBits;
    }

    /** The immediate value or the heap offset. */
    public static long value(long pointer, int heapAddressBits) {
        return pointer & ((1L << heapAddressBits) - 1);
    }

    public static long immediate(long id, long value, SpeadFlavour flavour) {
        checkId(id, flavour);
        if (value < 0 || value > flavour.maxAddress()) {
            throw new IllegalArgumentException("immediate value " + value + " does not fit " + flavour);
        }
        return Long.MIN_VALUE | (id << flavour.heapAddressBits()) | value;
    }

    public static long addressed(long id, long offset, SpeadFlavour flavour) {
        checkId(id, flavour);
        if (offset < 0 || offset > flavour.maxAddress()) {
            throw new IllegalArgumentException("heap offset " + offset + " does not fit " + flavour);
        }
        return (id << flavour.heapAddressBits()) | offset;
    }

    /**
     * Writes an immediate item's value bytes (the low heapAddressBits/8 bytes of the pointer,
     * big-endian) to {@code dst} at {@code off}; returns the number of bytes written.
     */
    public static int immediateBytes(long pointer, int heapAddressBits, byte[] dst, int off) {
        int n = heapAddressBits / 8;
        for (int i = 0; i < n; i++) {
            dst[off + i] = (byte) (pointer >>> (8 * (n - 1 - i)));
        }
        return n;
    }

    /** Immediate value from up to heapAddressBits/8 big-endian bytes, right-aligned. */
    public static long immediateValueOf(byte[] bytes, SpeadFlavour flavour) {
        if (bytes.length > flavour.heapAddressBytes()) {
            throw new IllegalArgumentException("immediate of " + bytes.length + " bytes does not fit " + flavour);
        }
        long v = 0;
        for (byte b : bytes) {
            v = (v << 8) | (b & 0xFF);
        }
        return v;
    }

    private static void checkId(long id, SpeadFlavour flavour) {
        if (id < 0 || id > flavour.maxItemId()) {
            throw new IllegalArgumentException("item id " + id + " does not fit " + flavour);
        }
    }
}
