package org.rawstream.sources.spead;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A heap to send: items (immediate or addressed), descriptors and an optional STREAM_CTRL.
 * {@link #layout} lays it out for a flavour once; the layout can be packetised many times with
 * different heap counters (the sender reuses it).
 */
public final class OutgoingHeap {

    private final List<long[]> immediates;
    private final List<Object[]> addressed;
    private final List<SpeadDescriptor> descriptors;
    private final long streamControl;

    private OutgoingHeap(Builder b) {
        this.immediates = List.copyOf(b.immediates);
        this.addressed = List.copyOf(b.addressed);
        this.descriptors = List.copyOf(b.descriptors);
        this.streamControl = b.streamControl;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A stop heap (STREAM_CTRL = stop). */
    public static OutgoingHeap stop() {
        return builder().streamControl(SpeadItemIds.CTRL_STOP).build();
    }

    /** Item pointers (packet-level ones excluded) and payload of the heap in one flavour. */
    public static final class Layout {
        private final SpeadFlavour flavour;
        private final long[] pointers;
        private final byte[] payload;

        Layout(SpeadFlavour flavour, long[] pointers, byte[] payload) {
            this.flavour = flavour;
            this.pointers = pointers;
            this.payload = payload;
        }

        public SpeadFlavour flavour() {
            return flavour;
        }

        public long[] pointers() {
            return pointers;
        }

        public byte[] payload() {
            return payload;
        }

        public int heapSize() {
            return payload.length;
        }
    }

    public Layout layout(SpeadFlavour flavour) {
        List<byte[]> parts = new ArrayList<>();
        List<Long> pointers = new ArrayList<>();
        long offset = 0;
        for (SpeadDescriptor d : descriptors) {
            byte[] raw = d.encode(flavour);
            pointers.add(ItemPointers.addressed(SpeadItemIds.DESCRIPTOR, offset, flavour));
            parts.add(raw);
            offset += raw.length;
        }
        for (Object[] item : addressed) {
            byte[] value = (byte[]) item[1];
            pointers.add(ItemPointers.addressed((Long) item[0], offset, flavour));
            parts.add(value);
            offset += value.length;
        }
        for (long[] imm : immediates) {
            pointers.add(ItemPointers.immediate(imm[0], imm[1], flavour));
        }
        if (streamControl >= 0) {
            pointers.add(ItemPointers.immediate(SpeadItemIds.STREAM_CTRL, streamControl, flavour));
        }
        if (offset == 0) {
            // Like spead2: an empty heap gets a 1-byte NULL item so every packet has payload.
            pointers.add(ItemPointers.addressed(SpeadItemIds.NULL, 0, flavour));
            parts.add(new byte[1]);
            offset = 1;
        }
        if (offset > flavour.maxAddress() || offset > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("heap payload too large: " + offset);
        }
        byte[] payload;
        if (parts.size() == 1) {
            payload = parts.get(0); // one addressed item: share its bytes, no copy
        } else {
            payload = new byte[(int) offset];
            int p = 0;
            for (byte[] part : parts) {
                System.arraycopy(part, 0, payload, p, part.length);
                p += part.length;
            }
        }
        long[] ptrs = new long[pointers.size()];
        for (int i = 0; i < ptrs.length; i++) {
            ptrs[i] = pointers.get(i);
        }
        return new Layout(flavour, ptrs, payload);
    }

    /** Builder of outgoing heaps. */
    public static final class Builder {
        private final List<long[]> immediates = new ArrayList<>();
        private final List<Object[]> addressed = new ArrayList<>();
        private final List<SpeadDescriptor> descriptors = new ArrayList<>();
        private long streamControl = -1;

        private Builder() {
        }

        /** An immediate item: the value sits in the pointer (right-aligned). */
        public Builder immediate(long id, long value) {
            immediates.add(new long[] {id, value});
            return this;
        }

        /** An addressed item with these value bytes (not copied). */
        public Builder item(long id, byte[] value) {
            addressed.add(new Object[] {id, Objects.requireNonNull(value)});
            return this;
        }

        public Builder descriptor(SpeadDescriptor descriptor) {
            descriptors.add(Objects.requireNonNull(descriptor));
            return this;
        }

        public Builder streamControl(long value) {
            this.streamControl = value;
            return this;
        }

        public OutgoingHeap build() {
            return new OutgoingHeap(this);
        }
    }

    @Override
    public String toString() {
        return "OutgoingHeap{immediates=" + immediates.size() + ", addressed=" + addressed.size() + ", descriptors="
                + descriptors.size() + ", ctrl=" + streamControl + "}";
    }
}
