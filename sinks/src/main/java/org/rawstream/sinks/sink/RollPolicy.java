package org.rawstream.sinks.sink;

import static org.rawstream.core.config.ConfigChecks.atLeast;
import static org.rawstream.core.config.ConfigChecks.positive;

import java.time.Duration;

/**
 * When the sink closes the open file of a source before the next checkpoint: at a size, a record
 * count or an age. Every checkpoint closes the open files anyway (that is when they are committed),
 * so these limits bound files between checkpoints. Size and count are checked after each append;
 * the age (counted from the file's first message) also on a processing-time timer every tenth of
 * it (at least 100 ms, at most a minute), so a file on a source that went quiet still closes about
 * {@code maxFileAge} after its first message and is committed at the next checkpoint.
 */
public final class RollPolicy implements RollingPolicy {
    private static final long serialVersionUID = 1L;
    private static final long MIN_CHECK_MILLIS = 100;
    private static final long MAX_CHECK_MILLIS = 60_000;

    private final long maxFileBytes;
    private final long maxFileRecords;
    private final long maxFileAgeMillis;

    private RollPolicy(Builder b) {
        this.maxFileBytes = b.maxFileBytes;
        this.maxFileRecords = b.maxFileRecords;
        this.maxFileAgeMillis = b.maxFileAge.toMillis();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** 256 MiB, 1 000 000 records, 15 minutes. */
    public static RollPolicy defaults() {
        return builder().build();
    }

    public long maxFileBytes() {
        return maxFileBytes;
    }

    public long maxFileRecords() {
        return maxFileRecords;
    }

    public long maxFileAgeMillis() {
        return maxFileAgeMillis;
    }

    @Override
    public boolean shouldRollOnAppend(PartFileInfo part, long nowMillis) {
        return shouldRoll(part.payloadBytes(), part.messageCount(), nowMillis - part.firstMessageMillis());
    }

    boolean shouldRoll(long fileBytes, long fileRecords, long ageMillis) {
        return fileBytes >= maxFileBytes || fileRecords >= maxFileRecords || ageMillis >= maxFileAgeMillis;
    }

    @Override
    public boolean shouldRollOnProcessingTime(PartFileInfo part, long nowMillis) {
        return nowMillis - part.firstMessageMillis() >= maxFileAgeMillis;
    }

    /** A tenth of the maximum age, within [100 ms, 1 min]: a file closes at most that late. */
    @Override
    public long processingTimeCheckMillis() {
        return Math.max(MIN_CHECK_MILLIS, Math.min(MAX_CHECK_MILLIS, maxFileAgeMillis / 10));
    }

    @Override
    public String toString() {
        return "RollPolicy{maxFileBytes=" + maxFileBytes + ", maxFileRecords=" + maxFileRecords
                + ", maxFileAge=" + Duration.ofMillis(maxFileAgeMillis) + "}";
    }

    /** Builder with the defaults above. */
    public static final class Builder {
        private long maxFileBytes = 256L << 20;
        private long maxFileRecords = 1_000_000L;
        private Duration maxFileAge = Duration.ofMinutes(15);

        private Builder() {}

        public Builder maxFileBytes(long bytes) {
            this.maxFileBytes = atLeast(bytes, 1, "maxFileBytes");
            return this;
        }

        public Builder maxFileRecords(long records) {
            this.maxFileRecords = atLeast(records, 1, "maxFileRecords");
            return this;
        }

        public Builder maxFileAge(Duration age) {
            this.maxFileAge = positive(age, "maxFileAge");
            return this;
        }

        public RollPolicy build() {
            return new RollPolicy(this);
        }
    }
}
