package org.rawstream.sinks.sink;

import java.io.Serializable;

/**
 * When the sink closes a source's open part file before the next checkpoint. Every checkpoint
 * closes all open files anyway (that is when they are committed), so a policy only bounds files
 * between checkpoints. Asked on the writer's append thread, the only thread that touches files:
 * after every append ({@link #shouldRollOnAppend}) and on a processing-time timer
 * ({@link #shouldRollOnProcessingTime}) so that a time limit also fires on a source that went
 * quiet. A file rolled either way is committed at the next checkpoint like any other.
 *
 * <p>{@link RollPolicy} (size, record count, age) is the implementation the sink uses.
 */
public interface RollingPolicy extends Serializable {

    /** Whether {@code part} is closed now that a batch was appended to it. */
    boolean shouldRollOnAppend(PartFileInfo part, long nowMillis);

    /** Whether {@code part}, which may have had no append for a while, is closed at {@code nowMillis}. */
    boolean shouldRollOnProcessingTime(PartFileInfo part, long nowMillis);

    /**
     * How often the writer asks {@link #shouldRollOnProcessingTime} (on Flink's processing-time
     * service); 0 or less: never.
     */
    long processingTimeCheckMillis();

    /** What a policy may know about an open part file. */
    interface PartFileInfo {
        /** When the part's first message reached the sink writer (epoch milliseconds). */
        long firstMessageMillis();

        /** Messages in the part. */
        long messageCount();

        /** Sum of the messages' lengths in the part. */
        long payloadBytes();
    }
}
