package org.rawstream.sources.spead;

/** What happens to a heap that leaves the live set incomplete (always counted either way). */
public enum IncompleteHeapPolicy {
    /** Deliver what arrived (stored as one packet per contiguous received range). */
    DELIVER,
    /** Drop it. */
    DROP
}
