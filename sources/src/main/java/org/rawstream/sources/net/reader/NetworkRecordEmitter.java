package org.rawstream.sources.net.reader;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.rawstream.sources.net.PooledRecord;
import org.rawstream.sources.net.ReceiveTimeWatermarks;

/**
 * Emits the record with its receive time as its timestamp; in acknowledging mode also notes its
 * connection ordinal in the split state.
 */
final class NetworkRecordEmitter<T> implements RecordEmitter<Received<T>, T, NetworkSplitState> {
    private final boolean trackOrdinals;
    private final ReceiveTimeWatermarks watermarks;

    NetworkRecordEmitter(boolean trackOrdinals, ReceiveTimeWatermarks watermarks) {
        this.trackOrdinals = trackOrdinals;
        this.watermarks = watermarks;
    }

    @Override
    public void emitRecord(Received<T> element, SourceOutput<T> output, NetworkSplitState state) {
        T record = element.record();
        output.collect(record, element.receiveMillis());
        watermarks.emitted(element.receiveMillis());
        if (record instanceof PooledRecord pooled) {
            pooled.release(); // downstream is done with it (see PooledRecord)
        }
        if (trackOrdinals && element.connectionId() != Received.NO_CONNECTION) {
            state.emitted(element.connectionId(), element.ordinal());
        }
    }
}
