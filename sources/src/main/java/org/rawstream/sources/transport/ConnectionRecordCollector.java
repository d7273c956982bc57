package org.rawstream.sources.transport;

/**
 * Receives the records decoded from TCP connections with where they came from: the connection
 * and the record's 0-based ordinal on it (the count of records that connection emitted before).
 */
@FunctionalInterface
public interface ConnectionRecordCollector<T> {
    void collect(T record, long connectionId, long ordinal);
}
