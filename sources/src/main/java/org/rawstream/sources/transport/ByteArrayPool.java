package org.rawstream.sources.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Recycled byte arrays for received packets, so a packet costs no fresh allocation (and no
 * zeroing of it) on the receive path. Each array is handed out inside the heap {@link ByteBuffer}
 * made for it when it was allocated, and that buffer comes back with it: a consumer that decodes
 * the packet through a buffer does not wrap the array again per packet. Consumers read the
 * buffer with absolute indices and must not keep it; its position, limit and byte order are reset
 * when it is given back. Arrays come in size classes of {@link #GRANULE} bytes (a taken array is
 * at least as long as asked, at most {@code GRANULE - 1} longer); each class is a LIFO stack, so
 * the most recently returned — still cache-warm — array is handed out first. Bounded: at most
 * {@code maxPooledBytes} are kept, arrays given back beyond that are left to the garbage
 * collector, and so are arrays that never come back.
 *
 * <p>Thread-safe: the receiving thread takes, the task thread gives back (one short lock each).
 */
public final class ByteArrayPool {
    /** Size-class width. */
    public static final int GRANULE = 1024;

    private final long maxPooledBytes;
    private final int maxLength;
    private final ByteBuffer[][] stacks;
    private final int[] depth;
    private long pooledBytes;

    /**
     * @param maxLength longest array pooled (longer requests get a plain new array)
     * @param maxPooledBytes most bytes kept across all classes
     */
    public ByteArrayPool(int maxLength, long maxPooledBytes) {
        if (maxLength < 1 || maxPooledBytes < 0) {
            throw new IllegalArgumentException("maxLength must be >= 1 and maxPooledBytes >= 0");
        }
        this.maxLength = classLength(classOf(maxLength));
        this.maxPooledBytes = maxPooledBytes;
        int classes = classOf(maxLength) + 1;
        this.stacks = new ByteBuffer[classes][];
        this.depth = new int[classes];
    }

    private static int classOf(int length) {
        return (length + GRANULE - 1) / GRANULE;
    }

    private static int classLength(int sizeClass) {
        return Math.max(1, sizeClass) * GRANULE;
    }

    /**
     * A buffer over an array of at least {@code length} bytes (position 0, limit = the array's
     * length, big-endian), contents undefined.
     */
    public ByteBuffer take(int length) {
        if (length > maxLength) {
            return ByteBuffer.wrap(new byte[length]);
        }
        int c = classOf(length);
        synchronized (this) {
            int d = depth[c];
            if (d > 0) {
                ByteBuffer b = stacks[c][--d];
                stacks[c][d] = null;
                depth[c] = d;
                pooledBytes -= b.capacity();
                return b;
            }
        }
        return ByteBuffer.wrap(new byte[classLength(c)]);
    }

    /** Gives a buffer from {@link #take} back; the caller must not touch it (or its array) afterwards. */
    public void give(ByteBuffer buffer) {
        int length = buffer.capacity();
        int c = length / GRANULE;
        if (!buffer.hasArray() || buffer.arrayOffset() != 0 || buffer.array().length != length
                || length % GRANULE != 0 || c >= stacks.length || c == 0) {
            return; // not one of ours (or oversize): let the GC have it
        }
        buffer.clear().order(ByteOrder.BIG_ENDIAN);
        synchronized (this) {
            if (pooledBytes + length > maxPooledBytes) {
                return;
            }
            ByteBuffer[] s = stacks[c];
            int d = depth[c];
            if (s == null || d == s.length) {
                s = java.util.Arrays.copyOf(s == null ? new ByteBuffer[0] : s, Math.max(16, d * 2));
                stacks[c] = s;
            }
            s[d] = buffer;
            depth[c] = d + 1;
            pooledBytes += length;
        }
    }

    /** Bytes currently held for reuse. */
    public synchronized long pooledBytes() {
        return pooledBytes;
    }
}
