package org.rawstream.sources.odin;

import java.io.Serializable;

/** Limits of an ODIN-Stream receiver. Immutable; build with {@link #builder()}; safe defaults. */
public final class OdinReceiverConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int maxSchemas;
    private final int maxPendingIdentifiers;
    private final int maxHeldPerIdentifier;
    private final long maxHeldBytes;
    private final long heldTimeoutMillis;
    private final int reorderWindow;
    private final long reorderTimeoutMillis;
    private final int resyncDistance;
    private final int maxSchemaEntries;
    private final int maxTypesPerIdentifier;
    private final int maxPacketLength;

    private OdinReceiverConfig(Builder b) {
        this.maxSchemas = b.maxSchemas;
        this.maxPendingIdentifiers = b.maxPendingIdentifiers;
        this.maxHeldPerIdentifier = b.maxHeldPerIdentifier;
        this.maxHeldBytes = b.maxHeldBytes;
        this.heldTimeoutMillis = b.heldTimeoutMillis;
        this.reorderWindow = b.reorderWindow;
        this.reorderTimeoutMillis = b.reorderTimeoutMillis;
        this.resyncDistance = b.resyncDistance;
        this.maxSchemaEntries = b.maxSchemaEntries;
        this.maxTypesPerIdentifier = b.maxTypesPerIdentifier;
        this.maxPacketLength = b.maxPacketLength;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static OdinReceiverConfig defaults() {
        return builder().build();
    }

    /** Most schemas (identifiers with a schema) known at once; default 256. */
    public int maxSchemas() {
        return maxSchemas;
    }

    /** Most identifiers without a schema that may hold data or partial schemas; default 256. */
    public int maxPendingIdentifiers() {
        return maxPendingIdentifiers;
    }

    /** Most data packets held per identifier while its schema is unknown; default 64. */
    public int maxHeldPerIdentifier() {
        return maxHeldPerIdentifier;
    }

    /**
     * Most bytes of data packets held for unknown schemas, across all identifiers of a receiver
     * (a keyed subtask); a data packet that would pass it is refused and counted
     * ({@link OdinStatistics#dataRefused()}); default 8 MiB.
     */
    public long maxHeldBytes() {
        return maxHeldBytes;
    }

    /** How long data waits for its schema before it expires; default 10 s. */
    public long heldTimeoutMillis() {
        return heldTimeoutMillis;
    }

    /** Reorder window in packets (sequence numbers ahead of the next expected one); default 32. */
    public int reorderWindow() {
        return reorderWindow;
    }

    /** How long a packet waits in the reorder window for the ones before it; default 1 s. */
    public long reorderTimeoutMillis() {
        return reorderTimeoutMillis;
    }

    /**
     * A sequence further than this from the expected one (either way) is taken as a sender
     * restart: the tracker resynchronises instead of counting thousands lost; default 1024.
     */
    public int resyncDistance() {
        return resyncDistance;
    }

    /** Most entries in one schema; default 8192. */
    public int maxSchemaEntries() {
        return maxSchemaEntries;
    }

    /** Most CUSTOM struct types per identifier; default 64. */
    public int maxTypesPerIdentifier() {
        return maxTypesPerIdentifier;
    }

    /** Longest packet accepted (TCP frames are limited to this plus the CRC); default 65535. */
    public int maxPacketLength() {
        return maxPacketLength;
    }

    @Override
    public String toString() {
        return "OdinReceiverConfig{maxSchemas=" + maxSchemas + ", maxPendingIdentifiers=" + maxPendingIdentifiers
                + ", maxHeldPerIdentifier=" + maxHeldPerIdentifier + ", maxHeldBytes=" + maxHeldBytes + ", heldTimeoutMillis=" + heldTimeoutMillis
                + ", reorderWindow=" + reorderWindow + ", reorderTimeoutMillis=" + reorderTimeoutMillis
                + ", resyncDistance=" + resyncDistance + ", maxSchemaEntries=" + maxSchemaEntries
                + ", maxTypesPerIdentifier=" + maxTypesPerIdentifier + ", maxPacketLength=" + maxPacketLength + "}";
    }

    /** Builder of {@link OdinReceiverConfig}. */
    public static final class Builder {
        private int maxSchemas = 256;
        private int maxPendingIdentifiers = 256;
        private int maxHeldPerIdentifier = 64;
        private long maxHeldBytes = 8L << 20;
        private long heldTimeoutMillis = 10_000;
        private int reorderWindow = 32;
        private long reorderTimeoutMillis = 1_000;
        private int resyncDistance = 1024;
        private int maxSchemaEntries = 8192;
        private int maxTypesPerIdentifier = 64;
        private int maxPacketLength = 65535;

        private Builder() {
        }

        public Builder maxSchemas(int value) {
            this.maxSchemas = positive(value, "maxSchemas");
            return this;
        }

        public Builder maxPendingIdentifiers(int value) {
            this.maxPendingIdentifiers = positive(value, "maxPendingIdentifiers");
            return this;
        }

        public Builder maxHeldPerIdentifier(int value) {
            this.maxHeldPerIdentifier = positive(value, "maxHeldPerIdentifier");
            return this;
        }

        public Builder maxHeldBytes(long value) {
            this.maxHeldBytes = positive(value, "maxHeldBytes");
            return this;
        }

        public Builder heldTimeoutMillis(long value) {
            this.heldTimeoutMillis = positive(value, "heldTimeoutMillis");
            return this;
        }

        public Builder reorderWindow(int value) {
            if (value < 1 || value > 4096) {
                throw new IllegalArgumentException("reorderWindow must be 1..4096, got " + value);
            }
            this.reorderWindow = value;
            return this;
        }

        public Builder reorderTimeoutMillis(long value) {
            this.reorderTimeoutMillis = positive(value, "reorderTimeoutMillis");
            return this;
        }

        public Builder resyncDistance(int value) {
            if (value < 1 || value > 32767) {
                throw new IllegalArgumentException("resyncDistance must be 1..32767, got " + value);
            }
            this.resyncDistance = value;
            return this;
        }

        public Builder maxSchemaEntries(int value) {
            this.maxSchemaEntries = positive(value, "maxSchemaEntries");
            return this;
        }

        public Builder maxTypesPerIdentifier(int value) {
            this.maxTypesPerIdentifier = positive(value, "maxTypesPerIdentifier");
            return this;
        }

        public Builder maxPacketLength(int value) {
            this.maxPacketLength = positive(value, "maxPacketLength");
            return this;
        }

        public OdinReceiverConfig build() {
            if (resyncDistance < reorderWindow) {
                throw new IllegalArgumentException("resyncDistance must be at least reorderWindow");
            }
            return new OdinReceiverConfig(this);
        }

        private static int positive(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }

        private static long positive(long value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}
