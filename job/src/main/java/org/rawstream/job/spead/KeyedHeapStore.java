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
import org.rawstream.sources.spead.LiveHeapBudget;
import org.rawstream.sources.spead.LiveHeapStore;
import org.rawstream.sources.spead.SubstreamHeaps;

/**
 * The assembly state of {@link HeapAssemblyFunction}: kept in memory per key, written into Flink
 * keyed state only by {@link #writeBack}, which {@link WriteBackKeyedOperator} calls synchronously
 * at every checkpoint barrier, before the backend takes its snapshot — so the keyed state in a
 * checkpoint is exactly the assembly state at the barrier, on every backend.
 *
 * <p>In memory a live heap is attached: a packet is copied once, into the heap's pooled chunks
 * (no allocation per packet, no state access). In keyed state (unchanged format) a live heap is
 * its detached bookkeeping ({@code heaps}) and its received bytes as immutable pieces
 * ({@code payload-pieces}, under (heap counter, offset), cut at multiples of
 * {@link LiveHeap#PIECE_SPAN}). A checkpoint writes what changed since the previous one: the
 * bookkeeping of heaps that received packets and the pieces that grew (a piece already in state
 * with the same offset and length holds the same bytes, received bytes never change), deletes
 * for heaps and pieces that left; a heap that opens and finishes between two checkpoints never
 * reaches the backend. Written arrays are never changed afterwards (the heap backend snapshots
 * them asynchronously, copy-on-write).
 *
 * <p>After a restore a key's state is read into memory when the key is first met ({@link #of}):
 * each heap's pieces (written by this version or, one per packet, by earlier ones) into an
 * attached payload, remembering which pieces are in state so that the next write replaces them.
 *
 * <p>Memory: the live heaps' chunks are charged by assembly. On the heap backend the pieces in
 * keyed state are a second copy on the JVM's heap, charged to the same budget while they are in
 * state (and while a snapshot may still be writing them): {@code stateCopies}, null when the
 * backend serialises values (RocksDB).
 */
final class KeyedHeapStore {
    private final ValueState<SubstreamHeaps> substream;
    private final MapState<Long, LiveHeap> heaps;
    private final MapState<Tuple2<Long, Long>, byte[]> pieces;
    private final LiveHeapBudget stateCopies;
    /** Each met key's memory, and the keys changed since the last write-back. */
    private final Map<String, MemoryView> views = new HashMap<>();
    private final List<MemoryView> dirty = new ArrayList<>();

    KeyedHeapStore(ValueState<SubstreamHeaps> substream, MapState<Long, LiveHeap> heaps,
            MapState<Tuple2<Long, Long>, byte[]> pieces, LiveHeapBudget stateCopies) {
        this.substream = substream;
        this.heaps = heaps;
        this.pieces = pieces;
        this.stateCopies = stateCopies;
    }

    /** The view of {@code key}, the current key; the key's state is read the first time. */
    LiveHeapStore of(String key) throws Exception {
        MemoryView v = views.get(key);
        if (v == null) {
            v = new MemoryView(key);
            v.load();
            views.put(key, v);
        }
        return v;
    }

    /**
     * Writes every changed key's state into the keyed state, making each key current with
     * {@code setCurrentKey} (the key current before is the caller's to restore). A key left with
     * no state (its stream ended or was evicted) is then forgotten: memory holds only keys with
     * live heaps, however many senders came and went.
     */
    void writeBack(Consumer<String> setCurrentKey) throws Exception {
        for (MemoryView v : dirty) {
            setCurrentKey.accept(v.key);
            v.write();
            if (v.isEmpty()) {
                views.remove(v.key);
            }
        }
        dirty.clear();
    }

    /** The keys held in memory (for tests). */
    int keysInMemory() {
        return views.size();
    }

    private void chargeStateCopy(long bytes) {
        if (stateCopies != null && bytes > 0) {
            stateCopies.chargeStateCopy(bytes);
        }
    }

    private void releaseStateCopy(long bytes) {
        if (stateCopies != null && bytes > 0) {
            stateCopies.releaseStateCopy(bytes);
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
        /** Live heaps, attached, all of them (read at {@link #load}). */
        private final Map<Long, LiveHeap> live = new HashMap<>();
        /** Heaps whose bookkeeping is in the keyed state: their pieces there, offset → length. */
        private final Map<Long, Map<Long, Integer>> stored = new HashMap<>();
        /** Heap counters whose keyed-state entry is to be written (put if live, else deleted). */
        private final Set<Long> changedHeaps = new HashSet<>();
        /** The keyed state is to be cleared before the next write (substream flushed). */
        private boolean cleared;
        private boolean isDirty;
        /**
         * The live heap used last (consecutive packets are mostly of one heap): looked up and
         * marked changed without boxing its counter into the maps again. Null once it left.
         */
        private LiveHeap recent;
        /** {@link #recent} is in {@link #changedHeaps} (until the next write). */
        private boolean recentChanged;

        MemoryView(String key) {
            this.key = key;
        }

        /** Reads the key's state: its substream value and its live heaps, attached. */
        void load() throws Exception {
            sub = substream.value();
            for (Map.Entry<Long, LiveHeap> e : heaps.entries()) {
                long cnt = e.getKey();
                LiveHeap h = e.getValue().copy(); // the state's object may be in a snapshot being written
                Map<Long, Integer> inState = new HashMap<>();
                h.attach(offset -> {
                    byte[] piece = pieces.get(Tuple2.of(cnt, offset));
                    if (piece != null) {
                        inState.put(offset, piece.length);
                        chargeStateCopy(piece.length);
                    }
                    return piece;
                });
                live.put(cnt, h);
                stored.put(cnt, inState);
            }
        }

        private void changed() {
            if (!isDirty) {
                isDirty = true;
                dirty.add(this);
            }
        }

        /** Writes what changed into the keyed state (this key current). Written values are copies. */
        void write() throws Exception {
            if (cleared) {
                substream.clear();
                heaps.clear();
                pieces.clear();
                for (Map<Long, Integer> p : stored.values()) {
                    releaseStateCopy(bytes(p));
                }
                stored.clear();
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
                Map<Long, Integer> before = stored.remove(cnt);
                if (h != null) {
                    stored.put(cnt, writeHeap(cnt, h, before == null ? Map.of() : before));
                } else if (before != null) {
                    heaps.remove(cnt);
                    for (Long offset : before.keySet()) {
                        pieces.remove(Tuple2.of(cnt, offset));
                    }
                    releaseStateCopy(bytes(before));
                }
            }
            changedHeaps.clear();
            recentChanged = false;
            isDirty = false;
        }

        /** Writes a live heap: its bookkeeping, the pieces that changed; returns its pieces in state. */
        private Map<Long, Integer> writeHeap(long cnt, LiveHeap h, Map<Long, Integer> before) throws Exception {
            Map<Long, Integer> after = new HashMap<>();
            long[] replaced = {0};
            LiveHeap detached = h.detachedCopy(new LiveHeap.PieceWriter() {
                @Override
                public boolean has(long offset, int length) {
                    after.put(offset, length);
                    Integer was = before.get(offset);
                    return was != null && was == length;
                }

                @Override
                public void put(long offset, byte[] piece) throws Exception {
                    pieces.put(Tuple2.of(cnt, offset), piece);
                    chargeStateCopy(piece.length);
                    Integer was = before.get(offset);
                    replaced[0] += was == null ? 0 : was;
                }
            });
            heaps.put(cnt, detached);
            for (Map.Entry<Long, Integer> e : before.entrySet()) {
                if (!after.containsKey(e.getKey())) {
                    pieces.remove(Tuple2.of(cnt, e.getKey()));
                    replaced[0] += e.getValue();
                }
            }
            releaseStateCopy(replaced[0]);
            return after;
        }

        private long bytes(Map<Long, Integer> pieceLengths) {
            long b = 0;
            for (int n : pieceLengths.values()) {
                b += n;
            }
            return b;
        }

        /** No state in memory and, once written, none in the keyed state: the key can be read afresh. */
        boolean isEmpty() {
            return sub == null && live.isEmpty() && stored.isEmpty();
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
            LiveHeap h = recent;
            if (h != null && h.heapCnt() == heapCnt) {
                return h;
            }
            h = live.get(heapCnt);
            if (h != null) {
                recent = h;
                recentChanged = false; // not known: the next update marks it again
            }
            return h;
        }

        @Override
        public void updateHeap(LiveHeap heap) {
            if (heap == recent && recentChanged) {
                return; // live and marked changed already
            }
            live.put(heap.heapCnt(), heap);
            changedHeaps.add(heap.heapCnt());
            changed();
            recent = heap;
            recentChanged = true;
        }

        @Override
        public void removeHeap(long heapCnt) {
            if (recent != null && recent.heapCnt() == heapCnt) {
                recent = null;
            }
            live.remove(heapCnt);
            if (stored.containsKey(heapCnt)) {
                changedHeaps.add(heapCnt);
                changed();
            } else {
                changedHeaps.remove(heapCnt);
            }
        }

        @Override
        public void clear() {
            recent = null;
            sub = null;
            subChanged = false;
            live.clear();
            changedHeaps.clear();
            cleared = true;
            changed();
        }
    }
}
