package org.rawstream.sources.spead;

/**
 * Where one substream's assembly state lives (for the job: Flink keyed state, the current key
 * being the substream). Three parts, so that a backend which serialises every value (RocksDB)
 * handles per packet only what the packet touches: the small per-substream value
 * ({@link SubstreamHeaps}: which heaps are live, recent heap counters), each live heap's
 * bookkeeping under its heap counter (detached {@link LiveHeap}), and each packet's payload as an
 * immutable piece under (heap counter, heap offset).
 */
public interface LiveHeapStore {

    /** The substream's value, or null when it has none. */
    SubstreamHeaps substream() throws Exception;

    void updateSubstream(SubstreamHeaps value) throws Exception;

    /** A live heap's bookkeeping, or null. Changes are kept only through {@link #updateHeap}. */
    LiveHeap heap(long heapCnt) throws Exception;

    void updateHeap(LiveHeap heap) throws Exception;

    void removeHeap(long heapCnt) throws Exception;

    /** Stores a payload piece; the array is never written again. */
    void putPiece(long heapCnt, long offset, byte[] piece) throws Exception;

    /** Removes a payload piece and returns it (null when absent). */
    byte[] takePiece(long heapCnt, long offset) throws Exception;

    /** Drops everything of the substream. */
    void clear() throws Exception;
}
