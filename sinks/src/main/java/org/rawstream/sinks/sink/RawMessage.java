package org.rawstream.sinks.sink;

import java.util.Arrays;
import java.util.Objects;

/**
 * The one record type that reaches the sink: which configured source it came from (its name picks
 * the output directory, protocol and io_version), the {@code io_groups} value (0..255) and the
 * message bytes.
 *
 * <p>Immutable by contract: the constructor takes ownership of {@code bytes} without copying (the
 * hot path must not copy every message twice) and {@link #bytes()} returns that same array.
 * Neither the producer nor a consumer may modify it while the message is in flight. This is what
 * lets {@link RawMessageSerializer} declare the type immutable, so Flink does not copy records
 * between chained operators.
 *
 * <p>A message is in flight until the producer's {@code collect()} returns: by then a chained
 * consumer has processed it and a shuffle has serialized it. Consumers therefore must not keep the
 * message or its array beyond that call ({@code RawHdf5SinkWriter.write} copies the bytes into its
 * batch), and a producer may recycle the array afterwards (SPEAD heap ordering reuses its 1 MiB
 * message buffers this way).
 */
public final class RawMessage {
    private final String source;
    private final int ioGroup;
    private final byte[] bytes;

    public RawMessage(String source, int ioGroup, byte[] bytes) {
        this.source = Objects.requireNonNull(source, "source");
        if (ioGroup < 0 || ioGroup > 255) {
            throw new IllegalArgumentException("ioGroup must be 0..255, got " + ioGroup);
        }
        this.ioGroup = ioGroup;
        this.bytes = Objects.requireNonNull(bytes, "bytes");
    }

    /** Configured source name. */
    public String source() {
        return source;
    }

    /** The {@code io_groups} value stored with the message (0..255). */
    public int ioGroup() {
        return ioGroup;
    }

    /** The message bytes (not a copy; do not modify). */
    public byte[] bytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RawMessage)) {
            return false;
        }
        RawMessage other = (RawMessage) o;
        return ioGroup == other.ioGroup && source.equals(other.source) && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * source.hashCode() + ioGroup) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "RawMessage{source=" + source + ", ioGroup=" + ioGroup + ", bytes=" + bytes.length + "}";
    }
}
