package org.rawstream.sources.spead;

import java.util.ArrayDeque;
import java.util.Arrays;
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
 * Those chunks have a stack of their own (most recently returned first: still in the cache),
 * taken one by one and returned a heap at a time ({@link #giveChunks}); the other lengths are
 * kept by length, the least recently used length evicted first, chunks after them.
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
    /** Free {@link HeapPayload#CHUNK_BYTES} chunks, a stack: {@code chunks[0..chunkCount)}. */
    private byte[][] chunks = new byte[256][];
    private int chunkCount;

    HeapPayloadPool(long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
    }

    public static HeapPayloadPool shared() {
        return SHARED;
    }

    /** A buffer of exactly {@code length} bytes, contents undefined. */
    public byte[] take(int length) {
        if (length == HeapPayload.CHUNK_BYTES) {
            synchronized (this) {
                if (chunkCount > 0) {
                    byte[] c = chunks[--chunkCount];
                    chunks[chunkCount] = null;
                    pooledBytes -= length;
                    return c;
                }
            }
            return new byte[length];
        }
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
            if (length == HeapPayload.CHUNK_BYTES) {
                pushChunk(buffer);
                return;
            }
            makeRoom(length);
            free.computeIfAbsent(length, l -> new ArrayDeque<>()).addLast(buffer);
            pooledBytes += length;
        }
    }

    /**
     * Takes back the {@link HeapPayload#CHUNK_BYTES} arrays among {@code buffers[0..count)} (one
     * lock for a heap's chunks); other lengths are left to the garbage collector.
     */
    public void giveChunks(byte[][] buffers, int count) {
        synchronized (this) {
            for (int i = 0; i < count; i++) {
                if (buffers[i].length == HeapPayload.CHUNK_BYTES) {
                    pushChunk(buffers[i]);
                }
            }
        }
    }

    private void pushChunk(byte[] chunk) {
        if (pooledBytes + chunk.length > maxPooledBytes) {
            makeRoomFromOtherLengths(chunk.length);
            if (pooledBytes + chunk.length > maxPooledBytes) {
                return; // full of chunks: this one goes to the garbage collector
            }
        }
        if (chunkCount == chunks.length) {
            chunks = Arrays.copyOf(chunks, 2 * chunkCount);
        }
        chunks[chunkCount++] = chunk;
        pooledBytes += chunk.length;
    }

    /** Drops buffers of the least recently used lengths, then chunks, until {@code length} more fit. */
    private void makeRoom(int length) {
        makeRoomFromOtherLengths(length);
        while (chunkCount > 0 && pooledBytes + length > maxPooledBytes) {
            chunks[--chunkCount] = null;
            pooledBytes -= HeapPayload.CHUNK_BYTES;
        }
    }

    /**
     * Drops buffers of the least recently used lengths (a stream whose heap size changed leaves
     * its old size behind) until {@code length} more fit or only chunks are left.
     */
    private void makeRoomFromOtherLengths(int length) {
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
