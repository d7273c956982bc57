package org.rawstream.sources.pcap;

import java.util.List;

/**
 * Receives the records of a capture replay, each with its capture time (epoch milliseconds of the
 * packet that completed it, never decreasing within a replay) and the replay position just after
 * it (the fields of a {@link ReplayPosition}, passed apart so no object is made per record).
 */
@FunctionalInterface
public interface ReplayOutput<T> {
    void emit(T record, long captureMillis, long anchorOffset, long connectionsBefore, List<FlowKey> udpSenders,
            long recordsAfterAnchor);
}
