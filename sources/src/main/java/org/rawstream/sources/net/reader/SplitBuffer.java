package org.rawstream.sources.net.reader;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * The records one split produced in one fetch, with the receive time and (only when
 * acknowledgements are tracked) connection and ordinal per record kept in parallel primitive
 * arrays, so a record costs no wrapper object.
 */
final class SplitBuffer<T> {
    private String splitId;
    private final boolean trackOrdinals;
    private final ArrayList<T> records = new ArrayList<>();
    private long[] connectionIds;
    private long[] ordinals;
    private long[] receiveMillis = new long[16];

    SplitBuffer(String splitId, boolean trackOrdinals) {
        this.splitId = splitId;
        this.trackOrdinals = trackOrdinals;
        if (trackOrdinals) {
            connectionIds = new long[16];
            ordinals = new long[16];
        }
    }

    /** Empties the buffer for another fetch (keeps its capacity: no regrowth per fetch). */
    void reset(String newSplitId) {
        splitId = newSplitId;
        records.clear();
    }

    String splitId() {
        return splitId;
    }

    void add(T record, long connectionId, long ordinal, long receivedAt) {
        int n = records.size();
        if (n == receiveMillis.length) {
            receiveMillis = Arrays.copyOf(receiveMillis, n * 2);
        }
        receiveMillis[n] = receivedAt;
        if (trackOrdinals) {
            if (n == connectionIds.length) {
                connectionIds = Arrays.copyOf(connectionIds, n * 2);
                ordinals = Arrays.copyOf(ordinals, n * 2);
            }
            connectionIds[n] = connectionId;
            ordinals[n] = ordinal;
        }
        records.add(record);
    }

    int size() {
        return records.size();
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    /** Fill {@code into} with record {@code i}. */
    void read(int i, Received<T> into) {
        if (trackOrdinals) {
            into.set(records.get(i), connectionIds[i], ordinals[i], receiveMillis[i]);
        } else {
            into.set(records.get(i), Received.NO_CONNECTION, -1, receiveMillis[i]);
        }
    }
}
