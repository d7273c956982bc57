package org.rawstream.sources.transport;

/**
 * A {@link StreamDecoder} that answers its peer only once its records are acknowledged: emitted
 * into the job (echo's "received" mode under the Flink source) or durable (the "durable" mode).
 *
 * <p>The server counts the records each connection's decoder passes to {@code collect}; the
 * record with ordinal {@code n} (0-based) is the (n+1)-th. When the records up to some ordinal are
 * durable (in the Flink source: the checkpoint containing them completed), the receiving thread
 * calls {@link #acknowledge(long)} with the number of durable records, never decreasing; the
 * decoder then writes its responses through the {@link ConnectionContext} it was created with.
 *
 * <p>After the peer closes its sending side, the server keeps the connection open for writing
 * while {@link #awaitingAcknowledgement()} is true (bounded by the server's linger time), so a
 * client that half-closes still gets its responses.
 */
public interface AcknowledgingStreamDecoder<T> extends StreamDecoder<T> {
    /** The first {@code durableRecords} records this decoder emitted are durable. */
    void acknowledge(long durableRecords);

    /** True while some emitted record has not been acknowledged yet. */
    boolean awaitingAcknowledgement();

    /**
     * Response bytes built and held for an acknowledgement. The server adds them to the
     * connection's unsent output when it checks the response budget
     * ({@link TcpOptions#maxOutputBytes()}): above it, the connection is not read.
     */
    long heldBytes();
}
