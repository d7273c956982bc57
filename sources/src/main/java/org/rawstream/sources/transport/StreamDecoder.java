package org.rawstream.sources.transport;

import java.nio.ByteBuffer;

/**
 * Decodes one TCP connection's byte stream. One instance per connection, used by one thread.
 *
 * <p>{@code chunk} is a view over the server's reusable read buffer, valid only during the call:
 * bytes of an incomplete record must be copied (buffered) by the decoder.
 */
public interface StreamDecoder<T> {
    /**
     * Feed the next chunk (any size). Return false on an unrecoverable framing error: the
     * connection is closed (and counted).
     */
    boolean feed(ByteBuffer chunk, RecordCollector<T> out, DecodeErrors errors);

    /** End of the connection: flush what is complete, discard (and count) a partial record. */
    void endOfStream(RecordCollector<T> out, DecodeErrors errors);

    /**
     * True while a record (frame) is partly received: the server's frame timeout applies then.
     * Decoders that cannot tell return false (the default), and only the idle timeout applies.
     */
    default boolean hasPartialRecord() {
        return false;
    }

    /**
     * Heap bytes this decoder holds (buffer capacities: a partial frame, responses held for an
     * acknowledgement), for the server's {@code connectionBufferBytes} gauge. 0 if unknown.
     */
    default long bufferedBytes() {
        return 0;
    }

    /**
     * The connection is closed, for whatever reason (after {@link #endOfStream} if the peer ended
     * it). Release what the decoder holds and settle its gauges; no other call follows.
     */
    default void connectionClosed() {
    }
}
