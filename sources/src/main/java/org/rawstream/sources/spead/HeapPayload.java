package org.rawstream.sources.spead;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A heap's payload as fixed-size chunks, each allocated when the first byte addressed to it
 * arrives. Memory therefore follows what a sender actually sent, never what its HEAP_SIZE
 * claims. Chunks are sparse (a sorted index of chunk numbers), so a packet at a high offset does
 * not allocate what lies below it. A first packet shorter than a chunk is held in an array of
 * exactly its length and moved into chunks when a second packet arrives: a heap that never gets
 * a second packet — a one-byte packet claiming 16 MiB — costs its byte and bookkeeping only. A
 * first packet of a chunk or more goes straight into the chunks it covers (its length plus at
 * most 16 KiB of chunk ends, charged before they are allocated): staging it would allocate and
 * copy every full heap's first packet once more.
 *
 * <p>Full-size chunks come from {@link HeapPayloadPool} and go back on {@link #release()}; their
 * old contents are undefined, so readers must only read received ranges (the owner knows them).
 * After {@link #shareCopy()} the chunks are shared with a state snapshot and are left to the
 * garbage collector instead of the pool (the snapshot may still be reading them). Received bytes
 * are never written again (overlapping packets are duplicates), which is what makes the sharing
 * safe: the live heap only writes into ranges the snapshot does not read.
 */
public final class HeapPayload {
    /** Bytes per chunk: small enough that a one-packet heap costs little, large enough to pool. */
    public static final int CHUNK_BYTES = 8192;
    private static final int CHUNK_SHIFT = 13;
    /** Bookkeeping of the object and its index arrays when empty. */
    static final int BASE_BYTES = 64 + 2 * 32;

    private int[] index = new int[4];
    private byte[][] chunks = new byte[4][];
    private int count;
    private long chunkBytes;
    private boolean shared;
    /** Position in {@link #index} of the chunk used last (writes are mostly in order). */
    private int last;
    /** The first write, held exactly until the second (then {@link #count} is 0). */
    private byte[] first;
    private long firstOffset;

    /** Bytes of new chunks a write of {@code [offset, offset + length)} would allocate. */
    long bytesToAdd(long offset, int length, long heapSize) {
        if (length <= 0) {
            return 0;
        }
        if (stages(length)) {
            return length + 16L;
        }
        int from = (int) (offset >>> CHUNK_SHIFT);
        int to = (int) ((offset + length - 1) >>> CHUNK_SHIFT);
        long add = newChunkBytes(from, to, heapSize, -1, -2);
        if (first != null) {
            // The staged bytes move into chunks too (the ones this write does not allocate).
            int f0 = (int) (firstOffset >>> CHUNK_SHIFT);
            int f1 = (int) ((firstOffset + first.length - 1) >>> CHUNK_SHIFT);
            add += newChunkBytes(f0, f1, heapSize, from, to) - first.length - 16L;
        }
        return add;
    }

    /** Bytes of the chunks {@code from..to} not allocated yet, leaving out {@code skipFrom..skipTo}. */
    private long newChunkBytes(int from, int to, long heapSize, int skipFrom, int skipTo) {
        long add = 0;
        for (int c = from; c <= to; c++) {
            if ((c < skipFrom || c > skipTo) && find(c) < 0) {
                add += chunkLength(c, heapSize) + 12L; // the chunk, its index entry and reference
            }
        }
        return add;
    }

    /** Whether a write of {@code length} bytes would be the staged first one. */
    private boolean stages(int length) {
        return count == 0 && first == null && length < CHUNK_BYTES;
    }

    /** Copies {@code length} bytes at {@code srcPos} of {@code src} to heap offset {@code offset}. */
    void write(ByteBuffer src, int srcPos, long offset, int length, long heapSize) {
        if (length <= 0) {
            return;
        }
        if (stages(length)) {
            first = new byte[length];
            src.get(srcPos, first, 0, length);
            firstOffset = offset;
            chunkBytes += length;
            return;
        }
        if (first != null) {
            byte[] f = first;
            first = null;
            chunkBytes -= f.length;
            writeChunks(ByteBuffer.wrap(f), 0, firstOffset, f.length, heapSize);
        }
        writeChunks(src, srcPos, offset, length, heapSize);
    }

    private void writeChunks(ByteBuffer src, int srcPos, long offset, int length, long heapSize) {
        int pos = srcPos;
        long at = offset;
        long end = offset + length;
        while (at < end) {
            int c = (int) (at >>> CHUNK_SHIFT);
            byte[] chunk = chunkForWrite(c, heapSize);
            int in = (int) (at - ((long) c << CHUNK_SHIFT));
            int n = (int) Math.min(end - at, chunk.length - in);
            src.get(pos, chunk, in, n);
            pos += n;
            at += n;
        }
    }

    /** Copies {@code length} bytes from heap offset {@code offset} into {@code dst} (absent chunks read as zeros). */
    public void read(long offset, byte[] dst, int dstPos, int length) {
        if (first != null) {
            Arrays.fill(dst, dstPos, dstPos + length, (byte) 0);
            long a = Math.max(offset, firstOffset);
            long b = Math.min(offset + length, firstOffset + first.length);
            if (a < b) {
                System.arraycopy(first, (int) (a - firstOffset), dst, dstPos + (int) (a - offset), (int) (b - a));
            }
            return;
        }
        long at = offset;
        long end = offset + length;
        int pos = dstPos;
        while (at < end) {
            int c = (int) (at >>> CHUNK_SHIFT);
            int in = (int) (at - ((long) c << CHUNK_SHIFT));
            int n = (int) Math.min(end - at, CHUNK_BYTES - in);
            int i = find(c);
            if (i >= 0) {
                byte[] chunk = chunks[i];
                int have = Math.max(0, Math.min(n, chunk.length - in));
                System.arraycopy(chunk, in, dst, pos, have);
                Arrays.fill(dst, pos + have, pos + n, (byte) 0);
            } else {
                Arrays.fill(dst, pos, pos + n, (byte) 0);
            }
            pos += n;
            at += n;
        }
    }

    /** Puts {@code length} bytes from heap offset {@code offset} at the position of {@code dst}. */
    public void read(long offset, ByteBuffer dst, int length) {
        if (first != null) {
            long end = offset + length;
            long firstEnd = firstOffset + first.length;
            for (long at = offset; at < end; ) {
                if (at >= firstOffset && at < firstEnd) {
                    int n = (int) (Math.min(end, firstEnd) - at);
                    dst.put(first, (int) (at - firstOffset), n);
                    at += n;
                } else {
                    dst.put((byte) 0);
                    at++;
                }
            }
            return;
        }
        long at = offset;
        long end = offset + length;
        while (at < end) {
            int c = (int) (at >>> CHUNK_SHIFT);
            int in = (int) (at - ((long) c << CHUNK_SHIFT));
            int n = (int) Math.min(end - at, CHUNK_BYTES - in);
            int i = find(c);
            byte[] chunk = i >= 0 ? chunks[i] : null;
            int have = chunk == null ? 0 : Math.max(0, Math.min(n, chunk.length - in));
            if (have > 0) {
                dst.put(chunk, in, have);
            }
            for (int k = have; k < n; k++) {
                dst.put((byte) 0);
            }
            at += n;
        }
    }

    private static int chunkLength(int c, long heapSize) {
        if (heapSize < 0) {
            return CHUNK_BYTES;
        }
        return (int) Math.max(1, Math.min(CHUNK_BYTES, heapSize - ((long) c << CHUNK_SHIFT)));
    }

    private byte[] chunkForWrite(int c, long heapSize) {
        int i = find(c);
        if (i >= 0) {
            return chunks[i];
        }
        int length = chunkLength(c, heapSize);
        byte[] chunk = length == CHUNK_BYTES ? HeapPayloadPool.shared().take(CHUNK_BYTES) : new byte[length];
        int at = -i - 1;
        if (count == index.length) {
            index = Arrays.copyOf(index, 2 * count);
            chunks = Arrays.copyOf(chunks, 2 * count);
        }
        System.arraycopy(index, at, index, at + 1, count - at);
        System.arraycopy(chunks, at, chunks, at + 1, count - at);
        index[at] = c;
        chunks[at] = chunk;
        count++;
        chunkBytes += length;
        last = at;
        return chunk;
    }

    /** Position of chunk {@code c} in the index, or {@code -(insertion point) - 1}. */
    private int find(int c) {
        if (last < count && index[last] == c) {
            return last;
        }
        if (last + 1 < count && index[last + 1] == c) {
            return ++last;
        }
        int i = Arrays.binarySearch(index, 0, count, c);
        if (i >= 0) {
            last = i;
        }
        return i;
    }

    /** Memory held: chunks and index. */
    public long retainedBytes() {
        return chunkBytes + 12L * index.length + BASE_BYTES;
    }

    /** Bytes of allocated chunks. */
    public long chunkBytes() {
        return chunkBytes;
    }

    /**
     * A second payload over the same chunks, for a state snapshot's copy: from now on neither
     * returns them to the pool. Only received ranges may be read through the copy.
     */
    HeapPayload shareCopy() {
        shared = true;
        HeapPayload c = new HeapPayload();
        c.index = Arrays.copyOf(index, Math.max(4, count));
        c.chunks = Arrays.copyOf(chunks, Math.max(4, count));
        c.count = count;
        c.chunkBytes = chunkBytes;
        c.first = first; // never written again: the live side moves it into chunks, not in place
        c.firstOffset = firstOffset;
        c.shared = true;
        return c;
    }

    /** The chunks are shared with a state snapshot's copy. */
    boolean isShared() {
        return shared;
    }

    /** Returns unshared full-size chunks to the pool; the payload is empty afterwards. */
    public void release() {
        if (!shared && count > 0) {
            HeapPayloadPool.shared().giveChunks(chunks, count);
        }
        Arrays.fill(chunks, 0, count, null);
        first = null;
        count = 0;
        chunkBytes = 0;
        last = 0;
    }
}
