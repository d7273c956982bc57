package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class MessageBatchTest {

    @Test
    void growsKeepsOrderAndClears() {
        MessageBatch b = new MessageBatch(1, 1);
        for (int i = 0; i < 1000; i++) {
            b.add(new byte[i % 50], i % 256);
        }
        assertThat(b.size()).isEqualTo(1000);
        assertThat(b.length(49)).isEqualTo(49);
        assertThat(b.ioGroup(255)).isEqualTo(255);
        assertThat(b.payloadBytes()).isEqualTo(20 * (49 * 50 / 2));
        b.clear();
        assertThat(b.size()).isZero();
        assertThat(b.payloadBytes()).isZero();
    }

    @Test
    void copiesSlicesAndBufferRemainingWithoutMovingThePosition() {
        MessageBatch b = new MessageBatch();
        byte[] src = {1, 2, 3, 4, 5};
        b.add(src, 1, 3, 0);
        ByteBuffer buf = ByteBuffer.wrap(src);
        buf.position(3);
        b.add(buf, 255);
        src[1] = 9; // the batch holds copies
        assertThat(buf.position()).isEqualTo(3);
        assertThat(b.message(0)).containsExactly(2, 3, 4);
        assertThat(b.message(1)).containsExactly(4, 5);
        assertThat(b.ioGroup(1)).isEqualTo(255);
    }

    @Test
    void keepsEveryMessageWhenItsBufferGrows() {
        MessageBatch b = new MessageBatch(1, 1);
        for (int i = 0; i < 300; i++) {
            byte[] m = new byte[i];
            Arrays.fill(m, (byte) i);
            b.add(m, 0);
        }
        for (int i = 0; i < 300; i++) {
            byte[] expected = new byte[i];
            Arrays.fill(expected, (byte) i);
            assertThat(b.message(i)).isEqualTo(expected);
        }
        assertThat(b.data().isDirect()).isTrue();
    }
}
