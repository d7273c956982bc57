package org.rawstream.sources.spead.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.rawstream.core.state.VersionedSerializer;
import org.rawstream.core.state.VersionedSerializerSnapshot;
import org.rawstream.sources.spead.InvalidPacketReason;

/**
 * Explicit serializer of {@link SpeadPacketRecord}: stream (UTF), substream, length (negative: an
 * end-of-stream marker, an invalid-packet notice then its reason, a shed notice then its heaps and
 * packets, or a gap notice), bytes.
 */
public final class SpeadPacketRecordSerializer extends VersionedSerializer<SpeadPacketRecord> {
    private static final long serialVersionUID = 1L;

    public static final SpeadPacketRecordSerializer INSTANCE = new SpeadPacketRecordSerializer();

    private SpeadPacketRecordSerializer() {
    }

    @Override
    public String stateName() {
        return "SPEAD packet record";
    }

    @Override
    public int currentFormat() {
        return 0;
    }

    @Override
    public boolean isImmutableType() {
        // A pooled record's bytes go back to the decoder's pool once the source has emitted it
        // (PooledRecord): copies of those are real. Owned records never change.
        return false;
    }

    /** Lent packets are written through it (a shuffle serializes on the task thread). */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[8192]);

    @Override
    public SpeadPacketRecord createInstance() {
        return SpeadPacketRecord.endOfStream("", 0);
    }

    @Override
    public SpeadPacketRecord copy(SpeadPacketRecord from) {
        return from.ownedCopy();
    }

    @Override
    public void serialize(SpeadPacketRecord record, DataOutputView target) throws IOException {
        target.writeUTF(record.stream());
        target.writeInt(record.substream());
        int length = record.length();
        target.writeInt(length);
        if (length >= 0) {
            writePacket(record, target);
        } else if (record.isInvalidNotice()) {
            target.writeByte(record.invalidReason().ordinal());
        } else if (record.isShedNotice()) {
            target.writeInt(record.shedHeaps());
            target.writeInt(record.shedPackets());
        }
    }

    /** A pooled array's bytes in one write; lent (direct) memory through a small per-thread array. */
    private static void writePacket(SpeadPacketRecord record, DataOutputView target) throws IOException {
        ByteBuffer b = record.buffer();
        if (b.hasArray()) {
            target.write(b.array(), b.arrayOffset() + record.start(), record.length());
            return;
        }
        byte[] scratch = SCRATCH.get();
        for (int at = 0; at < record.length(); at += scratch.length) {
            int n = Math.min(scratch.length, record.length() - at);
            b.get(record.start() + at, scratch, 0, n);
            target.write(scratch, 0, n);
        }
    }

    @Override
    public SpeadPacketRecord deserialize(int format, DataInputView source) throws IOException {
        String stream = source.readUTF();
        int substream = source.readInt();
        int length = source.readInt();
        if (length == SpeadPacketRecord.INVALID_NOTICE_LENGTH) {
            InvalidPacketReason reason = InvalidPacketReason.values()[source.readUnsignedByte()];
            return SpeadPacketRecord.invalid(stream, substream, SpeadPacketRecord.keyOf(stream, substream), reason);
        }
        if (length == SpeadPacketRecord.SHED_NOTICE_LENGTH) {
            int heaps = source.readInt();
            return SpeadPacketRecord.shed(stream, substream, SpeadPacketRecord.keyOf(stream, substream), heaps,
                    source.readInt());
        }
        if (length == SpeadPacketRecord.GAP_NOTICE_LENGTH) {
            return SpeadPacketRecord.gap(stream, substream, SpeadPacketRecord.keyOf(stream, substream));
        }
        if (length < 0) {
            return SpeadPacketRecord.endOfStream(stream, substream);
        }
        byte[] b = new byte[length];
        source.readFully(b);
        return SpeadPacketRecord.packet(stream, substream, b);
    }

    @Override
    public VersionedSerializerSnapshot<SpeadPacketRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the stateless serializer; its class name is in savepoints since the first release. */
    public static final class Snapshot extends VersionedSerializerSnapshot<SpeadPacketRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
