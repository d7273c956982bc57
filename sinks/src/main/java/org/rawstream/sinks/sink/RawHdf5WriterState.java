package org.rawstream.sinks.sink;

import java.util.Objects;

/**
 * What a writer subtask checkpoints: its file-name lineage, its subtask index and the checkpoint
 * id. Enough to find, after a restore, the hidden files this subtask wrote after that checkpoint.
 */
public record RawHdf5WriterState(String lineage, int subtask, long checkpointId) {

    public RawHdf5WriterState {
        Objects.requireNonNull(lineage);
    }
}
