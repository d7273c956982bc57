package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rawstream.sources.spead.SpeadTestPackets.packet;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HeapPayloadPoolTest {

    @Test
    void reusesBuffersOfTheSameLengthWithinItsBound() {
        HeapPayloadPool pool = new HeapPayloadPool(3L * HeapPayloadPool.MIN_POOLED_LENGTH);
        byte[] a = pool.take(HeapPayloadPool.MIN_POOLED_LENGTH);
        pool.give(a);
        assertThat(pool.take(HeapPayloadPool.MIN_POOLED_LENGTH)).isSameAs(a);
        assertThat(pool.take(HeapPayloadPool.MIN_POOLED_LENGTH + 1)).hasSize(HeapPayloadPool.MIN_POOLED_LENGTH + 1);
        // Small buffers are plain allocations, never pooled.
        byte[] small = pool.take(100);
        pool.give(small);
        assertThat(pool.pooledBytes()).isZero();
        // The bound holds: the least recently used length makes room.
        for (int i = 0; i < 5; i++) {
            pool.give(new byte[HeapPayloadPool.MIN_POOLED_LENGTH]);
        }
        assertThat(pool.pooledBytes()).isEqualTo(3L * HeapPayloadPool.MIN_POOLED_LENGTH);
        pool.give(new byte[2 * HeapPayloadPool.MIN_POOLED_LENGTH]);
        assertThat(pool.pooledBytes()).isLessThanOrEqualTo(3L * HeapPayloadPool.MIN_POOLED_LENGTH);
        assertThat(pool.take(2 * HeapPayloadPool.MIN_POOLED_LENGTH)).hasSize(2 * HeapPayloadPool.MIN_POOLED_LENGTH);
    }

    /** A recycled chunk still holds an old heap's bytes: an incomplete heap must show zeros where nothing arrived. */
    @Test
    void incompleteHeapInARecycledBufferReadsZerosOutsideWhatArrived() {
        int size = HeapPayloadPool.MIN_POOLED_LENGTH;
        for (int k = 0; k < 2; k++) {
            byte[] dirty = new byte[HeapPayload.CHUNK_BYTES];
            Arrays.fill(dirty, (byte) 0x5A);
            HeapPayloadPool.shared().give(dirty);
        }

        SpeadAssemblyConfig config = SpeadAssemblyConfig.defaults();
        SpeadPacket p = new SpeadPacket();
        byte[] a = packet(9, size, 1000, 2000);
        assertThat(p.decodeDatagram(ByteBuffer.wrap(a), 0, a.length)).isTrue();
        LiveHeap heap = LiveHeap.open(p, 0);
        assertThat(heap.add(p, 0, config)).isEqualTo(LiveHeap.AddResult.ADDED);
        byte[] b = packet(9, size, 5000, 100);
        assertThat(p.decodeDatagram(ByteBuffer.wrap(b), 0, b.length)).isTrue();
        assertThat(heap.add(p, 0, config)).isEqualTo(LiveHeap.AddResult.ADDED);
        ReceivedHeap done = heap.freeze();
        assertThat(done.isComplete()).isFalse();
        ByteBuffer payload = done.payload();
        assertThat(payload.remaining()).isEqualTo(5100); // up to the end of what arrived
        for (int i = 0; i < payload.remaining(); i++) {
            boolean received = (i >= 1000 && i < 3000) || (i >= 5000 && i < 5100);
            byte expected = received ? (byte) i : 0;
            if (payload.get(i) != expected) {
                throw new AssertionError("byte " + i + ": " + payload.get(i) + " != " + expected);
            }
        }
        // Stored and released: the buffer is the pool's again, the heap is done with.
        byte[] stored = StoredHeapCodec.encode(done);
        done.release();
        assertThat(StoredHeapCodec.decode(stored).receivedRanges()).containsExactly(1000, 3000, 5000, 5100);
        assertThatThrownBy(done::payload).isInstanceOf(NullPointerException.class);
    }
}
