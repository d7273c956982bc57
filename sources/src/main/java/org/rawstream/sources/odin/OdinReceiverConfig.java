package org.rawstream.sources.odin;

import static org.rawstream.core.config.ConfigChecks.atLeast;
import static org.rawstream.core.config.ConfigChecks.inRange;

import java.io.Serializable;

/**
 * Limits of an ODIN-Stream receiver. Immutable; build with {@link #builder()}; safe defaults.
 *
 * @param maxSchemas most schemas (identifiers with a schema) known at once; default 256
 * @param maxPendingIdentifiers most identifiers without a schema that may hold data or partial
 *     schemas; default 256
 * @param maxHeldPerIdentifier most data packets held per identifier while its schema is unknown;
 *     default 64
 * @param maxHeldBytes most bytes of data packets held for unknown schemas, across all identifiers
 *     of a receiver (a keyed subtask); a data packet that would pass it is refused and counted
 *     ({@link OdinStatistics#dataRefused()}); default 8 MiB
 * @param heldTimeoutMillis how long data waits for its schema before it expires; default 10 s
 * @param reorderWindow reorder window in packets (sequence numbers ahead of the next expected one);
 *     1..4096, default 32
 * @param reorderTimeoutMillis how long a packet waits in the reorder window for the ones before it;
 *     default 1 s
 * @param resyncDistance a sequence further than this from the expected one (either way) is taken as
 *     a sender restart: the tracker resynchronises instead of counting thousands lost; at least
 *     {@code reorderWindow}, at most 32767, default 1024
 * @param maxSchemaEntries most entries in one schema; default 8192
 * @param maxTypesPerIdentifier most CUSTOM struct types per identifier; default 64
 * @param maxPacketLength longest packet accepted (TCP frames are limited to this plus the CRC);
 *     default 65535
 */
public record OdinReceiverConfig(
        int maxSchemas,
        int maxPendingIdentifiers,
        int maxHeldPerIdentifier,
        long maxHeldBytes,
        long heldTimeoutMillis,
        int reorderWindow,
        long reorderTimeoutMillis,
        int resyncDistance,
        int maxSchemaEntries,
        int maxTypesPerIdentifier,
        int maxPacketLength)
        implements Serializable {

    public OdinReceiverConfig {
        atLeast(maxSchemas, 1, "maxSchemas");
        atLeast(maxPendingIdentifiers, 1, "maxPendingIdentifiers");
        atLeast(maxHeldPerIdentifier, 1, "maxHeldPerIdentifier");
        atLeast(maxHeldBytes, 1, "maxHeldBytes");
        atLeast(heldTimeoutMillis, 1, "heldTimeoutMillis");
        inRange(reorderWindow, 1, 4096, "reorderWindow");
        atLeast(reorderTimeoutMillis, 1, "reorderTimeoutMillis");
        inRange(resyncDistance, reorderWindow, 32767, "resyncDistance (at least reorderWindow)");
        atLeast(maxSchemaEntries, 1, "maxSchemaEntries");
        atLeast(maxTypesPerIdentifier, 1, "maxTypesPerIdentifier");
        atLeast(maxPacketLength, 1, "maxPacketLength");
    }

    public static Builder builder() {
        return new Builder();
    }

    public static OdinReceiverConfig defaults() {
        return builder().build();
    }

    /** Builder of {@link OdinReceiverConfig}: the defaults; the record checks the values. */
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
            this.maxSchemas = value;
            return this;
        }

        public Builder maxPendingIdentifiers(int value) {
            this.maxPendingIdentifiers = value;
            return this;
        }

        public Builder maxHeldPerIdentifier(int value) {
            this.maxHeldPerIdentifier = value;
            return this;
        }

        public Builder maxHeldBytes(long value) {
            this.maxHeldBytes = value;
            return this;
        }

        public Builder heldTimeoutMillis(long value) {
            this.heldTimeoutMillis = value;
            return this;
        }

        public Builder reorderWindow(int value) {
            this.reorderWindow = value;
            return this;
        }

        public Builder reorderTimeoutMillis(long value) {
            this.reorderTimeoutMillis = value;
            return this;
        }

        public Builder resyncDistance(int value) {
            this.resyncDistance = value;
            return this;
        }

        public Builder maxSchemaEntries(int value) {
            this.maxSchemaEntries = value;
            return this;
        }

        public Builder maxTypesPerIdentifier(int value) {
            this.maxTypesPerIdentifier = value;
            return this;
        }

        public Builder maxPacketLength(int value) {
            this.maxPacketLength = value;
            return this;
        }

        public OdinReceiverConfig build() {
            return new OdinReceiverConfig(maxSchemas, maxPendingIdentifiers, maxHeldPerIdentifier, maxHeldBytes,
                    heldTimeoutMillis, reorderWindow, reorderTimeoutMillis, resyncDistance, maxSchemaEntries,
                    maxTypesPerIdentifier, maxPacketLength);
        }
    }
}
