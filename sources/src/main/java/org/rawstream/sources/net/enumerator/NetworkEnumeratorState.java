package org.rawstream.sources.net.enumerator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rawstream.sources.net.split.NetworkSplit;

/**
 * The enumerator's checkpoint: whether the splits were created, and the splits not yet handed to
 * their reader, by owning subtask. Splits already assigned live in the readers' state.
 */
public final class NetworkEnumeratorState {
    private final boolean splitsCreated;
    private final Map<Integer, List<NetworkSplit>> unassigned;

    public NetworkEnumeratorState(boolean splitsCreated, Map<Integer, List<NetworkSplit>> unassigned) {
        this.splitsCreated = splitsCreated;
        Map<Integer, List<NetworkSplit>> copy = new TreeMap<>();
        unassigned.forEach((subtask, splits) -> copy.put(subtask, Collections.unmodifiableList(new ArrayList<>(splits))));
        this.unassigned = Collections.unmodifiableMap(copy);
    }

    public static NetworkEnumeratorState initial() {
        return new NetworkEnumeratorState(false, Map.of());
    }

    public boolean splitsCreated() {
        return splitsCreated;
    }

    public Map<Integer, List<NetworkSplit>> unassigned() {
        return unassigned;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkEnumeratorState
                && splitsCreated == ((NetworkEnumeratorState) o).splitsCreated
                && unassigned.equals(((NetworkEnumeratorState) o).unassigned);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(splitsCreated) * 31 + unassigned.hashCode();
    }

    @Override
    public String toString() {
        return "NetworkEnumeratorState{splitsCreated=" + splitsCreated + ", unassigned=" + unassigned + "}";
    }
}
