package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** A {@link LiveHeapStore} in plain maps, for driving {@link SubstreamAssembler} without Flink. */
public final class MemoryLiveHeapStore implements LiveHeapStore {

    private SubstreamHeaps substream;
    private final Map<Long, LiveHeap> heaps = new HashMap<>();

    @Override
    public SubstreamHeaps substream() {
        return substream;
    }

    @Override
    public void updateSubstream(SubstreamHeaps value) {
        substream = value;
    }

    @Override
    public LiveHeap heap(long heapCnt) {
        return heaps.get(heapCnt);
    }

    @Override
    public void updateHeap(LiveHeap heap) {
        heaps.put(heap.heapCnt(), heap);
    }

    @Override
    public void removeHeap(long heapCnt) {
        heaps.remove(heapCnt);
    }

    @Override
    public void clear() {
        substream = null;
        heaps.clear();
    }

    /** Bytes held by live heaps. */
    public long retainedBytes() {
        long b = 0;
        for (LiveHeap h : heaps.values()) {
            b += h.retainedBytes();
        }
        return b;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeBoolean(substream != null);
        if (substream != null) {
            substream.writeTo(out);
        }
        out.writeInt(heaps.size());
        for (LiveHeap h : heaps.values()) {
            h.writeTo(out); // attached: bookkeeping and received bytes
        }
    }

    public static MemoryLiveHeapStore readFrom(DataInput in) throws IOException {
        MemoryLiveHeapStore s = new MemoryLiveHeapStore();
        if (in.readBoolean()) {
            s.substream = SubstreamHeaps.readFrom(in);
        }
        for (int n = in.readInt(); n > 0; n--) {
            LiveHeap h = LiveHeap.readFrom(in);
            s.heaps.put(h.heapCnt(), h);
        }
        return s;
    }
}
