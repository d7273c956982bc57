package org.rawstream.sources.spead;

import java.io.Serializable;

/** Limits and policies of SPEAD heap assembly; immutable, built with {@link #builder()}. */
public final class SpeadAssemblyConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long maxHeapSize;
    private final int maxPacketSize;
    private final int maxLiveHeaps;
    private final long heapTimeoutMillis;
    private final int recentHeapMemory;
    private final int maxItemPointersPerHeap;
    private final IncompleteHeapPolicy incompletePolicy;
    private final int reorderCapacity;
    private final long reorderTimeoutMillis;
    private final long heapCntStep;
    private final long liveHeapMemory;
    private final int maxStreams;

    private SpeadAssemblyConfig(Builder b) {
        this.maxHeapSize = b.maxHeapSize;
        this.maxPacketSize = b.maxPacketSize;
        this.maxLiveHeaps = b.maxLiveHeaps;
        this.heapTimeoutMillis = b.heapTimeoutMillis;
        this.recentHeapMemory = b.recentHeapMemory;
        this.maxItemPointersPerHeap = b.maxItemPointersPerHeap;
        this.incompletePolicy = b.incompletePolicy;
        this.reorderCapacity = b.reorderCapacity;
        this.reorderTimeoutMillis = b.reorderTimeoutMillis < 0 ? b.heapTimeoutMillis : b.reorderTimeoutMillis;
        this.heapCntStep = b.heapCntStep;
        this.liveHeapMemory = b.liveHeapMemory;
        this.maxStreams = b.maxStreams;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SpeadAssemblyConfig defaults() {
        return builder().build();
    }

    /** Largest HEAP_SIZE accepted (larger heaps are rejected before any allocation). */
    public long maxHeapSize() {
        return maxHeapSize;
    }

    /** Largest packet accepted on a byte stream (TCP). */
    public int maxPacketSize() {
        return maxPacketSize;
    }

    /** Live-heap window of one stream: the oldest incomplete heap is evicted beyond it. */
    public int maxLiveHeaps() {
        return maxLiveHeaps;
    }

    /** An incomplete heap with no packet for this long expires. */
    public long heapTimeoutMillis() {
        return heapTimeoutMillis;
    }

    /** How many finished heap counters are remembered to recognise late duplicates. */
    public int recentHeapMemory() {
        return recentHeapMemory;
    }

    public int maxItemPointersPerHeap() {
        return maxItemPointersPerHeap;
    }

    public IncompleteHeapPolicy incompletePolicy() {
        return incompletePolicy;
    }

    /** Finished heaps held per stream to release them in heap-counter order. */
    public int reorderCapacity() {
        return reorderCapacity;
    }

    /** A heap waits at most this long in the reorder buffer. */
    public long reorderTimeoutMillis() {
        return reorderTimeoutMillis;
    }

    /** Heap-counter step: &gt; 0 configured, 0 learned from the stream, -1 unknown (no gap counting). */
    public long heapCntStep() {
        return heapCntStep;
    }

    /**
     * Bytes the live heaps of one assembly subtask may hold, over all its streams (payload
     * chunks and bookkeeping); new heaps are admitted below {@link LiveHeapBudget#ADMIT_FRACTION}
     * of it.
     */
    public long liveHeapMemory() {
        return liveHeapMemory;
    }

    /**
     * Streams (UDP senders) one source endpoint assembles at once; beyond, the least recently
     * active one is ended (its live heaps flushed as incomplete).
     */
    public int maxStreams() {
        return maxStreams;
    }

    /** Builder with safe defaults. */
    public static final class Builder {
        private long maxHeapSize = 64L << 20;
        private int maxPacketSize = 65536;
        private int maxLiveHeaps = 64;
        private long heapTimeoutMillis = 2000;
        private int recentHeapMemory = 1024;
        private int maxItemPointersPerHeap = 16384;
        private IncompleteHeapPolicy incompletePolicy = IncompleteHeapPolicy.DELIVER;
        private int reorderCapacity = 16;
        private long reorderTimeoutMillis = -1;
        private long heapCntStep = 0;
        private long liveHeapMemory = 256L << 20;
        private int maxStreams = 1024;

        private Builder() {
        }

        public Builder liveHeapMemory(long bytes) {
            if (bytes < 1L << 20) {
                throw new IllegalArgumentException("liveHeapMemory must be at least 1 MiB: " + bytes);
            }
            this.liveHeapMemory = bytes;
            return this;
        }

        public Builder maxStreams(int streams) {
            if (streams < 1) {
                throw new IllegalArgumentException("maxStreams must be >= 1");
            }
            this.maxStreams = streams;
            return this;
        }

        public Builder maxHeapSize(long bytes) {
            if (bytes < 0 || bytes > 1L << 30) {
                throw new IllegalArgumentException("maxHeapSize out of range: " + bytes);
            }
            this.maxHeapSize = bytes;
            return this;
        }

        public Builder maxPacketSize(int bytes) {
            if (bytes < SpeadPacket.HEADER_BYTES) {
                throw new IllegalArgumentException("maxPacketSize too small: " + bytes);
            }
            this.maxPacketSize = bytes;
            return this;
        }

        public Builder maxLiveHeaps(int heaps) {
            if (heaps < 1) {
                throw new IllegalArgumentException("maxLiveHeaps must be >= 1");
            }
            this.maxLiveHeaps = heaps;
            return this;
        }

        public Builder heapTimeoutMillis(long millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException("heapTimeoutMillis must be > 0");
            }
            this.heapTimeoutMillis = millis;
            return this;
        }

        public Builder recentHeapMemory(int heaps) {
            if (heaps < 0) {
                throw new IllegalArgumentException("recentHeapMemory must be >= 0");
            }
            this.recentHeapMemory = heaps;
            return this;
        }

        public Builder maxItemPointersPerHeap(int pointers) {
            if (pointers < 1 || pointers > 0xFFFF - 4) {
                // A stored heap is one packet: its pointers must fit the 16-bit count.
                throw new IllegalArgumentException("maxItemPointersPerHeap must be 1..65531");
            }
            this.maxItemPointersPerHeap = pointers;
            return this;
        }

        public Builder incompletePolicy(IncompleteHeapPolicy policy) {
            this.incompletePolicy = java.util.Objects.requireNonNull(policy);
            return this;
        }

        public Builder reorderCapacity(int heaps) {
            if (heaps < 0) {
                throw new IllegalArgumentException("reorderCapacity must be >= 0");
            }
            this.reorderCapacity = heaps;
            return this;
        }

        public Builder reorderTimeoutMillis(long millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException("reorderTimeoutMillis must be > 0");
            }
            this.reorderTimeoutMillis = millis;
            return this;
        }

        /** &gt; 0: the stream's heap counters step by this; 0: learn it; -1: unknown. */
        public Builder heapCntStep(long step) {
            if (step < -1) {
                throw new IllegalArgumentException("heapCntStep must be >= -1");
            }
            this.heapCntStep = step;
            return this;
        }

        public SpeadAssemblyConfig build() {
            return new SpeadAssemblyConfig(this);
        }
    }
}
