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
}
