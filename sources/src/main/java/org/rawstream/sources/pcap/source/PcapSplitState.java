package org.rawstream.sources.pcap.source;

import java.util.List;
import org.rawstream.sources.pcap.FlowKey;
import org.rawstream.sources.pcap.ReplayPosition;

/** A file being replayed: the position after the last record emitted (task thread only). */
final class PcapSplitState {
    private final PcapSplit split;
    private long anchorOffset;
    private long connectionsBefore;
    private List<FlowKey> udpSenders;
    private long recordsAfterAnchor;

    PcapSplitState(PcapSplit split) {
        this.split = split;
        ReplayPosition p = split.position();
        set(p.anchorOffset(), p.connectionsBefore(), p.udpSenders(), p.recordsAfterAnchor());
    }

    void set(long anchor, long connections, List<FlowKey> senders, long records) {
        this.anchorOffset = anchor;
        this.connectionsBefore = connections;
        this.udpSenders = senders;
        this.recordsAfterAnchor = records;
    }

    PcapSplit toSplit() {
        return split.at(new ReplayPosition(anchorOffset, connectionsBefore, udpSenders, recordsAfterAnchor));
    }
}
