package org.rawstream.sources.spead;

/** How a heap left the live-heap table. */
public enum HeapEnd {
    /** All HEAP_SIZE bytes arrived and no addressed item points past them. */
    COMPLETE,
    /** Pushed out by a newer heap when the stream's live-heap window was full. */
    EVICTED,
    /** No packet for longer than the heap timeout. */
    EXPIRED,
    /** Still live when the stream stopped or ended. */
    FLUSHED
}
