package org.rawstream.job.spead;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.rawstream.sources.spead.LiveHeap;
import org.rawstream.sources.spead.LiveHeapStore;
import org.rawstream.sources.spead.SubstreamHeaps;

/**
 * The assembly state of {@link HeapAssemblyFunction} in Flink keyed state, one
 * {@link LiveHeapStore} view per key (used while that key is the current one). Two ways:
 *
 * <ul>
 *   <li><b>write-through</b> (the heap backend): every read and write goes to the state objects,
 *       which are in memory already; the backend's copy-on-write snapshots share the immutable
 *       payload pieces.
 *   <li><b>write-back</b> (a backend that serialises values, RocksDB): each key's live heaps are
 *       kept in memory by this store — memory the live-heap budget counts anyway — and written
 *       into the keyed state only by {@link #writeBack}, which {@link WriteBackKeyedOperator} calls
 *       synchronously at every checkpoint barrier, before the backend takes its snapshot: the
 *       keyed state in a checkpoint is exactly the assembly state at the barrier, while a packet
 *       costs what it costs on the heap backend (no serialisation, no JNI). A checkpoint writes
 *       what changed since the previous one: the bookkeeping of heaps that received packets, the
 *       pieces not yet written, deletes for heaps and pieces that left; a heap that opens and
 *       finishes between two checkpoints never reaches the backend. After a restore a key's state
 *       is read into memory when the key is first met ({@link #of}); restored pieces are read
 *       when their heap finishes.
 * </ul>
 */
final class KeyedHeapStore {
    private final ValueState<SubstreamHeaps> substream;
    private final MapState<Long, LiveHeap> heaps;
    private final MapState<Tuple2<Long, Long>, byte[]> pieces;
    private final LiveHeapStore state = new StateView();
    /** Write-back only: each met key's memory, and the keys changed since the last write-back. */
    private final Map<String, MemoryView> views;
    private final List<MemoryView> dirty;

    KeyedHeapStore(ValueState<SubstreamHeaps> substream, MapState<Long, LiveHeap> heaps,
            MapState<Tuple2<Long, Long>, byte[]> pieces, boolean writeBack) {
        this.substream = substream;
        this.heaps = heaps;
        this.pieces = pieces;
        this.views = writeBack ? new HashMap<>() : null;
        this.dirty = writeBack ? new ArrayList<>() : null;
    }

    boolean writesBack() {
        return views != null;
    }

    /** The view of {@code key}, the current key; write-back reads the key's state the first time. */
    LiveHeapStore of(String key) throws Exception {
        if (views == null) {
            return state;
        }
        MemoryView v = views.get(key);
        if (v == null) {
            v = new MemoryView(key);
            v.load();
            views.put(key, v);
        }
        return v;
    }

    /**
     * Write-back: writes every changed key's state into the keyed state, making each key current
     * with {@code setCurrentKey} (the key current before is the caller's to restore). A key left
     * with no state (its stream ended or was evicted) is then forgotten: memory holds only keys
     * with live heaps, however many senders came and went.
     */
    void writeBack(Consumer<String> setCurrentKey) throws Exception {
        if (dirty == null) {
            return;
        }
        for (MemoryView v : dirty) {
            setCurrentKey.accept(v.key);
            v.write();
            if (v.isEmpty()) {
                views.remove(v.key);
            }
        }
        dirty.clear();
    }

    /** Write-back: the keys held in memory (for tests); 0 when writing through. */
    int keysInMemory() {
        return views == null ? 0 : views.size();
    }

    /** The keyed state itself, for the current key. */
    private final class StateView implements LiveHeapStore {
        @Override
        public SubstreamHeaps substream() throws Exception {
            return substream.value();
        }

        @Override
        public void updateSubstream(SubstreamHeaps value) throws Exception {
            substream.update(value);
        }

        @Override
        public LiveHeap heap(long heapCnt) throws Exception {
            return heaps.get(heapCnt);
        }

        @Override
        public void updateHeap(LiveHeap heap) throws Exception {
            heaps.put(heap.heapCnt(), heap);
        }

        @Override
        public void removeHeap(long heapCnt) throws Exception {
            heaps.remove(heapCnt);
        }

        @Override
        public void putPiece(long heapCnt, long offset, byte[] piece) throws Exception {
            pieces.put(Tuple2.of(heapCnt, offset), piece);
        }

        @Override
        public byte[] takePiece(long heapCnt, long offset) throws Exception {
            Tuple2<Long, Long> key = Tuple2.of(heapCnt, offset);
            byte[] piece = pieces.get(key);
            if (piece != null) {
                pieces.remove(key);
            }
            return piece;
        }

        @Override
        public void clear() {
            substream.clear();
            heaps.clear();
            pieces.clear();
        }
    }

    /**
     * One key's assembly state in memory (the truth while the instance runs) and what differs
     * from the keyed state: written by {@link #write} with the key current.
     */
    private final class MemoryView implements LiveHeapStore {
        private final String key;
        private SubstreamHeaps sub;
        private boolean subChanged;
        /** Live heaps' bookkeeping, all of them (read at {@link #load}). */
        private final Map<Long, LiveHeap> live = new HashMap<>();
        /** Heap counters whose bookkeeping is in the keyed state. */
        private final Set<Long> storedHeaps = new HashSet<>();
        /** Heap counters whose keyed-state entry is to be written (put if live, else deleted). */
        private final Set<Long> changedHeaps = new HashSet<>();
        /** Pieces held in memory: not yet written ({@link #unwritten}) or written and kept. */
        private final Map<Tuple2<Long, Long>, byte[]> held = new HashMap<>();
        private final Set<Tuple2<Long, Long>> unwritten = new HashSet<>();
        /** Pieces in the keyed state that assembly took: deleted at the next write. */
        private final Set<Tuple2<Long, Long>> taken = new HashSet<>();
        /** The keyed state is to be cleared before the next write (substream flushed). */
        private boolean cleared;
        private boolean isDirty;

        MemoryView(String key) {
            this.key = key;
        }

        /** Reads the key's state: its substream value and the bookkeeping of its live heaps. */
        void load() throws Exception {
            sub = substream.value();
            for (Map.Entry<Long, LiveHeap> e : heaps.entries()) {
                live.put(e.getKey(), e.getValue());
                storedHeaps.add(e.getKey());
            }
        }

        private void changed() {
            if (!isDirty) {
                isDirty = true;
                dirty.add(this);
            }
        }

        /** Writes what changed into the keyed state (this key current). Mutable values are copied. */
        void write() throws Exception {
            if (cleared) {
                substream.clear();
                heaps.clear();
                pieces.clear();
                cleared = false;
            }
            if (subChanged) {
                if (sub == null) {
                    substream.clear();
                } else {
                    substream.update(sub.copy());
                }
                subChanged = false;
            }
            for (Long cnt : changedHeaps) {
                LiveHeap h = live.get(cnt);
                if (h != null) {
                    heaps.put(cnt, h.copy());
                    storedHeaps.add(cnt);
                } else {
                    heaps.remove(cnt);
                    storedHeaps.remove(cnt);
                }
            }
            changedHeaps.clear();
            for (Tuple2<Long, Long> k : unwritten) {
                pieces.put(k, held.get(k));
            }
            unwritten.clear();
            for (Tuple2<Long, Long> k : taken) {
                pieces.remove(k);
            }
            taken.clear();
            isDirty = false;
        }

        /** No state in memory and, once written, none in the keyed state: the key can be read afresh. */
        boolean isEmpty() {
            return sub == null && live.isEmpty() && held.isEmpty() && storedHeaps.isEmpty();
        }

        @Override
        public SubstreamHeaps substream() {
            return sub;
        }

        @Override
        public void updateSubstream(SubstreamHeaps value) {
            sub = value;
            subChanged = true;
            changed();
        }

        @Override
        public LiveHeap heap(long heapCnt) {
            return live.get(heapCnt);
        }

        @Override
        public void updateHeap(LiveHeap heap) {
            live.put(heap.heapCnt(), heap);
            changedHeaps.add(heap.heapCnt());
            changed();
        }

        @Override
        public void removeHeap(long heapCnt) {
            live.remove(heapCnt);
            if (storedHeaps.contains(heapCnt)) {
                changedHeaps.add(heapCnt);
                changed();
            } else {
                changedHeaps.remove(heapCnt);
            }
        }

        @Override
        public void putPiece(long heapCnt, long offset, byte[] piece) {
            Tuple2<Long, Long> k = Tuple2.of(heapCnt, offset);
            held.put(k, piece);
            unwritten.add(k);
            changed();
        }

        @Override
        public byte[] takePiece(long heapCnt, long offset) throws Exception {
            Tuple2<Long, Long> k = Tuple2.of(heapCnt, offset);
            byte[] piece = held.remove(k);
            if (piece != null) {
                if (!unwritten.remove(k)) {
                    taken.add(k);
                    changed();
                }
                return piece;
            }
            if (cleared || taken.contains(k)) {
                return null;
            }
            piece = pieces.get(k); // restored, not read yet
            if (piece != null) {
                taken.add(k);
                changed();
            }
            return piece;
        }

        @Override
        public void clear() {
            sub = null;
            subChanged = false;
            live.clear();
            storedHeaps.clear();
            changedHeaps.clear();
            held.clear();
            unwritten.clear();
            taken.clear();
            cleared = true;
            changed();
        }
    }
}
