package org.rawstream.sources.msgpack;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a UDP datagram holding one or more whole MessagePack values. The whole datagram is
 * pre-scanned first (each value bounded by the cap and by the datagram's end); only when every
 * value in it is valid are they emitted, so a protocol error drops exactly that datagram.
 * Values are handed out as views of the datagram, valid only during the call. Not thread-safe.
 */
public final class MsgpackDatagramSplitter {
    private final MsgpackScanner scanner;
    private final long[] errorCounts = new long[MsgpackErrorKind.values().length];
    /** End offsets of the values found in the current datagram (reused). */
    private int[] ends = new int[16];
    private long values;
    private long droppedDatagrams;

    public MsgpackDatagramSplitter(MsgpackLimits limits) {
        this.scanner = new MsgpackScanner(limits);
    }

    /**
     * Emits every value in {@code datagram} (position to limit; position is moved to the limit).
     *
     * @return the rejection when the datagram was dropped (counted), else null
     */
    public MsgpackErrorKind split(ByteBuffer datagram, Consumer<ByteBuffer> values) {
        int start = datagram.position();
        int end = datagram.limit();
        datagram.position(end);
        int count = 0;
        for (int pos = start; pos < end; ) {
            scanner.reset();
            scanner.limitValueTo(end - pos);
            int valueEnd = scanner.scan(datagram, pos, end);
            if (valueEnd < 0) {
                MsgpackErrorKind kind = valueEnd == MsgpackScanner.ERROR ? scanner.error() : MsgpackErrorKind.TRUNCATED;
                scanner.reset();
                errorCounts[kind.ordinal()]++;
                droppedDatagrams++;
                return kind;
            }
            if (count == ends.length) {
                ends = Arrays.copyOf(ends, count * 2);
            }
            ends[count++] = valueEnd;
            pos = valueEnd;
        }
        ByteBuffer view = datagram.duplicate();
        int from = start;
        for (int i = 0; i < count; i++) {
            view.limit(ends[i]).position(from);
            this.values++;
            values.accept(view);
            from = ends[i];
        }
        return null;
    }

    public long errorCount(MsgpackErrorKind kind) {
        return errorCounts[kind.ordinal()];
    }

    public long values() {
        return values;
    }

    public long droppedDatagrams() {
        return droppedDatagrams;
    }
}
