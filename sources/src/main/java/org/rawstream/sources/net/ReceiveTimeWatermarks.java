package org.rawstream.sources.net;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;

/**
 * A source reader's receive-time progress, emitted as Flink watermarks on the reader's main output
 * (task thread only). Records carry their receive time as their timestamp (a socket source: when
 * the fetcher thread received them; a capture replay: the capture timestamp); a watermark
 * {@code W} says that every record received at or before {@code W} has been emitted.
 *
 * <p>Two inputs advance it: each record emitted ({@link #emitted}, its receive time: whatever
 * follows was received no earlier) and each hand-over batch finished ({@link #emitted} with the
 * batch's progress: the fetcher's clock after it drained the sockets, so a quiet endpoint still
 * advances it once per poll timeout). A backlog in the hand-over or in Flink's buffers holds it
 * back: time downstream never runs ahead of what was received.
 *
 * <p>Flink specifics: the watermark goes to the main {@link ReaderOutput}, which Flink's source
 * operator forwards unchanged (the strategy's per-split generators stay silent with
 * {@code WatermarkStrategy.noWatermarks()}); a reader that has not been given a split marks its
 * output idle, so that a subtask with nothing to read does not hold back a keyed operator fed
 * through {@code keyBy} (the min over input channels skips idle ones); the next watermark makes it
 * active again. A reader whose splits finished (bounded mode) stays active: an idle output drops
 * every watermark (Flink's chaining output does), also the end of input's final one, which fires
 * the timers still pending downstream. Watermarks are emitted at most once per
 * {@link #STEP_MILLIS} of progress.
 */
public final class ReceiveTimeWatermarks {
    /** No progress known (a batch that did not poll the sockets). */
    public static final long NONE = Long.MIN_VALUE;
    /** Smallest advance worth a watermark: timers downstream are coarser than this anyway. */
    static final long STEP_MILLIS = 10;

    private long progress = NONE;
    private long watermark = NONE;
    private boolean idle;
    private boolean hadSplits;

    /** Everything received up to {@code receiveMillis} has been emitted (or a record received then was). */
    public void emitted(long receiveMillis) {
        if (receiveMillis > progress) {
            progress = receiveMillis;
        }
    }

    /**
     * After a {@code pollNext}: emits the progress as a watermark when it advanced enough, or
     * marks the output idle while the reader has never held a split.
     */
    public void emitTo(ReaderOutput<?> output, boolean hasSplits) {
        hadSplits |= hasSplits;
        if (progress != NONE) {
            // A record received in the same millisecond as the progress may still follow.
            long candidate = progress - 1;
            if (watermark == NONE || candidate >= watermark + STEP_MILLIS || (idle && candidate > watermark)) {
                watermark = candidate;
                idle = false;
                output.emitWatermark(new Watermark(candidate));
                return;
            }
        }
        if (!hadSplits && !idle) {
            idle = true;
            output.markIdle();
        }
    }

    /** The last watermark emitted, or {@link #NONE}. */
    public long watermark() {
        return watermark;
    }
}
