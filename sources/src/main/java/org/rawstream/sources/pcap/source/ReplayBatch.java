package org.rawstream.sources.pcap.source;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.rawstream.sources.pcap.FlowKey;
import org.rawstream.sources.pcap.ReplayOutput;

/** The records one fetch replayed from one file, with their capture times and positions (parallel arrays). */
final class ReplayBatch<T> implements RecordsWithSplitIds<ReplayedRecord<T>>, ReplayOutput<T> {
    private final String splitId;
    private final ReplayedRecord<T> cursor = new ReplayedRecord<>();
    private Object[] records = new Object[64];
    private long[] captureMillis = new long[64];
    private long[] anchors = new long[64];
    private long[] connections = new long[64];
    private Object[] senders = new Object[64];
    private long[] after = new long[64];
    private int size;
    private int next;
    private boolean splitReturned;
    private boolean finished;

    ReplayBatch(String splitId) {
        this.splitId = splitId;
    }

    static <T> ReplayBatch<T> empty() {
        ReplayBatch<T> b = new ReplayBatch<>(null);
        b.splitReturned = true;
        return b;
    }

    @Override
    public void emit(T record, long capturedAt, long anchorOffset, long connectionsBefore, List<FlowKey> udpSenders,
            long recordsAfterAnchor) {
        if (size == records.length) {
            int n = size * 2;
            records = Arrays.copyOf(records, n);
            captureMillis = Arrays.copyOf(captureMillis, n);
            anchors = Arrays.copyOf(anchors, n);
            connections = Arrays.copyOf(connections, n);
            senders = Arrays.copyOf(senders, n);
            after = Arrays.copyOf(after, n);
        }
        records[size] = record;
        captureMillis[size] = capturedAt;
        anchors[size] = anchorOffset;
        connections[size] = connectionsBefore;
        senders[size] = udpSenders;
        after[size] = recordsAfterAnchor;
        size++;
    }

    void finish() {
        finished = true;
    }

    int size() {
        return size;
    }

    @Override
    public String nextSplit() {
        if (splitReturned) {
            return null;
        }
        splitReturned = true;
        return splitId;
    }

    @Override
    @SuppressWarnings("unchecked") // records holds only Ts
    public ReplayedRecord<T> nextRecordFromSplit() {
        if (next >= size) {
            return null;
        }
        cursor.record = (T) records[next];
        cursor.captureMillis = captureMillis[next];
        cursor.anchorOffset = anchors[next];
        cursor.connectionsBefore = connections[next];
        cursor.udpSenders = (List<FlowKey>) senders[next];
        cursor.recordsAfterAnchor = after[next];
        records[next] = null;
        next++;
        return cursor;
    }

    @Override
    public Set<String> finishedSplits() {
        return finished ? Collections.singleton(splitId) : Collections.emptySet();
    }
}
