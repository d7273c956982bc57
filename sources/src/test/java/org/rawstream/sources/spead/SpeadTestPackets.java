package org.rawstream.sources.spead;

import java.nio.ByteBuffer;

/** Builds raw packets for tests, including malformed ones. */
final class SpeadTestPackets {

    static final SpeadFlavour F48 = SpeadFlavour.SPEAD_64_48;

    private SpeadTestPackets() {
    }

    static long imm(long id, long value) {
        return ItemPointers.immediate(id, value, F48);
    }

    static long addr(long id, long offset) {
        return ItemPointers.addressed(id, offset, F48);
    }

    /** A packet with exactly these pointers and payload (no pointers added). */
    static byte[] raw(long[] pointers, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * pointers.length + payload.length);
        SpeadPacketWriter.writeHeader(b, F48, pointers.length);
        for (long p : pointers) {
            b.putLong(p);
        }
        b.put(payload);
        return b.array();
    }

    /** A well-formed packet of heap {@code cnt}: bytes [offset, offset+len) of a heap of {@code size}. */
    static byte[] packet(long cnt, long size, long offset, int len, long... extra) {
        long[] p = new long[(size >= 0 ? 4 : 3) + extra.length];
        int i = 0;
        p[i++] = imm(SpeadItemIds.HEAP_CNT, cnt);
        if (size >= 0) {
            p[i++] = imm(SpeadItemIds.HEAP_SIZE, size);
        }
        p[i++] = imm(SpeadItemIds.HEAP_OFFSET, offset);
        p[i++] = imm(SpeadItemIds.PAYLOAD_LENGTH, len);
        for (long e : extra) {
            p[i++] = e;
        }
        byte[] payload = new byte[len];
        for (int k = 0; k < len; k++) {
            payload[k] = (byte) (offset + k);
        }
        return raw(p, payload);
    }
}
