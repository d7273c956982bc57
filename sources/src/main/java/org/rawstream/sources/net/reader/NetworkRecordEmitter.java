package org.rawstream.sources.net.reader;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.rawstream.sources.net.PooledRecord;

/** Emits the record; in acknowledging mode also notes its connection ordinal in the split state. */
final class NetworkRecordEmitter<T> implements RecordEmitter<Received<T>, T, NetworkSplitState> {
    private final boolean trackOrdinals;

    NetworkRecordEmitter(boolean trackOrdinals) {
        this.trackOrdinals = trackOrdinals;
    }

    @Override
    public void emitRecord(Received<T> element, SourceOutput<T> output, NetworkSplitState state) {
        T record = element.record();
        output.collect(record);
        if (record instanceof PooledRecord pooled) {
            pooled.release(); // downstream is done with it (see PooledRecord)
        }
        if (trackOrdinals && element.connectionId() != Received.NO_CONNECTION) {
            state.emitted(element.connectionId(), element.ordinal());
        }
    }
}
