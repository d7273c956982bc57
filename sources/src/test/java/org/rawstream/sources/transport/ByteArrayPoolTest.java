package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteArrayPoolTest {

    @Test
    void takesFromTheRightSizeClassLastInFirstOut() {
        ByteArrayPool pool = new ByteArrayPool(9000, 1 << 20);
        byte[] a = pool.take(8972);
        assertThat(a.length).isBetween(8972, 8972 + ByteArrayPool.GRANULE - 1);
        byte[] b = pool.take(8972);
        pool.give(a);
        pool.give(b);
        assertThat(pool.take(8900)).isSameAs(b); // same class, most recently given first
        assertThat(pool.take(8972)).isSameAs(a);
        assertThat(pool.take(100)).hasSize(ByteArrayPool.GRANULE);
        assertThat(pool.take(0)).hasSize(ByteArrayPool.GRANULE);
    }

    @Test
    void staysWithinItsBoundAndIgnoresForeignArrays() {
        ByteArrayPool pool = new ByteArrayPool(65536, 4 * 9216);
        for (int i = 0; i < 10; i++) {
            pool.give(pool.take(9000));
            pool.give(new byte[9216]);
        }
        assertThat(pool.pooledBytes()).isLessThanOrEqualTo(4 * 9216);
        pool.give(new byte[1000]); // not a size class
        pool.give(new byte[1 << 20]); // beyond the longest pooled
        assertThat(pool.pooledBytes()).isLessThanOrEqualTo(4 * 9216);
        assertThat(pool.take(1 << 20)).hasSize(1 << 20);
    }
}
