package org.rawstream.sources.msgpack;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Splits one TCP connection's MessagePack stream into top-level values, fed in chunks of any
 * size, emitting each value's exact bytes as soon as its last byte is in.
 *
 * <p>A value wholly inside a chunk is handed out as a view of that chunk; only a value that
 * straddles chunks is copied, once, into an accumulation buffer that grows with the bytes that
 * actually arrive (the scanner keeps it within the per-value cap). The view given to the
 * consumer spans exactly the value (position to limit), is valid only during the call, and
 * must not be retained.
 *
 * <p>Any protocol error stops the splitter ({@link #feed} returns false): MessagePack has no
 * resynchronisation point, so the connection must be closed. Values emitted before the error
 * stand. Not thread-safe: one splitter per connection.
 */
public final class MsgpackStreamSplitter {
    private static final int MIN_ACCUMULATOR = 4096;
    /** Largest accumulation buffer kept between values. */
    private static final int RETAINED_ACCUMULATOR = 1024 * 1024;

    private final MsgpackScanner scanner;
    private final int maxValueBytes;
    private final long[] errorCounts = new long[MsgpackErrorKind.values().length];
    private ByteBuffer accumulator;
    private MsgpackErrorKind protocolError;
    private long values;
    private long valueBytes;
    private long copiedValues;

    public MsgpackStreamSplitter(MsgpackLimits limits) {
        this.scanner = new MsgpackScanner(limits);
        this.maxValueBytes = limits.maxValueBytes();
    }

    /**
     * Consumes all remaining bytes of {@code chunk}, handing every value it completes to
     * {@code values} in order.
     *
     * @return false on a protocol error (counted; see {@link #protocolError()}): close the
     *     connection; later input is ignored
     */
    public boolean feed(ByteBuffer chunk, Consumer<ByteBuffer> values) {
        if (protocolError != null) {
            return false;
        }
        int pos = chunk.position();
        final int end = chunk.limit();
        ByteBuffer view = null;
        while (pos < end) {
            int valueEnd = scanner.scan(chunk, pos, end);
            if (valueEnd == MsgpackScanner.ERROR) {
                protocolError = scanner.error();
                errorCounts[protocolError.ordinal()]++;
                discardPartial();
                chunk.position(end);
                return false;
            }
            if (valueEnd == MsgpackScanner.NEED_MORE) {
                append(chunk, pos, end);
                break;
            }
            if (accumulator != null && accumulator.position() > 0) {
                append(chunk, pos, valueEnd);
                accumulator.flip();
                copiedValues++;
                emit(accumulator, values);
                // A connection that once sent a huge value should not pin that much memory.
                accumulator = accumulator.capacity() > RETAINED_ACCUMULATOR ? null : accumulator.clear();
            } else {
                if (view == null) {
                    view = chunk.duplicate(); // one view object per chunk, re-pointed per value
                }
                view.limit(valueEnd).position(pos);
                emit(view, values);
            }
            pos = valueEnd;
        }
        chunk.position(end);
        return true;
    }

    /**
     * The connection ended: a partial value is discarded and counted as
     * {@link MsgpackErrorKind#TRUNCATED}.
     *
     * @return true when a partial value was discarded
     */
    public boolean endOfStream() {
        if (protocolError != null || !scanner.inValue()) {
            return false;
        }
        errorCounts[MsgpackErrorKind.TRUNCATED.ordinal()]++;
        discardPartial();
        return true;
    }

    /** Capacity of the buffer holding a value that straddles chunks (0 if none is kept). */
    public int bufferedBytes() {
        return accumulator == null ? 0 : accumulator.capacity();
    }

    /** True while a value is partly received. */
    public boolean hasPartialValue() {
        return protocolError == null && scanner.inValue();
    }

    public MsgpackErrorKind protocolError() {
        return protocolError;
    }

    public long errorCount(MsgpackErrorKind kind) {
        return errorCounts[kind.ordinal()];
    }

    /** Values emitted so far. */
    public long values() {
        return values;
    }

    /** Bytes of the values emitted so far. */
    public long valueBytes() {
        return valueBytes;
    }

    /** Of {@link #values()}, those that straddled chunks and were copied once. */
    public long copiedValues() {
        return copiedValues;
    }

    private void emit(ByteBuffer value, Consumer<ByteBuffer> consumer) {
        values++;
        valueBytes += value.remaining();
        consumer.accept(value);
    }

    private void discardPartial() {
        scanner.reset();
        if (accumulator != null) {
            accumulator.clear();
        }
    }

    private void append(ByteBuffer chunk, int from, int to) {
        int n = to - from;
        if (accumulator == null) {
            accumulator = ByteBuffer.allocate(Math.min(Math.max(MIN_ACCUMULATOR, n), maxValueBytes));
        } else if (accumulator.remaining() < n) {
            // The scanner has already bounded the value by the cap, so this never exceeds it.
            long wanted = Math.max((long) accumulator.capacity() * 2, (long) accumulator.position() + n);
            ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(wanted, maxValueBytes));
            accumulator.flip();
            bigger.put(accumulator);
            accumulator = bigger;
        }
        accumulator.put(accumulator.position(), chunk, from, n);
        accumulator.position(accumulator.position() + n);
    }
}
