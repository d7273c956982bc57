package org.rawstream.job.spead;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.rawstream.sources.net.SingletonTypeInfo;
import org.rawstream.sources.spead.HeapSequencer;
import org.rawstream.sources.spead.LiveHeapTable;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.source.DataCodecSerializer;

/** Explicit serializers and type information of the SPEAD records and keyed state. */
public final class SpeadSerializers {

    private SpeadSerializers() {
    }

    public static final SingletonTypeInfo<SpeadHeapRecord> HEAP_RECORD =
            new SingletonTypeInfo<>(SpeadHeapRecord.class, HeapRecordSerializer.INSTANCE);
    public static final SingletonTypeInfo<LiveHeapTable> LIVE_HEAP_TABLE =
            new SingletonTypeInfo<>(LiveHeapTable.class, LiveHeapTableSerializer.INSTANCE);
    public static final SingletonTypeInfo<HeapSequencer> HEAP_SEQUENCER =
            new SingletonTypeInfo<>(HeapSequencer.class, HeapSequencerSerializer.INSTANCE);

    /** {@link SpeadHeapRecord}: stream, substream, low watermark, heap flag, heap. Immutable. */
    public static final class HeapRecordSerializer extends DataCodecSerializer<SpeadHeapRecord> {
        private static final long serialVersionUID = 1L;
        public static final HeapRecordSerializer INSTANCE = new HeapRecordSerializer();

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public SpeadHeapRecord createInstance() {
            return new SpeadHeapRecord("", 0, Long.MAX_VALUE, null);
        }

        @Override
        public SpeadHeapRecord copy(SpeadHeapRecord from) {
            return from;
        }

        @Override
        public void serialize(SpeadHeapRecord r, DataOutputView out) throws IOException {
            out.writeUTF(r.stream());
            out.writeInt(r.substream());
            out.writeLong(r.lowWatermark());
            out.writeBoolean(r.heap() != null);
            if (r.heap() != null) {
                r.heap().writeTo(out);
            }
        }

        @Override
        public SpeadHeapRecord deserialize(DataInputView in) throws IOException {
            String stream = in.readUTF();
            int substream = in.readInt();
            long low = in.readLong();
            ReceivedHeap heap = in.readBoolean() ? ReceivedHeap.readFrom(in) : null;
            return new SpeadHeapRecord(stream, substream, low, heap);
        }

        @Override
        public TypeSerializerSnapshot<SpeadHeapRecord> snapshotConfiguration() {
            return new HeapRecordSnapshot();
        }
    }

    /** Snapshot of {@link HeapRecordSerializer}. */
    public static final class HeapRecordSnapshot extends SimpleTypeSerializerSnapshot<SpeadHeapRecord> {
        public HeapRecordSnapshot() {
            super(() -> HeapRecordSerializer.INSTANCE);
        }
    }

    /** Keyed state: a substream's live heaps. Mutable: copies are deep. */
    public static final class LiveHeapTableSerializer extends DataCodecSerializer<LiveHeapTable> {
        private static final long serialVersionUID = 1L;
        public static final LiveHeapTableSerializer INSTANCE = new LiveHeapTableSerializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public LiveHeapTable createInstance() {
            return new LiveHeapTable(org.rawstream.sources.spead.SpeadAssemblyConfig.defaults());
        }

        @Override
        public LiveHeapTable copy(LiveHeapTable from) {
            return from.copy();
        }

        @Override
        public void serialize(LiveHeapTable t, DataOutputView out) throws IOException {
            t.writeTo(out);
        }

        @Override
        public LiveHeapTable deserialize(DataInputView in) throws IOException {
            return LiveHeapTable.readFrom(in);
        }

        @Override
        public TypeSerializerSnapshot<LiveHeapTable> snapshotConfiguration() {
            return new LiveHeapTableSnapshot();
        }
    }

    /** Snapshot of {@link LiveHeapTableSerializer}. */
    public static final class LiveHeapTableSnapshot extends SimpleTypeSerializerSnapshot<LiveHeapTable> {
        public LiveHeapTableSnapshot() {
            super(() -> LiveHeapTableSerializer.INSTANCE);
        }
    }

    /** Keyed state: a stream's reorder buffer, descriptors and counter position. Mutable. */
    public static final class HeapSequencerSerializer extends DataCodecSerializer<HeapSequencer> {
        private static final long serialVersionUID = 1L;
        public static final HeapSequencerSerializer INSTANCE = new HeapSequencerSerializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public HeapSequencer createInstance() {
            return new HeapSequencer();
        }

        @Override
        public HeapSequencer copy(HeapSequencer from) {
            return from.copy();
        }

        @Override
        public void serialize(HeapSequencer s, DataOutputView out) throws IOException {
            s.writeTo(out);
        }

        @Override
        public HeapSequencer deserialize(DataInputView in) throws IOException {
            return HeapSequencer.readFrom(in);
        }

        @Override
        public TypeSerializerSnapshot<HeapSequencer> snapshotConfiguration() {
            return new HeapSequencerSnapshot();
        }
    }

    /** Snapshot of {@link HeapSequencerSerializer}. */
    public static final class HeapSequencerSnapshot extends SimpleTypeSerializerSnapshot<HeapSequencer> {
        public HeapSequencerSnapshot() {
            super(() -> HeapSequencerSerializer.INSTANCE);
        }
    }
}
