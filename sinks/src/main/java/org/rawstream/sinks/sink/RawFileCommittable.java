package org.rawstream.sinks.sink;

import java.util.Objects;

/**
 * A closed, hidden part file waiting to become visible: the committer renames
 * {@code <output>/<source>/<hiddenName>} to {@code <output>/<source>/<visibleName>}.
 *
 * @param closedAtMillis wall-clock time the writer closed the file; the committer measures commit
 *     latency from it
 */
public record RawFileCommittable(
        String source, String hiddenName, String visibleName, long messageCount, long payloadBytes,
        long closedAtMillis) {

    public RawFileCommittable {
        Objects.requireNonNull(source);
        Objects.requireNonNull(hiddenName);
        Objects.requireNonNull(visibleName);
    }

    @Override
    public String toString() {
        return source + "/" + hiddenName + " -> " + visibleName + " (" + messageCount + " msgs, "
                + payloadBytes + " B)";
    }
}
