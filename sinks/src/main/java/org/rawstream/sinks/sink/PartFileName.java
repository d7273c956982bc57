package org.rawstream.sinks.sink;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic part-file names. Visible (committed) name:
 * {@code part-<lineage>-<subtask>-<checkpoint>-<seq>.h5}; while written and until committed the file
 * is hidden as {@code .part-...h5.inprogress}.
 *
 * <ul>
 *   <li>{@code lineage}: 8 hex digits of the Flink job id that first ran this sink; carried in
 *       writer state, so a restored job keeps it and a fresh job writes distinct names;
 *   <li>{@code subtask}: the writer subtask index;
 *   <li>{@code checkpoint}: one more than the last checkpoint this writer snapshotted when the file
 *       was opened, i.e. the file only holds data after that checkpoint. After a restore from
 *       checkpoint C, hidden files of the same lineage and subtask with {@code checkpoint > C} are
 *       leftovers of a failed attempt; files with {@code checkpoint <= C} are referenced by
 *       committables in checkpoint C and must be kept;
 *   <li>{@code seq}: a per-subtask counter of the files opened since the last checkpoint (reset at
 *       each checkpoint), shared by all sources of the subtask, so one source's numbers can skip.
 * </ul>
 */
final class PartFileName {
    static final String SUFFIX = ".h5";
    static final String HIDDEN_SUFFIX = ".h5.inprogress";

    private static final Pattern HIDDEN =
            Pattern.compile("\\.part-([0-9a-f]{1,32})-(\\d+)-(\\d+)-(\\d+)\\.h5\\.inprogress");

    final String lineage;
    final int subtask;
    final long checkpoint;
    final int seq;

    PartFileName(String lineage, int subtask, long checkpoint, int seq) {
        this.lineage = lineage;
        this.subtask = subtask;
        this.checkpoint = checkpoint;
        this.seq = seq;
    }

    String visible() {
        return String.format("part-%s-%d-%06d-%03d%s", lineage, subtask, checkpoint, seq, SUFFIX);
    }

    String hidden() {
        return "." + visible().substring(0, visible().length() - SUFFIX.length()) + HIDDEN_SUFFIX;
    }

    /** Parses a hidden in-progress name; empty for anything else. */
    static Optional<PartFileName> parseHidden(String fileName) {
        Matcher m = HIDDEN.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PartFileName(
                    m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)), Integer.parseInt(m.group(4))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The lineage tag derived from a Flink job id's hex form. */
    static String lineageOf(String jobIdHex) {
        String hex = jobIdHex.toLowerCase(java.util.Locale.ROOT).replaceAll("[^0-9a-f]", "");
        return hex.length() >= 8 ? hex.substring(0, 8) : (hex.isEmpty() ? "0" : hex);
    }
}
