package org.rawstream.sources.echo;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Splits one connection's byte stream into echo frame payloads, fed in chunks of any size.
 *
 * <p>A frame that lies wholly inside a chunk is handed out as a view of that chunk (no copy).
 * Only a frame that straddles chunks is copied, once, into an accumulation buffer that grows
 * as its bytes arrive (never to the declared size up front, so a lying size field cannot
 * allocate memory the peer never sends). The view passed to the consumer has position at
 * {@code api_key} and limit at the frame's end; it is valid only during the call and must not
 * be retained (copy what you keep).
 *
 * <p>A size field that is negative, below the two header bytes or above the maximum is a
 * protocol error: the framer stops accepting bytes and the connection must be closed. Not
 * thread-safe: one framer per connection.
 */
public final class EchoFramer {
    /** Bytes of the size field in front of every frame. */
    public static final int SIZE_FIELD_BYTES = 4;
    /** api_key and sequence: the least a payload can hold. */
    public static final int HEADER_BYTES = 2;
    /** Default largest accepted payload size S. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 8 * 1024 * 1024;

    private static final int MIN_ACCUMULATOR = 4096;
    /** Largest accumulation buffer kept between frames. */
    private static final int RETAINED_ACCUMULATOR = 1024 * 1024;

    private final int maxFrameSize;
    /** Size-field bytes of a frame whose size field straddles chunks. */
    private int sizeBytesHave;
    private int sizeValue;
    /** Payload size of the frame being accumulated, or -1 when none is. */
    private int pendingSize = -1;
    private ByteBuffer accumulator;
    private EchoErrorKind protocolError;
    private long frameCount;
    private long copiedFrameCount;

    public EchoFramer() {
        this(DEFAULT_MAX_FRAME_SIZE);
    }

    public EchoFramer(int maxFrameSize) {
        if (maxFrameSize < HEADER_BYTES) {
            throw new IllegalArgumentException("maxFrameSize must be >= " + HEADER_BYTES + ": " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * Consumes all remaining bytes of {@code chunk}, handing every frame completed by them to
     * {@code frames} in order.
     *
     * @return false on a framing error (see {@link #protocolError()}): the connection must be
     *     closed; the rest of the chunk and all later input are ignored.
     */
    public boolean feed(ByteBuffer chunk, Consumer<ByteBuffer> frames) {
        if (protocolError != null) {
            return false;
        }
        int pos = chunk.position();
        final int end = chunk.limit();
        ByteBuffer view = null;
        while (pos < end) {
            if (pendingSize >= 0) {
                pos = accumulate(chunk, pos, end, frames);
            } else if (sizeBytesHave == 0 && end - pos >= SIZE_FIELD_BYTES) {
                int size = chunk.getInt(pos);
                if (!checkSize(size)) {
                    chunk.position(end);
                    return false;
                }
                int payloadStart = pos + SIZE_FIELD_BYTES;
                if (end - payloadStart >= size) {
                    if (view == null) {
                        view = chunk.duplicate(); // one view object per chunk, re-pointed per frame
                    }
                    view.limit(payloadStart + size).position(payloadStart);
                    frameCount++;
                    frames.accept(view);
                    pos = payloadStart + size;
                } else {
                    startAccumulating(size);
                    pos = payloadStart;
                }
            } else {
                sizeValue = (sizeValue << 8) | (chunk.get(pos++) & 0xFF);
                if (++sizeBytesHave == SIZE_FIELD_BYTES) {
                    int size = sizeValue;
                    sizeBytesHave = 0;
                    sizeValue = 0;
                    if (!checkSize(size)) {
                        chunk.position(end);
                        return false;
                    }
                    startAccumulating(size);
                }
            }
        }
        chunk.position(end);
        return true;
    }

    /**
     * The connection ended. Discards a partial frame (or partial size field).
     *
     * @return true when something partial was discarded (count it as
     *     {@link EchoErrorKind#TRUNCATED_AT_EOF})
     */
    public boolean endOfStream() {
        boolean partial = pendingSize >= 0 || sizeBytesHave > 0;
        pendingSize = -1;
        sizeBytesHave = 0;
        sizeValue = 0;
        if (accumulator != null) {
            accumulator.clear();
        }
        return partial && protocolError == null;
    }

    /** The framing error that stopped this framer, or null. */
    public EchoErrorKind protocolError() {
        return protocolError;
    }

    /** Frames handed out so far. */
    public long frames() {
        return frameCount;
    }

    /** Of {@link #frames()}, those that straddled chunks and were copied once. */
    public long copiedFrames() {
        return copiedFrameCount;
    }

    /** Capacity of the buffer holding a frame that straddles chunks (0 if none is kept). */
    public int bufferedBytes() {
        return accumulator == null ? 0 : accumulator.capacity();
    }

    /** True while a frame (or its size field) is partly received. */
    public boolean hasPartialFrame() {
        return pendingSize >= 0 || sizeBytesHave > 0;
    }

    private boolean checkSize(int size) {
        if (size < 0) {
            protocolError = EchoErrorKind.FRAME_SIZE_NEGATIVE;
        } else if (size < HEADER_BYTES) {
            protocolError = EchoErrorKind.FRAME_SIZE_BELOW_HEADER;
        } else if (size > maxFrameSize) {
            protocolError = EchoErrorKind.FRAME_SIZE_ABOVE_MAX;
        }
        return protocolError == null;
    }

    private void startAccumulating(int size) {
        pendingSize = size;
        if (accumulator == null) {
            accumulator = ByteBuffer.allocate(Math.min(MIN_ACCUMULATOR, maxFrameSize));
        }
        accumulator.clear();
    }

    private int accumulate(ByteBuffer chunk, int pos, int end, Consumer<ByteBuffer> frames) {
        int take = Math.min(end - pos, pendingSize - accumulator.position());
        ensureCapacity(accumulator.position() + take);
        accumulator.put(accumulator.position(), chunk, pos, take);
        accumulator.position(accumulator.position() + take);
        if (accumulator.position() == pendingSize) {
            accumulator.flip();
            pendingSize = -1;
            frameCount++;
            copiedFrameCount++;
            frames.accept(accumulator);
            // A connection that once sent a huge frame should not pin that much memory.
            accumulator = accumulator.capacity() > RETAINED_ACCUMULATOR ? null : accumulator.clear();
        }
        return pos + take;
    }

    private void ensureCapacity(int needed) {
        if (needed > accumulator.capacity()) {
            // Grow geometrically with the bytes that actually arrived, never past the frame size.
            int capacity = (int) Math.min(Math.max((long) accumulator.capacity() * 2, needed), pendingSize);
            ByteBuffer bigger = ByteBuffer.allocate(capacity);
            accumulator.flip();
            bigger.put(accumulator);
            accumulator = bigger;
        }
    }
}
