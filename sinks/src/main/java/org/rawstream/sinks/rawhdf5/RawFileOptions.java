package org.rawstream.sinks.rawhdf5;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What goes into {@code /meta} of a new raw-HDF5 file, and how its bytes reach the disk. Immutable;
 * build with {@link #builder()}.
 */
public final class RawFileOptions {

    /** The latest raw-HDF5 format version, the default for new files. */
    public static final String LATEST_VERSION = "0.0";

    private final String version;
    private final String ioVersion;
    private final Map<String, String> attributes;
    private final boolean directWrites;

    private RawFileOptions(Builder b) {
        this.version = b.version;
        this.ioVersion = b.ioVersion;
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.attributes));
        this.directWrites = b.directWrites;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String version() {
        return version;
    }

    /** The message encoding version, or null when the file has none. */
    public String ioVersion() {
        return ioVersion;
    }

    /** Extra scalar UTF-8 string attributes of {@code /meta} (for example {@code protocol}), in insertion order. */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** Whether large writes bypass the page cache (see {@link Builder#directWrites}). */
    public boolean directWrites() {
        return directWrites;
    }

    @Override
    public String toString() {
        return "RawFileOptions{version=" + version + ", ioVersion=" + ioVersion + ", attributes=" + attributes
                + ", directWrites=" + directWrites + '}';
    }

    /** Builder for {@link RawFileOptions}. */
    public static final class Builder {
        private static final java.util.Set<String> RESERVED =
                java.util.Set.of("version", "io_version", "created", "modified");

        private String version = LATEST_VERSION;
        private String ioVersion;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private boolean directWrites = true;

        private Builder() {}

        /** The file format version, "major.minor"; default {@value RawFileOptions#LATEST_VERSION}. */
        public Builder version(String version) {
            RawFileVersion.parse(version); // fail early on a malformed version
            this.version = version;
            return this;
        }

        /** The message encoding version, "major.minor", or null for none. */
        public Builder ioVersion(String ioVersion) {
            if (ioVersion != null) {
                RawFileVersion.parse(ioVersion);
            }
            this.ioVersion = ioVersion;
            return this;
        }

        /** An extra scalar variable-length UTF-8 attribute of {@code /meta}. */
        public Builder attribute(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty() || RESERVED.contains(name)) {
                throw new IllegalArgumentException("attribute name '" + name + "' is reserved or empty");
            }
            if (name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                // HDF5 strings are NUL-terminated: the rest would be silently lost.
                throw new IllegalArgumentException("attribute '" + name.replace('\0', '?') + "' contains a NUL character");
            }
            attributes.put(name, value);
            return this;
        }

        /**
         * Write the whole disk blocks of large writes (64 KiB and more) with {@code O_DIRECT}, past
         * the page cache (default true); false: every byte through the page cache, as libhdf5's
         * default driver. The file's bytes are the same either way; a file system that refuses
         * {@code O_DIRECT} is written through the page cache.
         */
        public Builder directWrites(boolean direct) {
            this.directWrites = direct;
            return this;
        }

        public RawFileOptions build() {
            return new RawFileOptions(this);
        }
    }
}
