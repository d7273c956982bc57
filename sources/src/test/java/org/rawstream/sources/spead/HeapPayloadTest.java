package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A heap's payload: what a first packet costs, what each write predicts and allocates, what reads back. */
class HeapPayloadTest {

    private static final long HEAP = 1L << 20;
    private static final long CHUNK_COST = HeapPayload.CHUNK_BYTES + 12L; // a chunk, its index entry and reference

    private static ByteBuffer bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + 31 * i);
        }
        return ByteBuffer.wrap(b);
    }

    private static void write(HeapPayload payload, long offset, ByteBuffer src) {
        payload.write(src, 0, offset, src.capacity(), HEAP);
    }

    private static byte[] read(HeapPayload payload, long offset, int length) {
        byte[] out = new byte[length];
        payload.read(offset, out, 0, length);
        return out;
    }

    @Test
    void aFirstPacketShorterThanAChunkIsHeldExactly() {
        HeapPayload payload = new HeapPayload();
        ByteBuffer first = bytes(100, 1);
        assertThat(payload.bytesToAdd(5000, 100, HEAP)).isEqualTo(100 + 16L);
        write(payload, 5000, first);
        assertThat(payload.chunkBytes()).isEqualTo(100);
        assertThat(read(payload, 5000, 100)).isEqualTo(first.array());
        // The second packet moves it into the chunks: the one it covers and the first one's.
        ByteBuffer second = bytes(200, 2);
        assertThat(payload.bytesToAdd(9000, 200, HEAP)).isEqualTo(2 * CHUNK_COST - 100 - 16);
        write(payload, 9000, second);
        assertThat(payload.chunkBytes()).isEqualTo(2L * HeapPayload.CHUNK_BYTES);
        assertThat(read(payload, 5000, 100)).isEqualTo(first.array());
        assertThat(read(payload, 9000, 200)).isEqualTo(second.array());
        payload.release();
    }

    @Test
    void aFirstPacketOfAChunkOrMoreGoesStraightIntoChunks() {
        HeapPayload payload = new HeapPayload();
        // A jumbo packet's payload at the heap's start: the two chunks it covers, no staging copy.
        ByteBuffer first = bytes(8900, 3);
        assertThat(payload.bytesToAdd(0, 8900, HEAP)).isEqualTo(2 * CHUNK_COST);
        write(payload, 0, first);
        assertThat(payload.chunkBytes()).isEqualTo(2L * HeapPayload.CHUNK_BYTES);
        // The next packet shares the second chunk and opens the third.
        ByteBuffer second = bytes(8900, 4);
        assertThat(payload.bytesToAdd(8900, 8900, HEAP)).isEqualTo(CHUNK_COST);
        write(payload, 8900, second);
        assertThat(payload.chunkBytes()).isEqualTo(3L * HeapPayload.CHUNK_BYTES);
        assertThat(read(payload, 0, 8900)).isEqualTo(first.array());
        assertThat(read(payload, 8900, 8900)).isEqualTo(second.array());
        // Never received: reads as zeros.
        assertThat(read(payload, 17800, 100)).containsOnly(0);
        payload.release();
        assertThat(payload.chunkBytes()).isZero();
    }
}
