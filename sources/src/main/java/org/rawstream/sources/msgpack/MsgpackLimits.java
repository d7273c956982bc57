package org.rawstream.sources.msgpack;

import java.io.Serializable;

/** Explicit limits of the MessagePack pre-scan, with safe defaults. Immutable; see {@link #builder()}. */
public final class MsgpackLimits implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Default largest top-level value, in bytes. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;
    /** Default deepest container nesting (a top-level array is depth 1). */
    public static final int DEFAULT_MAX_DEPTH = 64;

    private static final MsgpackLimits DEFAULTS = builder().build();

    private final int maxValueBytes;
    private final int maxDepth;

    private MsgpackLimits(Builder b) {
        this.maxValueBytes = b.maxValueBytes;
        this.maxDepth = b.maxDepth;
    }

    public static MsgpackLimits defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    public int maxDepth() {
        return maxDepth;
    }

    @Override
    public String toString() {
        return "MsgpackLimits{maxValueBytes=" + maxValueBytes + ", maxDepth=" + maxDepth + "}";
    }

    /** Builder of {@link MsgpackLimits}. */
    public static final class Builder {
        private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
        private int maxDepth = DEFAULT_MAX_DEPTH;

        private Builder() {
        }

        /** Largest accepted top-level value in bytes (at least 1). */
        public Builder maxValueBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxValueBytes must be >= 1: " + bytes);
            }
            this.maxValueBytes = bytes;
            return this;
        }

        /** Deepest accepted container nesting (0 = no containers at all). */
        public Builder maxDepth(int depth) {
            if (depth < 0 || depth > 100_000) {
                throw new IllegalArgumentException("maxDepth must be in 0..100000: " + depth);
            }
            this.maxDepth = depth;
            return this;
        }

        public MsgpackLimits build() {
            return new MsgpackLimits(this);
        }
    }
}
