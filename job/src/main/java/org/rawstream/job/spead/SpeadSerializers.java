package org.rawstream.job.spead;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.rawstream.core.state.VersionedSerializer;
import org.rawstream.core.state.VersionedSerializerSnapshot;
import org.rawstream.core.types.SingletonTypeInfo;
import org.rawstream.sources.spead.HeapSequencer;
import org.rawstream.sources.spead.LiveHeap;
import org.rawstream.sources.spead.LiveHeapTable;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SubstreamHeaps;

/**
 * Explicit, versioned serializers and type information of the SPEAD records and keyed state
 * (formats: {@code org.rawstream.core.state}). Snapshot class names are part of the savepoint
 * format: never rename them.
 */
public final class SpeadSerializers {

    private SpeadSerializers() {
    }

    public static final SingletonTypeInfo<SpeadHeapRecord> HEAP_RECORD =
            new SingletonTypeInfo<>(SpeadHeapRecord.class, HeapRecordSerializer.INSTANCE);
    /** Legacy keyed state {@code live-heaps} (format of a6d257e): read once and moved, never written. */
    public static final SingletonTypeInfo<LiveHeapTable> LIVE_HEAP_TABLE =
            new SingletonTypeInfo<>(LiveHeapTable.class, LiveHeapTableSerializer.INSTANCE);
    public static final SingletonTypeInfo<HeapSequencer> HEAP_SEQUENCER =
            new SingletonTypeInfo<>(HeapSequencer.class, HeapSequencerSerializer.INSTANCE);
    /** A live heap's bookkeeping (detached: its payload is in pieces). */
    public static final SingletonTypeInfo<LiveHeap> LIVE_HEAP = new SingletonTypeInfo<>(LiveHeap.class, LiveHeapSerializer.INSTANCE);
    public static final SingletonTypeInfo<SubstreamHeaps> SUBSTREAM_HEAPS =
            new SingletonTypeInfo<>(SubstreamHeaps.class, SubstreamHeapsSerializer.INSTANCE);
    /** A payload piece: immutable bytes. */
    public static final SingletonTypeInfo<byte[]> PAYLOAD_PIECE = new SingletonTypeInfo<>(byte[].class, PayloadPieceSerializer.INSTANCE);
    /** Key of a payload piece: (heap counter, heap offset). */
    public static final TypeInformation<Tuple2<Long, Long>> PIECE_KEY = Types.TUPLE(Types.LONG, Types.LONG);

    /**
     * The SPEAD serializers' common part: the name, format range and mutability are constants of
     * each; a mutable value's copy is its own {@code copy()}, an immutable one is shared.
     */
    abstract static class SpeadSerializer<T> extends VersionedSerializer<T> {
        private static final long serialVersionUID = 1L;
        private final String name;
        private final int format;
        private final int oldest;
        private final boolean immutable;

        SpeadSerializer(String name, int format, int oldest, boolean immutable) {
            this.name = name;
            this.format = format;
            this.oldest = oldest;
            this.immutable = immutable;
        }

        @Override
        public String stateName() {
            return name;
        }

        @Override
        public int currentFormat() {
            return format;
        }

        @Override
        public int oldestReadableFormat() {
            return oldest;
        }

        @Override
        public boolean isImmutableType() {
            return immutable;
        }

        @Override
        public T createInstance() {
            return null;
        }
    }

    /** {@link SpeadHeapRecord}: stream, substream, low watermark, heap flag, heap. Immutable. Format 0. */
    public static final class HeapRecordSerializer extends SpeadSerializer<SpeadHeapRecord> {
        private static final long serialVersionUID = 1L;
        public static final HeapRecordSerializer INSTANCE = new HeapRecordSerializer();

        public HeapRecordSerializer() {
            super("SPEAD heap record", 0, 0, true);
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
        public SpeadHeapRecord deserialize(int format, DataInputView in) throws IOException {
            String stream = in.readUTF();
            int substream = in.readInt();
            long low = in.readLong();
            ReceivedHeap heap = in.readBoolean() ? ReceivedHeap.readFrom(in) : null;
            return new SpeadHeapRecord(stream, substream, low, heap);
        }

        @Override
        public VersionedSerializerSnapshot<SpeadHeapRecord> snapshotConfiguration() {
            return new HeapRecordSnapshot();
        }
    }

    /** Snapshot of {@link HeapRecordSerializer}. */
    public static final class HeapRecordSnapshot extends VersionedSerializerSnapshot<SpeadHeapRecord> {
        public HeapRecordSnapshot() {
            super(() -> HeapRecordSerializer.INSTANCE);
        }
    }

    /** Legacy keyed state: a substream's live heaps in one value (format 0, a6d257e). Mutable. */
    public static final class LiveHeapTableSerializer extends SpeadSerializer<LiveHeapTable> {
        private static final long serialVersionUID = 1L;
        public static final LiveHeapTableSerializer INSTANCE = new LiveHeapTableSerializer();

        public LiveHeapTableSerializer() {
            super("SPEAD live-heap table (legacy live-heaps state)", 0, 0, false);
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
        public LiveHeapTable deserialize(int format, DataInputView in) throws IOException {
            return LiveHeapTable.readFrom(in);
        }

        @Override
        public VersionedSerializerSnapshot<LiveHeapTable> snapshotConfiguration() {
            return new LiveHeapTableSnapshot();
        }
    }

    /** Snapshot of {@link LiveHeapTableSerializer}. */
    public static final class LiveHeapTableSnapshot extends VersionedSerializerSnapshot<LiveHeapTable> {
        public LiveHeapTableSnapshot() {
            super(() -> LiveHeapTableSerializer.INSTANCE);
        }
    }

    /**
     * Keyed state: a stream's reorder buffer and counter position. Mutable. Format 1; format 0
     * (a6d257e) also held the stream's descriptors, skipped when read.
     */
    public static final class HeapSequencerSerializer extends SpeadSerializer<HeapSequencer> {
        private static final long serialVersionUID = 1L;
        public static final HeapSequencerSerializer INSTANCE = new HeapSequencerSerializer();

        public HeapSequencerSerializer() {
            super("SPEAD heap sequencer", HeapSequencer.FORMAT, 0, false);
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
        public HeapSequencer deserialize(int format, DataInputView in) throws IOException {
            return HeapSequencer.readFrom(in, format);
        }

        @Override
        public VersionedSerializerSnapshot<HeapSequencer> snapshotConfiguration() {
            return new HeapSequencerSnapshot();
        }
    }

    /** Snapshot of {@link HeapSequencerSerializer}. */
    public static final class HeapSequencerSnapshot extends VersionedSerializerSnapshot<HeapSequencer> {
        public HeapSequencerSnapshot() {
            super(() -> HeapSequencerSerializer.INSTANCE);
        }
    }

    /** Keyed map state value: a live heap's bookkeeping (detached). Mutable. Format 0. */
    public static final class LiveHeapSerializer extends SpeadSerializer<LiveHeap> {
        private static final long serialVersionUID = 1L;
        public static final LiveHeapSerializer INSTANCE = new LiveHeapSerializer();

        public LiveHeapSerializer() {
            super("SPEAD live heap", 0, 0, false);
        }

        @Override
        public LiveHeap copy(LiveHeap from) {
            return from.copy();
        }

        @Override
        public void serialize(LiveHeap h, DataOutputView out) throws IOException {
            h.writeDetached(out);
        }

        @Override
        public LiveHeap deserialize(int format, DataInputView in) throws IOException {
            return LiveHeap.readDetached(in);
        }

        @Override
        public VersionedSerializerSnapshot<LiveHeap> snapshotConfiguration() {
            return new LiveHeapSnapshot();
        }
    }

    /** Snapshot of {@link LiveHeapSerializer}. */
    public static final class LiveHeapSnapshot extends VersionedSerializerSnapshot<LiveHeap> {
        public LiveHeapSnapshot() {
            super(() -> LiveHeapSerializer.INSTANCE);
        }
    }

    /** Keyed state: a substream's live heap counters and recent heap counters. Mutable. Format 0. */
    public static final class SubstreamHeapsSerializer extends SpeadSerializer<SubstreamHeaps> {
        private static final long serialVersionUID = 1L;
        public static final SubstreamHeapsSerializer INSTANCE = new SubstreamHeapsSerializer();

        public SubstreamHeapsSerializer() {
            super("SPEAD substream heaps", 0, 0, false);
        }

        @Override
        public SubstreamHeaps copy(SubstreamHeaps from) {
            return from.copy();
        }

        @Override
        public void serialize(SubstreamHeaps s, DataOutputView out) throws IOException {
            s.writeTo(out);
        }

        @Override
        public SubstreamHeaps deserialize(int format, DataInputView in) throws IOException {
            return SubstreamHeaps.readFrom(in);
        }

        @Override
        public VersionedSerializerSnapshot<SubstreamHeaps> snapshotConfiguration() {
            return new SubstreamHeapsSnapshot();
        }
    }

    /** Snapshot of {@link SubstreamHeapsSerializer}. */
    public static final class SubstreamHeapsSnapshot extends VersionedSerializerSnapshot<SubstreamHeaps> {
        public SubstreamHeapsSnapshot() {
            super(() -> SubstreamHeapsSerializer.INSTANCE);
        }
    }

    /**
     * Keyed map state value: one packet's payload. Immutable (a piece is never written after it
     * is stored), so the heap backend's copy-on-write snapshots share pieces instead of copying
     * them. Format 0: length, bytes.
     */
    public static final class PayloadPieceSerializer extends SpeadSerializer<byte[]> {
        private static final long serialVersionUID = 1L;
        public static final PayloadPieceSerializer INSTANCE = new PayloadPieceSerializer();
        private static final byte[] EMPTY = new byte[0];

        public PayloadPieceSerializer() {
            super("SPEAD payload piece", 0, 0, true);
        }

        @Override
        public byte[] createInstance() {
            return EMPTY;
        }

        @Override
        public byte[] copy(byte[] from) {
            return from;
        }

        @Override
        public void serialize(byte[] piece, DataOutputView out) throws IOException {
            out.writeInt(piece.length);
            out.write(piece);
        }

        @Override
        public byte[] deserialize(int format, DataInputView in) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                throw new IOException("corrupt SPEAD payload piece: " + n + " bytes");
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        @Override
        public VersionedSerializerSnapshot<byte[]> snapshotConfiguration() {
            return new PayloadPieceSnapshot();
        }
    }

    /** Snapshot of {@link PayloadPieceSerializer}. */
    public static final class PayloadPieceSnapshot extends VersionedSerializerSnapshot<byte[]> {
        public PayloadPieceSnapshot() {
            super(() -> PayloadPieceSerializer.INSTANCE);
        }
    }
}
