package org.rawstream.sources.net.reader;

import java.util.HashMap;
import java.util.Map;
import org.rawstream.sources.net.split.NetworkSplit;

/**
 * Reader-side state of a split: the split itself (nothing to advance: a socket has no position)
 * and, in acknowledging mode, per connection the number of records emitted since the last
 * checkpoint snapshot. Task thread only.
 */
final class NetworkSplitState {
    private final NetworkSplit split;
    private final Map<Long, long[]> emittedByConnection = new HashMap<>();
    private long lastConnectionId = Received.NO_CONNECTION;
    private long[] lastCount;

    NetworkSplitState(NetworkSplit split) {
        this.split = split;
    }

    NetworkSplit split() {
        return split;
    }

    /** Record {@code ordinal} of {@code connectionId} was emitted downstream. */
    void emitted(long connectionId, long ordinal) {
        if (connectionId != lastConnectionId || lastCount == null) {
            lastCount = emittedByConnection.computeIfAbsent(connectionId, id -> new long[1]);
            lastConnectionId = connectionId;
        }
        lastCount[0] = ordinal + 1;
    }

    /** Hand over the counts since the last call and start afresh. */
    Map<Long, long[]> takeEmitted() {
        if (emittedByConnection.isEmpty()) {
            return Map.of();
        }
        Map<Long, long[]> taken = new HashMap<>(emittedByConnection);
        emittedByConnection.clear();
        lastCount = null;
        lastConnectionId = Received.NO_CONNECTION;
        return taken;
    }
}
