package org.rawstream.job.generator;

/**
 * The generator's message bytes, a pure function of (index, size): the first 8 bytes are the
 * index (big-endian), the rest a SplitMix64 stream seeded by the index. Replays after a restore
 * therefore produce identical messages, which is what makes exactly-once checkable by hashing.
 */
public final class GeneratedMessages {
    public static final int MIN_SIZE = 8;

    private GeneratedMessages() {}

    public static byte[] message(long index, int size) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("message size must be >= " + MIN_SIZE + ", got " + size);
        }
        byte[] out = new byte[size];
        putLong(out, 0, index);
        // Seed through the mixer so neighbouring indexes do not share shifted streams.
        long state = mix(index);
        int i = MIN_SIZE;
        while (i < size) {
            state += 0x9E3779B97F4A7C15L;
            long z = mix(state);
            for (int b = 0; b < 8 && i < size; b++, i++) {
                out[i] = (byte) (z >>> (8 * b));
            }
        }
        return out;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The index a generated message carries. */
    public static long indexOf(byte[] message) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (message[i] & 0xFF);
        }
        return v;
    }

    private static void putLong(byte[] out, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            out[off + i] = (byte) v;
            v >>>= 8;
        }
    }
}
