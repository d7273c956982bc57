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
    private final Map<Long, Map<Long, byte[]>> pieces = new HashMap<>();

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
    public void putPiece(long heapCnt, long offset, byte[] piece) {
        pieces.computeIfAbsent(heapCnt, k -> new HashMap<>()).put(offset, piece);
    }

    @Override
    public byte[] takePiece(long heapCnt, long offset) {
        Map<Long, byte[]> m = pieces.get(heapCnt);
        if (m == null) {
            return null;
        }
        byte[] p = m.remove(offset);
        if (m.isEmpty()) {
            pieces.remove(heapCnt);
        }
        return p;
    }

    @Override
    public void clear() {
        substream = null;
        heaps.clear();
        pieces.clear();
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
            h.writeDetached(out);
        }
        out.writeInt(pieces.size());
        for (Map.Entry<Long, Map<Long, byte[]>> e : pieces.entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue().size());
            for (Map.Entry<Long, byte[]> p : e.getValue().entrySet()) {
                out.writeLong(p.getKey());
                out.writeInt(p.getValue().length);
                out.write(p.getValue());
            }
        }
    }

    public static MemoryLiveHeapStore readFrom(DataInput in) throws IOException {
        MemoryLiveHeapStore s = new MemoryLiveHeapStore();
        if (in.readBoolean()) {
            s.substream = SubstreamHeaps.readFrom(in);
        }
        for (int n = in.readInt(); n > 0; n--) {
            LiveHeap h = LiveHeap.readDetached(in);
            s.heaps.put(h.heapCnt(), h);
        }
        for (int n = in.readInt(); n > 0; n--) {
            long cnt = in.readLong();
            for (int k = in.readInt(); k > 0; k--) {
                long offset = in.readLong();
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                s.putPiece(cnt, offset, b);
            }
        }
        return s;
    }
}
