package org.rawstream.sources.spead;

import static org.rawstream.core.config.ConfigChecks.atLeast;
import static org.rawstream.core.config.ConfigChecks.inRange;

import java.io.Serializable;
import java.util.Objects;

/**
 * Limits and policies of SPEAD heap assembly; immutable, built with {@link #builder()}.
 *
 * @param maxHeapSize largest HEAP_SIZE accepted (larger heaps are rejected before any allocation);
 *     0..1 GiB
 * @param maxPacketSize largest packet accepted on a byte stream (TCP)
 * @param maxLiveHeaps live-heap window of one stream: the oldest incomplete heap is evicted beyond it
 * @param heapTimeoutMillis an incomplete heap with no packet for this long expires
 * @param recentHeapMemory how many finished heap counters are remembered to recognise late duplicates
 * @param maxItemPointersPerHeap most item pointers of one heap; a stored heap is one packet, so its
 *     pointers must fit the 16-bit count: 1..65531
 * @param incompletePolicy what becomes of a heap that never completes
 * @param reorderCapacity finished heaps held per stream to release them in heap-counter order
 * @param reorderTimeoutMillis a heap waits at most this long in the reorder buffer; the builder's
 *     default is {@code heapTimeoutMillis}
 * @param heapCntStep heap-counter step: &gt; 0 configured, 0 learned from the stream, -1 unknown
 *     (no gap counting)
 * @param liveHeapMemory bytes the live heaps of one assembly subtask may hold, over all its streams
 *     (payload chunks and bookkeeping); new heaps are admitted below
 *     {@link LiveHeapBudget#ADMIT_FRACTION} of it; at least 1 MiB
 * @param maxStreams streams (UDP senders) one source endpoint assembles at once; beyond, the least
 *     recently active one is ended (its live heaps flushed as incomplete)
 */
public record SpeadAssemblyConfig(
        long maxHeapSize,
        int maxPacketSize,
        int maxLiveHeaps,
        long heapTimeoutMillis,
        int recentHeapMemory,
        int maxItemPointersPerHeap,
        IncompleteHeapPolicy incompletePolicy,
        int reorderCapacity,
        long reorderTimeoutMillis,
        long heapCntStep,
        long liveHeapMemory,
        int maxStreams)
        implements Serializable {

    public SpeadAssemblyConfig {
        inRange(maxHeapSize, 0, 1L << 30, "maxHeapSize");
        atLeast(maxPacketSize, SpeadPacket.HEADER_BYTES, "maxPacketSize");
        atLeast(maxLiveHeaps, 1, "maxLiveHeaps");
        atLeast(heapTimeoutMillis, 1, "heapTimeoutMillis");
        atLeast(recentHeapMemory, 0, "recentHeapMemory");
        inRange(maxItemPointersPerHeap, 1, 0xFFFF - 4, "maxItemPointersPerHeap");
        Objects.requireNonNull(incompletePolicy, "incompletePolicy");
        atLeast(reorderCapacity, 0, "reorderCapacity");
        atLeast(reorderTimeoutMillis, 1, "reorderTimeoutMillis");
        atLeast(heapCntStep, -1, "heapCntStep");
        atLeast(liveHeapMemory, 1L << 20, "liveHeapMemory");
        atLeast(maxStreams, 1, "maxStreams");
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SpeadAssemblyConfig defaults() {
        return builder().build();
    }

    /** Builder with safe defaults; the record checks the values. */
    public static final class Builder {
        private long maxHeapSize = 64L << 20;
        private int maxPacketSize = 65536;
        private int maxLiveHeaps = 64;
        private long heapTimeoutMillis = 2000;
        private int recentHeapMemory = 1024;
        private int maxItemPointersPerHeap = 16384;
        private IncompleteHeapPolicy incompletePolicy = IncompleteHeapPolicy.DELIVER;
        private int reorderCapacity = 16;
        /** Unset: the heap timeout. */
        private long reorderTimeoutMillis = -1;
        private long heapCntStep = 0;
        private long liveHeapMemory = 256L << 20;
        private int maxStreams = 1024;

        private Builder() {
        }

        public Builder liveHeapMemory(long bytes) {
            this.liveHeapMemory = bytes;
            return this;
        }

        public Builder maxStreams(int streams) {
            this.maxStreams = streams;
            return this;
        }

        public Builder maxHeapSize(long bytes) {
            this.maxHeapSize = bytes;
            return this;
        }

        public Builder maxPacketSize(int bytes) {
            this.maxPacketSize = bytes;
            return this;
        }

        public Builder maxLiveHeaps(int heaps) {
            this.maxLiveHeaps = heaps;
            return this;
        }

        public Builder heapTimeoutMillis(long millis) {
            this.heapTimeoutMillis = millis;
            return this;
        }

        public Builder recentHeapMemory(int heaps) {
            this.recentHeapMemory = heaps;
            return this;
        }

        public Builder maxItemPointersPerHeap(int pointers) {
            this.maxItemPointersPerHeap = pointers;
            return this;
        }

        public Builder incompletePolicy(IncompleteHeapPolicy policy) {
            this.incompletePolicy = Objects.requireNonNull(policy);
            return this;
        }

        public Builder reorderCapacity(int heaps) {
            this.reorderCapacity = heaps;
            return this;
        }

        public Builder reorderTimeoutMillis(long millis) {
            // Checked here too: the record cannot tell a bad value from the "unset" marker.
            this.reorderTimeoutMillis = atLeast(millis, 1, "reorderTimeoutMillis");
            return this;
        }

        /** &gt; 0: the stream's heap counters step by this; 0: learn it; -1: unknown. */
        public Builder heapCntStep(long step) {
            this.heapCntStep = step;
            return this;
        }

        public SpeadAssemblyConfig build() {
            return new SpeadAssemblyConfig(maxHeapSize, maxPacketSize, maxLiveHeaps, heapTimeoutMillis,
                    recentHeapMemory, maxItemPointersPerHeap, incompletePolicy, reorderCapacity,
                    reorderTimeoutMillis < 0 ? heapTimeoutMillis : reorderTimeoutMillis, heapCntStep,
                    liveHeapMemory, maxStreams);
        }
    }
}
