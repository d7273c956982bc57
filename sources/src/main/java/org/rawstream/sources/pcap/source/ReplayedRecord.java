package org.rawstream.sources.pcap.source;

import java.util.List;
import org.rawstream.sources.pcap.FlowKey;

/** A record with its capture time and the replay position after it: one mutable cursor per batch, reused for every record. */
final class ReplayedRecord<T> {
    T record;
    long captureMillis;
    long anchorOffset;
    long connectionsBefore;
    List<FlowKey> udpSenders;
    long recordsAfterAnchor;
}
