package org.rawstream.sinks.sink;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The one record type that reaches the sink: which configured source it came from (its name picks
 * the output directory, protocol and io_version), the {@code io_groups} value (0..255) and the
 * message bytes.
 *
 * <p>Two kinds of message, one rule each:
 * <ul>
 *   <li><b>Owned</b> ({@link #RawMessage(String, int, byte[])}): the message takes ownership of the
 *       array without copying and never changes; {@link #bytes()} returns that same array, which
 *       nobody may modify. Valid for ever.
 *   <li><b>Leased</b> ({@link #lease}): the bytes are produced on demand by a {@link Body} that the
 *       producer lends for the duration of its {@code collect()} call only — SPEAD heap ordering
 *       lends the heap it has assembled, so that the sink encodes it straight into its batch
 *       (no 1 MiB array per heap, no copy through one). Right after {@code collect()} returns the
 *       producer calls {@link #release()}: from then on every read throws
 *       {@link IllegalStateException} — a consumer that kept the message fails loudly instead of
 *       reading recycled memory. A consumer that needs a message beyond the call keeps
 *       {@link #copy()}, which is owned.
 * </ul>
 * This is Flink's object-reuse contract (an operator must not keep an input record after
 * processing it), which the job enables; {@link RawMessageSerializer} says the truth about it:
 * not immutable, and its {@code copy} of a leased message is an owned copy.
 */
public final class RawMessage {
    /** Writes a leased message's bytes on demand. */
    public interface Body {
        /** Bytes {@link #writeTo} writes. */
        int length();

        /** Puts exactly {@link #length()} bytes at the buffer's position (advancing it). */
        void writeTo(ByteBuffer dst);
    }

    private final String source;
    private final int ioGroup;
    /** Owned bytes; null for a leased message. */
    private final byte[] bytes;
    /** Leased body; null for an owned message, and once released. */
    private Body body;
    private final boolean leased;

    public RawMessage(String source, int ioGroup, byte[] bytes) {
        this(source, ioGroup, Objects.requireNonNull(bytes, "bytes"), null);
    }

    private RawMessage(String source, int ioGroup, byte[] bytes, Body body) {
        this.source = Objects.requireNonNull(source, "source");
        if (ioGroup < 0 || ioGroup > 255) {
            throw new IllegalArgumentException("ioGroup must be 0..255, got " + ioGroup);
        }
        this.ioGroup = ioGroup;
        this.bytes = bytes;
        this.body = body;
        this.leased = body != null;
    }

    /**
     * A message whose bytes {@code body} writes, valid until {@link #release()}: the producer
     * releases it as soon as its {@code collect()} returns.
     */
    public static RawMessage lease(String source, int ioGroup, Body body) {
        return new RawMessage(source, ioGroup, null, Objects.requireNonNull(body, "body"));
    }

    /** Configured source name. */
    public String source() {
        return source;
    }

    /** The {@code io_groups} value stored with the message (0..255). */
    public int ioGroup() {
        return ioGroup;
    }

    /** Whether the message is leased (valid only until its producer releases it). */
    public boolean isLeased() {
        return leased;
    }

    /** Length of the message in bytes. */
    public int length() {
        return bytes != null ? bytes.length : body().length();
    }

    /** Puts the message's bytes at the buffer's position (advancing it). */
    public void writeTo(ByteBuffer dst) {
        if (bytes != null) {
            dst.put(bytes);
            return;
        }
        Body b = body();
        int start = dst.position();
        b.writeTo(dst);
        if (dst.position() - start != b.length()) {
            throw new IllegalStateException("message body wrote " + (dst.position() - start) + " bytes, said " + b.length());
        }
    }

    /**
     * The message bytes. Owned: the message's own array (not a copy; do not modify). Leased: a
     * new array holding them (the hot path reads leased messages with {@link #writeTo}).
     */
    public byte[] bytes() {
        if (bytes != null) {
            return bytes;
        }
        Body b = body();
        byte[] copy = new byte[b.length()];
        ByteBuffer dst = ByteBuffer.wrap(copy);
        writeTo(dst);
        return copy;
    }

    /** This message if owned, else an owned copy: a message that stays valid. */
    public RawMessage copy() {
        return bytes != null ? this : new RawMessage(source, ioGroup, bytes());
    }

    /**
     * Producer only, once its {@code collect()} returned: ends a lease (every later read throws).
     * No effect on an owned message.
     */
    public void release() {
        body = null;
    }

    private Body body() {
        Body b = body;
        if (b == null) {
            throw new IllegalStateException("leased RawMessage of source '" + source
                    + "' read after its producer released it: an operator kept it beyond processElement (keep copy() instead)");
        }
        return b;
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
        return ioGroup == other.ioGroup && source.equals(other.source) && Arrays.equals(bytes(), other.bytes());
    }

    @Override
    public int hashCode() {
        return 31 * (31 * source.hashCode() + ioGroup) + Arrays.hashCode(bytes());
    }

    @Override
    public String toString() {
        return "RawMessage{source=" + source + ", ioGroup=" + ioGroup
                + (leased ? (body == null ? ", released" : ", leased " + body.length() + " bytes") : ", bytes=" + bytes.length) + "}";
    }
}
