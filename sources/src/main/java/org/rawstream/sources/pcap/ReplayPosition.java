package org.rawstream.sources.pcap;

import java.util.List;
import java.util.Objects;

/**
 * Where a replay of one capture file stands, in a form that survives a restart.
 *
 * <p>An <em>anchor</em> is a record boundary where no TCP connection of the replay was open, so
 * reading can restart there with fresh decoders. The position is the latest anchor, what a fresh
 * start there must know (the TCP connections numbered before it, so streams keep their names, and
 * the UDP senders seen before it, so they are ended at the end of the file), and how many records
 * were emitted after it (they are decoded again and skipped). With UDP only, every packet ends at
 * an anchor; a TCP connection holds the anchor at its start until it closes.
 */
public final class ReplayPosition {
    /** The start of a file. */
    public static final ReplayPosition START = new ReplayPosition(0, 0, List.of(), 0);

    private final long anchorOffset;
    private final long connectionsBefore;
    private final List<FlowKey> udpSenders;
    private final long recordsAfterAnchor;

    /**
     * @param anchorOffset file offset of the anchor record (0 = the start of the file)
     * @param udpSenders not copied: callers pass an immutable list
     */
    public ReplayPosition(long anchorOffset, long connectionsBefore, List<FlowKey> udpSenders, long recordsAfterAnchor) {
        this.anchorOffset = anchorOffset;
        this.connectionsBefore = connectionsBefore;
        this.udpSenders = Objects.requireNonNull(udpSenders);
        this.recordsAfterAnchor = recordsAfterAnchor;
    }

    public long anchorOffset() { return anchorOffset; }
    public long connectionsBefore() { return connectionsBefore; }
    /** UDP flows (sender to endpoint) seen before the anchor, in order of first appearance. */
    public List<FlowKey> udpSenders() { return udpSenders; }
    public long recordsAfterAnchor() { return recordsAfterAnchor; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReplayPosition)) {
            return false;
        }
        ReplayPosition p = (ReplayPosition) o;
        return anchorOffset == p.anchorOffset && connectionsBefore == p.connectionsBefore
                && recordsAfterAnchor == p.recordsAfterAnchor && udpSenders.equals(p.udpSenders);
    }

    @Override
    public int hashCode() {
        return Objects.hash(anchorOffset, connectionsBefore, recordsAfterAnchor, udpSenders.size());
    }

    @Override
    public String toString() {
        return "anchor " + anchorOffset + " + " + recordsAfterAnchor + " records (" + connectionsBefore
                + " connections, " + udpSenders.size() + " udp senders before)";
    }
}
