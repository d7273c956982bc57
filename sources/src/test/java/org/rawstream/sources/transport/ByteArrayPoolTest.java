package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ByteArrayPoolTest {

    @Test
    void takesFromTheRightSizeClassLastInFirstOut() {
        ByteArrayPool pool = new ByteArrayPool(9000, 1 << 20);
        ByteBuffer a = pool.take(8972);
        assertThat(a.array().length).isBetween(8972, 8972 + ByteArrayPool.GRANULE - 1);
        assertThat(a.position()).isZero();
        assertThat(a.limit()).isEqualTo(a.array().length);
        ByteBuffer b = pool.take(8972);
        pool.give(a);
        pool.give(b);
        assertThat(pool.take(8900)).isSameAs(b); // same class, most recently given first
        assertThat(pool.take(8972)).isSameAs(a);
        assertThat(pool.take(100).capacity()).isEqualTo(ByteArrayPool.GRANULE);
        assertThat(pool.take(0).capacity()).isEqualTo(ByteArrayPool.GRANULE);
    }

    @Test
    void aBufferComesBackWithItsPositionLimitAndOrderReset() {
        ByteArrayPool pool = new ByteArrayPool(9000, 1 << 20);
        ByteBuffer a = pool.take(2000);
        a.position(10).limit(20);
        a.order(ByteOrder.LITTLE_ENDIAN);
        pool.give(a);
        ByteBuffer again = pool.take(2000);
        assertThat(again).isSameAs(a);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(again.capacity());
        assertThat(again.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
    }

    @Test
    void staysWithinItsBoundAndIgnoresForeignBuffers() {
        ByteArrayPool pool = new ByteArrayPool(65536, 4 * 9216);
        for (int i = 0; i < 10; i++) {
            pool.give(pool.take(9000));
            pool.give(ByteBuffer.wrap(new byte[9216]));
        }
        assertThat(pool.pooledBytes()).isLessThanOrEqualTo(4 * 9216);
        pool.give(ByteBuffer.wrap(new byte[1000])); // not a size class
        pool.give(ByteBuffer.wrap(new byte[1 << 20])); // beyond the longest pooled
        pool.give(ByteBuffer.allocateDirect(9216)); // no array
        pool.give(ByteBuffer.wrap(new byte[2 * 9216], 0, 9216).slice()); // a view of part of an array
        assertThat(pool.pooledBytes()).isLessThanOrEqualTo(4 * 9216);
        assertThat(pool.take(1 << 20).capacity()).isEqualTo(1 << 20);
    }
}
