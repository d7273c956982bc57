package org.rawstream.job.spead;

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
    PROCESSING_TIME
}
