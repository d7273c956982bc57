package org.rawstream.sinks.sink;

import java.util.Objects;

/**
 * What a writer subtask checkpoints: its file-name lineage, its subtask index and the checkpoint
 * id. Enough to find, after a restore, the hidden files this subtask wrote after that checkpoint.
 */
public final class RawHdf5WriterState {
    private final String lineage;
    private final int subtask;
    private final long checkpointId;

    public RawHdf5WriterState(String lineage, int subtask, long checkpointId) {
        this.lineage = Objects.requireNonNull(lineage);
        this.subtask = subtask;
        this.checkpointId = checkpointId;
    }

    public String lineage() {
        return lineage;
    }

    public int subtask() {
        return subtask;
    }

    public long checkpointId() {
        return checkpointId;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RawHdf5WriterState)) {
            return false;
        }
        RawHdf5WriterState s = (RawHdf5WriterState) o;
        return lineage.equals(s.lineage) && subtask == s.subtask && checkpointId == s.checkpointId;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lineage, subtask, checkpointId);
    }

    @Override
    public String toString() {
        return "RawHdf5WriterState{lineage=" + lineage + ", subtask=" + subtask + ", checkpointId=" + checkpointId + "}";
    }
}
