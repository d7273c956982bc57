package org.rawstream.sinks.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.rawstream.sinks.rawhdf5.MessageBatch;

/** Ownership: an owned message is valid for ever, a leased one until its producer releases it. */
class RawMessageTest {

    /** Writes 0, 1, 2, ... on demand, as a heap encodes itself. */
    private static RawMessage.Body counting(int length) {
        return new RawMessage.Body() {
            @Override
            public int length() {
                return length;
            }

            @Override
            public void writeTo(ByteBuffer dst) {
                for (int i = 0; i < length; i++) {
                    dst.put((byte) i);
                }
            }
        };
    }

    @Test
    void leasedMessageIsWrittenIntoTheBatchAndUnreadableAfterRelease() {
        RawMessage m = RawMessage.lease("s", 3, counting(5));
        MessageBatch batch = new MessageBatch();
        batch.add(m.length(), m.ioGroup(), m::writeTo);
        assertThat(batch.message(0)).containsExactly(0, 1, 2, 3, 4);
        assertThat(batch.ioGroup(0)).isEqualTo(3);

        RawMessage kept = m.copy();
        m.release();
        assertThatThrownBy(m::length).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
        assertThatThrownBy(m::bytes).isInstanceOf(IllegalStateException.class);
        assertThat(kept.isLeased()).isFalse();
        assertThat(kept.bytes()).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void serializerCopiesLeasedMessagesAndSharesOwnedOnes() throws Exception {
        RawMessageSerializer ser = RawMessageSerializer.INSTANCE;
        assertThat(ser.isImmutableType()).isFalse();
        RawMessage owned = new RawMessage("s", 0, new byte[] {7});
        assertThat(ser.copy(owned)).isSameAs(owned);

        RawMessage leased = RawMessage.lease("s", 1, counting(3));
        RawMessage copy = ser.copy(leased);
        DataOutputSerializer out = new DataOutputSerializer(16);
        ser.serialize(leased, out);
        leased.release();
        assertThat(copy.bytes()).containsExactly(0, 1, 2);
        RawMessage back = ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(copy);
        assertThatThrownBy(() -> ser.serialize(leased, new DataOutputSerializer(16)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBodyThatWritesTheWrongLengthAddsNothing() {
        RawMessage.Body liar = new RawMessage.Body() {
            @Override
            public int length() {
                return 4;
            }

            @Override
            public void writeTo(ByteBuffer dst) {
                dst.put((byte) 1);
            }
        };
        MessageBatch batch = new MessageBatch();
        RawMessage m = RawMessage.lease("s", 0, liar);
        assertThatThrownBy(() -> batch.add(m.length(), m.ioGroup(), m::writeTo)).isInstanceOf(IllegalStateException.class);
        assertThat(batch.size()).isZero();
        assertThat(batch.payloadBytes()).isZero();
    }
}
