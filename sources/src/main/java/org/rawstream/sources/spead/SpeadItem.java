package org.rawstream.sources.spead;

import java.nio.ByteBuffer;

/** One item of a received heap: its id and its value bytes (a read-only view, no copy). */
public final class SpeadItem {

    private final long id;
    private final boolean immediate;
    private final ByteBuffer value;
    private final boolean fullyReceived;

    SpeadItem(long id, boolean immediate, ByteBuffer value, boolean fullyReceived) {
        this.id = id;
        this.immediate = immediate;
        this.value = value;
        this.fullyReceived = fullyReceived;
    }

    public long id() {
        return id;
    }

    public boolean immediate() {
        return immediate;
    }

    /** The value bytes: for an immediate the pointer's low address-width bytes, big-endian. */
    public ByteBuffer value() {
        return value.duplicate();
    }

    public int length() {
        return value.remaining();
    }

    public byte[] bytes() {
        byte[] b = new byte[value.remaining()];
        value.duplicate().get(b);
        return b;
    }

    /** False for an addressed item of an incomplete heap whose bytes did not all arrive. */
    public boolean fullyReceived() {
        return fullyReceived;
    }

    /** The value as an unsigned big-endian integer (immediates; items of at most 8 bytes). */
    public long asLong() {
        long v = 0;
        ByteBuffer b = value.duplicate();
        while (b.hasRemaining()) {
            v = (v << 8) | (b.get() & 0xFF);
        }
        return v;
    }

    @Override
    public String toString() {
        return "SpeadItem{id=0x" + Long.toHexString(id) + (immediate ? ", immediate" : "") + ", length=" + length() + "}";
    }
}
