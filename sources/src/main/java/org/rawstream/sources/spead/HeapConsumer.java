package org.rawstream.sources.spead;

/** Receives the heaps a stream delivers, in release order. */
@FunctionalInterface
public interface HeapConsumer {
    void deliver(ReceivedHeap heap);
}
