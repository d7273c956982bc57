package org.rawstream.sources.pcap.source;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out the capture files one at a time to readers that ask (like Flink's static file
 * enumeration); files a failed reader had are given back with their checkpointed positions.
 */
final class PcapSplitEnumerator implements SplitEnumerator<PcapSplit, List<PcapSplit>> {
    private static final Logger LOG = LoggerFactory.getLogger(PcapSplitEnumerator.class);

    private final SplitEnumeratorContext<PcapSplit> context;
    private final Deque<PcapSplit> pending;

    PcapSplitEnumerator(SplitEnumeratorContext<PcapSplit> context, List<PcapSplit> pending) {
        this.context = context;
        this.pending = new ArrayDeque<>(pending);
    }

    @Override
    public void start() {
        LOG.info("{} capture file(s) to replay", pending.size());
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        PcapSplit next = pending.pollFirst();
        if (next != null) {
            LOG.info("replaying {} on subtask {}", next, subtaskId);
            context.assignSplit(next, subtaskId);
        } else {
            context.signalNoMoreSplits(subtaskId);
        }
    }

    @Override
    public void addSplitsBack(List<PcapSplit> splits, int subtaskId) {
        for (int i = splits.size() - 1; i >= 0; i--) {
            pending.addFirst(splits.get(i));
        }
    }

    @Override
    public void addReader(int subtaskId) {
        // readers ask for files themselves
    }

    @Override
    public List<PcapSplit> snapshotState(long checkpointId) {
        return new ArrayList<>(pending);
    }

    @Override
    public void close() {
    }
}
