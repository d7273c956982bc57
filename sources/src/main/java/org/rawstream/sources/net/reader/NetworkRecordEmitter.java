package org.rawstream.sources.net.reader;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/** Emits the record; in acknowledging mode also notes its connection ordinal in the split state. */
final class NetworkRecordEmitter<T> implements RecordEmitter<Received<T>, T, NetworkSplitState> {
    private final boolean trackOrdinals;

    NetworkRecordEmitter(boolean trackOrdinals) {
        this.trackOrdinals = trackOrdinals;
    }

    @Override
    public void emitRecord(Received<T> element, SourceOutput<T> output, NetworkSplitState state) {
        output.collect(element.record());
        if (trackOrdinals && element.connectionId() != Received.NO_CONNECTION) {
            state.emitted(element.connectionId(), element.ordinal());
        }
    }
}
