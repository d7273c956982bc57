package org.rawstream.job.spead;

import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;

/**
 * The time SPEAD's {@code heap-timeout} and {@code reorder-timeout} count.
 *
 * <p>{@link #RECEIVE_TIME} (what the job runs): each packet's timestamp is when the source's
 * receiving thread got it (a capture replay: its capture timestamp), and the source's watermark
 * says how far reception has progressed; the keyed operators use event-time timers. A backlog
 * inside the job (the source's hand-over, Flink's network buffers, a slow sink) delays the
 * watermark with the packets, so it never expires a heap whose packets are still queued, and a
 * replay at any speed decides as the live capture did. A quiet stream still expires its heaps:
 * the source advances the watermark once per poll timeout when nothing arrives.
 *
 * <p>{@link #PROCESSING_TIME}: the operator's wall clock and processing-time timers (records
 * without a receive time; the operator tests drive it).
 */
public enum HeapClock {
    RECEIVE_TIME,
    PROCESSING_TIME;

    /** A record's time: its timestamp (receive time; the wall clock if it has none) or the wall clock. */
    long now(Long timestamp, TimerService timers) {
        return this == RECEIVE_TIME && timestamp != null ? timestamp : timers.currentProcessingTime();
    }

    /** What a timer of this clock's domain sees as now: the watermark or the wall clock. */
    long timerNow(TimerService timers) {
        return this == RECEIVE_TIME ? timers.currentWatermark() : timers.currentProcessingTime();
    }

    /** A timer at {@code time} in this clock's domain: event time or processing time. */
    void register(TimerService timers, long time) {
        if (this == RECEIVE_TIME) {
            timers.registerEventTimeTimer(time);
        } else {
            timers.registerProcessingTimeTimer(time);
        }
    }

    /**
     * A processing-time timer while counting receive time: restored from a savepoint of a version
     * that counted processing time. It decides nothing itself (the wall clock is not the time the
     * rules count); the caller re-arms in event time instead.
     */
    boolean isLegacyTimer(TimeDomain domain) {
        return this == RECEIVE_TIME && domain == TimeDomain.PROCESSING_TIME;
    }
}
