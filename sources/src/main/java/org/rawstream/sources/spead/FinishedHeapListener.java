package org.rawstream.sources.spead;

/** Receives heaps as they leave a substream's live set (the per-call emitter of assembly). */
@FunctionalInterface
public interface FinishedHeapListener {
    /**
     * {@code lowWatermark}: the smallest heap counter still live in the substream after this heap
     * left (Long.MAX_VALUE when none is).
     */
    void heapFinished(ReceivedHeap heap, HeapEnd end, long lowWatermark);
}
