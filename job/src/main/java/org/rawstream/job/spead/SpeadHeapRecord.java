package org.rawstream.job.spead;

import java.util.Objects;
import org.rawstream.sources.spead.ReceivedHeap;

/**
 * A heap that left heap assembly (complete or not), on its way to per-stream ordering; or an
 * end-of-stream marker from one substream. {@code lowWatermark} is the smallest heap counter
 * still live in that substream when the heap left (Long.MAX_VALUE when none).
 */
public final class SpeadHeapRecord {

    private final String stream;
    private final int substream;
    private final long lowWatermark;
    private final ReceivedHeap heap;

    public SpeadHeapRecord(String stream, int substream, long lowWatermark, ReceivedHeap heap) {
        this.stream = Objects.requireNonNull(stream);
        this.substream = substream;
        this.lowWatermark = lowWatermark;
        this.heap = heap;
    }

    public String stream() {
        return stream;
    }

    public int substream() {
        return substream;
    }

    public long lowWatermark() {
        return lowWatermark;
    }

    /** The heap, or null for an end-of-stream marker. */
    public ReceivedHeap heap() {
        return heap;
    }

    public boolean isEndOfStream() {
        return heap == null;
    }
}
