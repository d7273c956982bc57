package org.rawstream.sources.transport;

/** Receives the records a decoder produces; called on the receiving thread only. */
@FunctionalInterface
public interface RecordCollector<T> {
    void collect(T record);
}
