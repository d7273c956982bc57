package org.rawstream.sources.spead.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.rawstream.sources.spead.InvalidPacketReason;
import org.rawstream.sources.transport.ByteArrayPool;

class SpeadPacketRecordTest {

    private static SpeadPacketRecord roundTrip(SpeadPacketRecord r) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SpeadPacketRecordSerializer.INSTANCE.serialize(r, out);
        return SpeadPacketRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void pooledPacketSerializesItsLengthOnlyAndGoesBackToThePoolOnRelease() throws Exception {
        ByteArrayPool pool = new ByteArrayPool(2048, 1 << 20);
        ByteBuffer buffer = pool.take(5);
        byte[] array = buffer.array();
        System.arraycopy(new byte[] {1, 2, 3, 4, 5}, 0, array, 0, 5);
        SpeadPacketRecord r = SpeadPacketRecord.pooled("s", 1, SpeadPacketRecord.keyOf("s", 1), buffer, 5, pool);
        assertThat(r.buffer()).isSameAs(buffer); // the pool's own buffer: nothing wrapped per packet
        assertThat(r.buffer().array()).isSameAs(array);
        assertThat(r.start()).isZero();
        SpeadPacketRecord back = roundTrip(r);
        // The serializer's copy owns its bytes: it outlives the pooled record (not immutable).
        SpeadPacketRecordSerializer ser = SpeadPacketRecordSerializer.INSTANCE;
        assertThat(ser.isImmutableType()).isFalse();
        SpeadPacketRecord kept = ser.copy(r);
        assertThat(kept).isNotSameAs(r);
        assertThat(ser.copy(kept)).isSameAs(kept);
        assertThat(back.length()).isEqualTo(5);
        assertThat(back.toByteArray()).containsExactly(1, 2, 3, 4, 5);
        assertThat(back.assemblyKey()).isEqualTo("s|1");
        r.release();
        assertThat(pool.pooledBytes()).isEqualTo(array.length);
        assertThatThrownBy(r::toByteArray).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(r::buffer).isInstanceOf(IllegalStateException.class);
        assertThat(pool.take(5)).isSameAs(buffer); // the buffer comes back with its array
        array[0] = 9; // the pool hands the array out again
        assertThat(kept.toByteArray()).startsWith(1, 2, 3, 4, 5);
        assertThat(kept.assemblyKey()).isEqualTo("s|1");
        r.release(); // idempotent
        assertThat(pool.pooledBytes()).isZero(); // taken again above, not given back twice
    }

    @Test
    void endOfStreamShedGapAndInvalidNoticesRoundTrip() throws Exception {
        SpeadPacketRecord end = roundTrip(SpeadPacketRecord.endOfStream("s", 2));
        assertThat(end.isEndOfStream()).isTrue();
        assertThat(end.isInvalidNotice()).isFalse();
        assertThat(end.substream()).isEqualTo(2);
        SpeadPacketRecord invalid = roundTrip(SpeadPacketRecord.invalid("s", 0, "s|0", InvalidPacketReason.BAD_MAGIC));
        assertThat(invalid.isInvalidNotice()).isTrue();
        assertThat(invalid.isEndOfStream()).isFalse();
        assertThat(invalid.invalidReason()).isEqualTo(InvalidPacketReason.BAD_MAGIC);
        assertThat(invalid.assemblyKey()).isEqualTo("s|0");
        SpeadPacketRecord shed = roundTrip(SpeadPacketRecord.shed("s", 1, "s|1", 3, 40));
        assertThat(shed.isShedNotice()).isTrue();
        assertThat(shed.isEndOfStream() || shed.isGapNotice()).isFalse();
        assertThat(shed.shedHeaps()).isEqualTo(3);
        assertThat(shed.shedPackets()).isEqualTo(40);
        SpeadPacketRecord gap = roundTrip(SpeadPacketRecord.gap("s", 1, "s|1"));
        assertThat(gap.isGapNotice()).isTrue();
        assertThat(gap.isEndOfStream() || gap.isShedNotice() || gap.isInvalidNotice()).isFalse();
        assertThat(gap.assemblyKey()).isEqualTo("s|1");
    }
}
