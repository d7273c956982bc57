package org.rawstream.sources.spead;

/** Receives heaps as they leave a live-heap table. */
@FunctionalInterface
public interface FinishedHeapListener {
    void heapFinished(ReceivedHeap heap, HeapEnd end);
}
