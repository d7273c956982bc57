package org.rawstream.sources.pcap.source;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.rawstream.sources.net.PooledRecord;
import org.rawstream.sources.net.ReceiveTimeWatermarks;

/**
 * Emits the record with its capture time as its timestamp, then moves the file's position past it
 * (what a checkpoint now stores).
 */
final class PcapRecordEmitter<T> implements RecordEmitter<ReplayedRecord<T>, T, PcapSplitState> {
    private final ReceiveTimeWatermarks watermarks;

    PcapRecordEmitter(ReceiveTimeWatermarks watermarks) {
        this.watermarks = watermarks;
    }

    @Override
    public void emitRecord(ReplayedRecord<T> element, SourceOutput<T> output, PcapSplitState state) {
        T record = element.record;
        output.collect(record, element.captureMillis);
        watermarks.emitted(element.captureMillis);
        if (record instanceof PooledRecord) {
            ((PooledRecord) record).release(); // downstream is done with it (see PooledRecord)
        }
        state.set(element.anchorOffset, element.connectionsBefore, element.udpSenders, element.recordsAfterAnchor);
        element.record = null;
    }
}
