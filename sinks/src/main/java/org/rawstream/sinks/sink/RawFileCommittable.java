package org.rawstream.sinks.sink;

import java.util.Objects;

/**
 * A closed, hidden part file waiting to become visible: the committer renames
 * {@code <output>/<source>/<hiddenName>} to {@code <output>/<source>/<visibleName>}.
 */
public final class RawFileCommittable {
    private final String source;
    private final String hiddenName;
    private final String visibleName;
    private final long messageCount;
    private final long payloadBytes;
    private final long closedAtMillis;

    public RawFileCommittable(
            String source, String hiddenName, String visibleName, long messageCount, long payloadBytes,
            long closedAtMillis) {
        this.source = Objects.requireNonNull(source);
        this.hiddenName = Objects.requireNonNull(hiddenName);
        this.visibleName = Objects.requireNonNull(visibleName);
        this.messageCount = messageCount;
        this.payloadBytes = payloadBytes;
        this.closedAtMillis = closedAtMillis;
    }

    public String source() {
        return source;
    }

    public String hiddenName() {
        return hiddenName;
    }

    public String visibleName() {
        return visibleName;
    }

    public long messageCount() {
        return messageCount;
    }

    public long payloadBytes() {
        return payloadBytes;
    }

    /** Wall-clock time the writer closed the file; the committer measures commit latency from it. */
    public long closedAtMillis() {
        return closedAtMillis;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RawFileCommittable)) {
            return false;
        }
        RawFileCommittable c = (RawFileCommittable) o;
        return source.equals(c.source) && hiddenName.equals(c.hiddenName) && visibleName.equals(c.visibleName)
                && messageCount == c.messageCount && payloadBytes == c.payloadBytes
                && closedAtMillis == c.closedAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, hiddenName, visibleName, messageCount, payloadBytes, closedAtMillis);
    }

    @Override
    public String toString() {
        return source + "/" + hiddenName + " -> " + visibleName + " (" + messageCount + " msgs, "
                + payloadBytes + " B)";
    }
}
