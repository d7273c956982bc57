package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The per-stream end of assembly: takes finished heaps (complete or not) and releases them in
 * heap-counter order through a bounded reorder buffer, applying the incomplete-heap policy,
 * counting descriptors (for metrics; the descriptors themselves are not kept), counting gaps in the heap counter (when its step is known) and
 * handling the stop heap (everything buffered is released; the stop itself is not data).
 *
 * <p>A buffered heap is released when the buffer is over capacity, when it has waited the
 * reorder timeout, when it is the next counter (step known), or when it is below the caller's
 * low watermark (no live heap with a smaller counter) and no gap is known to precede it.
 */
public final class HeapSequencer {

    private HeapReorderBuffer buffer = new HeapReorderBuffer();
    private boolean hasLast;
    private long lastReleased;
    private long learnedStep;
    /** The last stop heap's counter (-1: none): a stop broadcast to every substream counts once. */
    private long lastStopCnt = -1;

    /** The configuration is not state: every call takes it. */
    public HeapSequencer() {
    }

    /**
     * Offers a finished heap. {@code lowWatermark}: every heap with a smaller counter has been
     * offered already, as far as the caller knows (Long.MIN_VALUE when it knows nothing).
     */
    public void offer(ReceivedHeap heap, long nowMillis, long lowWatermark, SpeadAssemblyConfig config,
            SpeadStreamStatistics stats, HeapConsumer out) {
        if (heap.isStop()) {
            if (heap.heapCnt() != lastStopCnt) {
                stats.stop();
                lastStopCnt = heap.heapCnt();
            }
            flush(config, stats, out);
            hasLast = false;
            return;
        }
        if (hasLast && heap.heapCnt() <= lastReleased) {
            stats.outOfOrder();
            release(heap, config, stats, out);
            return;
        }
        buffer.insert(heap, nowMillis);
        drain(nowMillis, lowWatermark, config, stats, out);
    }

    /** Releases heaps that waited the reorder timeout (and what the watermark allows). */
    public void expire(long nowMillis, long lowWatermark, SpeadAssemblyConfig config, SpeadStreamStatistics stats,
            HeapConsumer out) {
        drain(nowMillis, lowWatermark, config, stats, out);
    }

    /** Releases everything buffered, in order (stream stop or end). */
    public void flush(SpeadAssemblyConfig config, SpeadStreamStatistics stats, HeapConsumer out) {
        while (!buffer.isEmpty()) {
            release(buffer.removeFirst(), config, stats, out);
        }
    }

    private void drain(long nowMillis, long lowWatermark, SpeadAssemblyConfig config, SpeadStreamStatistics stats,
            HeapConsumer out) {
        while (!buffer.isEmpty()) {
            ReceivedHeap first = buffer.first();
            long cnt = first.heapCnt();
            long step = step(config);
            boolean next = hasLast && step > 0 && cnt == lastReleased + step;
            boolean noKnownGap = !hasLast || step <= 0;
            boolean release = buffer.size() > config.reorderCapacity()
                    || next
                    || (noKnownGap && cnt < lowWatermark)
                    || buffer.oldestArrivalMillis() + config.reorderTimeoutMillis() <= nowMillis;
            if (!release) {
                return;
            }
            release(buffer.removeFirst(), config, stats, out);
        }
    }

    /** The heap-counter step in use: configured, learned, or 0 (unknown). */
    public long step(SpeadAssemblyConfig config) {
        long configured = config.heapCntStep();
        if (configured > 0) {
            return configured;
        }
        return configured == 0 ? learnedStep : 0;
    }

    private void release(ReceivedHeap heap, SpeadAssemblyConfig config, SpeadStreamStatistics stats,
            HeapConsumer out) {
        long cnt = heap.heapCnt();
        if (hasLast && cnt > lastReleased) {
            long diff = cnt - lastReleased;
            long step = step(config);
            if (step > 0 && diff % step == 0) {
                stats.missing(diff / step - 1);
            }
            if (config.heapCntStep() == 0 && (learnedStep == 0 || diff < learnedStep)) {
                learnedStep = diff;
            }
        }
        if (!hasLast || cnt > lastReleased) {
            lastReleased = cnt;
            hasLast = true;
        }
        if (heap.isComplete()) {
            // Like spead2, only complete heaps update the descriptors: a partial heap's
            // descriptors may be cut, and its values are never decoded.
            int valid = 0;
            int invalid = 0;
            for (SpeadItem item : heap.descriptorItems()) {
                if (DescriptorTable.decode(item) != null) {
                    valid++;
                } else {
                    invalid++;
                }
            }
            stats.descriptors(valid, invalid);
        }
        if (!heap.isComplete() && config.incompletePolicy() == IncompleteHeapPolicy.DROP) {
            stats.incompleteDropped();
            heap.release();
            return;
        }
        stats.delivered(heap.isComplete());
        out.deliver(heap);
    }

    public int buffered() {
        return buffer.size();
    }

    /** Earliest time at which {@link #expire} releases something by timeout, or Long.MAX_VALUE. */
    public long nextReleaseMillis(SpeadAssemblyConfig config) {
        long oldest = buffer.oldestArrivalMillis();
        return oldest == Long.MAX_VALUE ? oldest : oldest + config.reorderTimeoutMillis();
    }

    public long retainedBytes() {
        return buffer.retainedBytes();
    }

    /** The format {@link #writeTo} writes: 1 (format 0, of a6d257e, also held the stream's descriptors). */
    public static final int FORMAT = 1;

    public void writeTo(DataOutput out) throws IOException {
        out.writeBoolean(hasLast);
        out.writeLong(lastReleased);
        out.writeLong(learnedStep);
        out.writeLong(lastStopCnt);
        buffer.writeTo(out);
    }

    public static HeapSequencer readFrom(DataInput in) throws IOException {
        return readFrom(in, FORMAT);
    }

    /** Reads format 1, or format 0 (its descriptors are skipped unparsed). */
    public static HeapSequencer readFrom(DataInput in, int format) throws IOException {
        HeapSequencer s = new HeapSequencer();
        s.hasLast = in.readBoolean();
        s.lastReleased = in.readLong();
        s.learnedStep = in.readLong();
        s.lastStopCnt = in.readLong();
        s.buffer = HeapReorderBuffer.readFrom(in);
        if (format == 0) {
            for (int n = in.readInt(); n > 0; n--) {
                int length = in.readInt();
                if (length < 0) {
                    throw new IOException("corrupt SPEAD sequencer state: descriptor of " + length + " bytes");
                }
                while (length > 0) {
                    int skipped = in.skipBytes(length);
                    if (skipped <= 0) {
                        in.readByte();
                        skipped = 1;
                    }
                    length -= skipped;
                }
            }
        }
        return s;
    }

    /**
     * The copy a copy-on-write state backend makes while a snapshot is written: buffered heaps
     * share their payload chunks with the original (finished heaps never change).
     */
    public HeapSequencer copy() {
        HeapSequencer s = new HeapSequencer();
        s.hasLast = hasLast;
        s.lastReleased = lastReleased;
        s.learnedStep = learnedStep;
        s.lastStopCnt = lastStopCnt;
        s.buffer = buffer.shareCopy();
        return s;
    }
}
