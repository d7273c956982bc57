package org.rawstream.sinks.sink;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a writer subtask takes over from the attempt before it: the lineage its file names continue,
 * and the deletion of hidden files that attempt wrote after its last checkpoint (their messages are
 * replayed). Runs once, in the writer's constructor, before any file is opened.
 */
final class LeftoverRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LeftoverRecovery.class);

    private LeftoverRecovery() {}

    /** This subtask's own restored lineage, else any restored one (rescaled), else one from the job id. */
    static String chooseLineage(Collection<RawHdf5WriterState> restored, int subtask, String jobIdHex) {
        Optional<RawHdf5WriterState> own = restored.stream().filter(s -> s.subtask() == subtask).findFirst();
        if (own.isPresent()) {
            return own.get().lineage();
        }
        return restored.stream().findFirst().map(RawHdf5WriterState::lineage)
                .orElse(PartFileName.lineageOf(jobIdHex));
    }

    /**
     * Deletes, in every source directory, the hidden files of each restored state (and of this
     * subtask's own name space: a subtask that got no state on scale-up may still have leftovers of
     * an earlier attempt restored from the same checkpoint) opened after that state's checkpoint.
     * Hidden files of earlier checkpoints are referenced by committables the committer still
     * commits: kept.
     */
    static void deleteLeftovers(Collection<RawHdf5WriterState> restored, RawHdf5WriterState own,
            Collection<Path> sourceDirs) throws IOException {
        Set<RawHdf5WriterState> toClean = new LinkedHashSet<>(restored);
        toClean.add(own);
        for (RawHdf5WriterState state : toClean) {
            for (Path sourceDir : sourceDirs) {
                deleteLeftovers(state, sourceDir);
            }
        }
    }

    private static void deleteLeftovers(RawHdf5WriterState state, Path sourceDir) throws IOException {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(sourceDir, ".part-*" + PartFileName.HIDDEN_SUFFIX)) {
            for (Path path : dir) {
                Optional<PartFileName> name = PartFileName.parseHidden(path.getFileName().toString());
                if (name.isPresent() && name.get().lineage.equals(state.lineage())
                        && name.get().subtask == state.subtask()
                        && name.get().checkpoint > state.checkpointId()) {
                    Files.deleteIfExists(path);
                    LOG.info("Deleted leftover of a failed attempt after checkpoint {}: {}", state.checkpointId(), path);
                }
            }
        }
    }
}
