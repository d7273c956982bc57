package org.rawstream.sources.spead;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recycled payload buffers for heaps, by exact length. A 1 MiB heap's buffer is a "humongous"
 * object for the G1 collector (allocated outside the young generation and zeroed by the
 * allocating thread); at a thousand heaps a second, allocating one per heap costs more than
 * assembling it. Buffers come back when the heap has been stored ({@link ReceivedHeap#release()}).
 *
 * <p>One pool per JVM (a TaskManager's subtasks share it), thread-safe, bounded by
 * {@link #MAX_POOLED_BYTES}; a taken buffer's contents are undefined (the heap zeroes what it
 * did not receive when it is finished). Buffers below {@link #MIN_POOLED_LENGTH} are plain
 * allocations (young-generation garbage costs next to nothing), except live heaps' payload
 * chunks ({@link HeapPayload#CHUNK_BYTES}), taken and returned a hundred times per 1 MiB heap.
 */
public final class HeapPayloadPool {
    /** Smallest buffer worth pooling. */
    public static final int MIN_POOLED_LENGTH = 64 * 1024;
    /** Most bytes kept for reuse: 256 MiB (256 heaps of 1 MiB), at most an eighth of the JVM's heap. */
    public static final long MAX_POOLED_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);

    private static final HeapPayloadPool SHARED = new HeapPayloadPool(MAX_POOLED_BYTES);

    private final long maxPooledBytes;
    /** Free buffers by length; the most recently used length last (evicted last). */
    private final Map<Integer, ArrayDeque<byte[]>> free = new LinkedHashMap<>(16, 0.75f, true);
    private long pooledBytes;

    HeapPayloadPool(long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
    }

    public static HeapPayloadPool shared() {
        return SHARED;
    }

    /** A buffer of exactly {@code length} bytes, contents undefined. */
    public byte[] take(int length) {
        if (pooled(length)) {
            synchronized (this) {
                ArrayDeque<byte[]> q = free.get(length);
                byte[] a = q == null ? null : q.pollLast();
                if (a != null) {
                    pooledBytes -= length;
                    return a;
                }
            }
        }
        return new byte[length];
    }

    /** Takes a buffer back; the caller must not use it afterwards. */
    public void give(byte[] buffer) {
        int length = buffer.length;
        if (!pooled(length) || length > maxPooledBytes) {
            return;
        }
        synchronized (this) {
            // Make room by dropping buffers of the least recently used lengths (a stream whose
            // heap size changed leaves its old size behind).
            Iterator<Map.Entry<Integer, ArrayDeque<byte[]>>> it =
                    pooledBytes + length > maxPooledBytes ? free.entrySet().iterator() : null;
            while (it != null && pooledBytes + length > maxPooledBytes && it.hasNext()) {
                Map.Entry<Integer, ArrayDeque<byte[]>> e = it.next();
                ArrayDeque<byte[]> q = e.getValue();
                while (!q.isEmpty() && pooledBytes + length > maxPooledBytes) {
                    pooledBytes -= q.pollFirst().length;
                }
                if (q.isEmpty()) {
                    it.remove();
                }
            }
            free.computeIfAbsent(length, l -> new ArrayDeque<>()).addLast(buffer);
            pooledBytes += length;
        }
    }

    /** Large buffers (humongous for G1) and heap payload chunks (many per heap) are worth pooling. */
    private static boolean pooled(int length) {
        return length >= MIN_POOLED_LENGTH || length == HeapPayload.CHUNK_BYTES;
    }

    /** Bytes held for reuse. */
    public synchronized long pooledBytes() {
        return pooledBytes;
    }
}
