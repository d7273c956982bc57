package org.rawstream.core.state;

/** The one wording of "this state cannot be read", shared by both kinds of versioned serializer. */
public final class StateFormats {

    /** Where users read what to do (relative to the repository). */
    public static final String DOCS = "docs/state-compatibility.md";

    private StateFormats() {}

    /**
     * The message for state of {@code stateName} written in {@code found}, which this version
     * cannot read: it reads {@code [oldest, current]}.
     */
    public static String cannotRead(String stateName, int found, int oldest, int current) {
        String readable = oldest == current ? "format " + current : "formats " + oldest + ".." + current;
        String why = found > current
                ? "it was written by a newer RawStream version"
                : "this RawStream version no longer reads it";
        return "cannot restore " + stateName + ": the checkpoint/savepoint holds format " + found
                + " and " + why + " (this version reads " + readable + "). Resume it with the RawStream"
                + " version that wrote it, or start this version without state; see " + DOCS;
    }
}
