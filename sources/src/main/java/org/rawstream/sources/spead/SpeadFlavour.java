package org.rawstream.sources.spead;

/**
 * A SPEAD-64-XX flavour: 64-bit item pointers of which {@code heapAddressBits} (40 or 48 in
 * practice, any whole number of bytes from 1 to 7 on the wire) carry an immediate value or a heap
 * offset and the rest, below the mode bit, the item id.
 */
public final class SpeadFlavour {

    public static final SpeadFlavour SPEAD_64_40 = new SpeadFlavour(40);
    public static final SpeadFlavour SPEAD_64_48 = new SpeadFlavour(48);

    private final int heapAddressBits;

    private SpeadFlavour(int heapAddressBits) {
        this.heapAddressBits = heapAddressBits;
    }

    /** The flavour whose heap-address field is {@code addressBytes} bytes wide (1..7). */
    public static SpeadFlavour ofAddressBytes(int addressBytes) {
        if (addressBytes == 5) {
            return SPEAD_64_40;
        }
        if (addressBytes == 6) {
            return SPEAD_64_48;
        }
        if (addressBytes < 1 || addressBytes > 7) {
            throw new IllegalArgumentException("heap address width must be 1..7 bytes, got " + addressBytes);
        }
        return new SpeadFlavour(addressBytes * 8);
    }

    /** Parses "SPEAD-64-48", "64-48" or "48". */
    public static SpeadFlavour parse(String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        int dash = t.lastIndexOf('-');
        String bits = dash >= 0 ? t.substring(dash + 1) : t;
        try {
            int b = Integer.parseInt(bits);
            if (b % 8 != 0) {
                throw new IllegalArgumentException("heap address bits must be a multiple of 8: " + text);
            }
            return ofAddressBytes(b / 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a SPEAD flavour: " + text, e);
        }
    }

    public int heapAddressBits() {
        return heapAddressBits;
    }

    public int heapAddressBytes() {
        return heapAddressBits / 8;
    }

    /** Bytes of one item-identifier field in the header, mode bit included. */
    public int itemIdBytes() {
        return 8 - heapAddressBytes();
    }

    /** Largest value an immediate or an address can hold. */
    public long maxAddress() {
        return (1L << heapAddressBits) - 1;
    }

    /** Largest item id. */
    public long maxItemId() {
        return (1L << (63 - heapAddressBits)) - 1;
    }

    /** Bytes of the bit-width field of one descriptor format entry. */
    public int formatWidthBytes() {
        return 8 - heapAddressBytes();
    }

    /** Bytes of one descriptor shape entry (flag byte + size). */
    public int shapeEntryBytes() {
        return 1 + heapAddressBytes();
    }

    public String name() {
        return "SPEAD-64-" + heapAddressBits;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpeadFlavour && ((SpeadFlavour) o).heapAddressBits == heapAddressBits;
    }

    @Override
    public int hashCode() {
        return heapAddressBits;
    }

    @Override
    public String toString() {
        return name();
    }
}
