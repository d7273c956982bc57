package org.rawstream.sources.spead;

/**
 * Where one substream's assembly state lives while it is assembled (for the job: memory of the
 * keyed function, written into Flink keyed state at checkpoints, the current key being the
 * substream). Two parts: the small per-substream value ({@link SubstreamHeaps}: which heaps are
 * live, recent heap counters) and each live heap, attached (its payload in pooled chunks), under
 * its heap counter.
 */
public interface LiveHeapStore {

    /** The substream's value, or null when it has none. */
    SubstreamHeaps substream() throws Exception;

    void updateSubstream(SubstreamHeaps value) throws Exception;

    /** A live heap's bookkeeping, or null. Changes are kept only through {@link #updateHeap}. */
    LiveHeap heap(long heapCnt) throws Exception;

    void updateHeap(LiveHeap heap) throws Exception;

    void removeHeap(long heapCnt) throws Exception;

    /** Drops everything of the substream. */
    void clear() throws Exception;
}
