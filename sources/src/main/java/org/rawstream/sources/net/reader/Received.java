package org.rawstream.sources.net.reader;

/**
 * A record as it crosses from the fetcher thread to the reader: the value plus, for TCP, the
 * connection and the record's ordinal on it (for checkpoint acknowledgements), and its receive
 * time (the record's timestamp downstream).
 *
 * <p>Mutable and reused: {@link ReceivedBatch} hands out the same instance for every record, and
 * the emitter reads it at once; nothing may keep a reference.
 */
public final class Received<T> {
    /** {@link #connectionId()} of datagram records. */
    public static final long NO_CONNECTION = 0;

    private T record;
    private long connectionId;
    private long ordinal;
    private long receiveMillis;

    void set(T record, long connectionId, long ordinal, long receiveMillis) {
        this.record = record;
        this.connectionId = connectionId;
        this.ordinal = ordinal;
        this.receiveMillis = receiveMillis;
    }

    public T record() {
        return record;
    }

    public long connectionId() {
        return connectionId;
    }

    public long ordinal() {
        return ordinal;
    }

    /** When the fetcher thread received it (epoch milliseconds, see {@code SocketPoller#receiveMillis}). */
    public long receiveMillis() {
        return receiveMillis;
    }
}
