package org.rawstream.sources.msgpack;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.rawstream.sources.transport.DecodeErrors;
import org.rawstream.sources.transport.LongCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.rawstream.sources.transport.RecordCollector;
import org.rawstream.sources.transport.StreamDecoder;

/**
 * One TCP connection's MessagePack stream: emits each top-level value's exact bytes; a protocol
 * error (counted by kind) closes the connection, a value cut short by its end is counted as
 * {@code truncated}. Runs on the receiving thread only.
 */
public final class MsgpackStreamDecoder implements StreamDecoder<byte[]> {
    /** Protocol counter: values emitted. */
    public static final String VALUES = "msgpackValues";
    /** Protocol counter: bytes of the values emitted. */
    public static final String VALUE_BYTES = "msgpackValueBytes";

    private final MsgpackStreamSplitter splitter;
    private final LongCounter values;
    private final LongCounter valueBytes;
    private final Consumer<ByteBuffer> onValue = this::onValue;
    private RecordCollector<byte[]> out;

    public MsgpackStreamDecoder(MsgpackLimits limits, NamedCounters counters) {
        this.splitter = new MsgpackStreamSplitter(limits);
        this.values = counters.counter(VALUES);
        this.valueBytes = counters.counter(VALUE_BYTES);
    }

    @Override
    public boolean feed(ByteBuffer chunk, RecordCollector<byte[]> collector, DecodeErrors errors) {
        this.out = collector;
        if (splitter.feed(chunk, onValue)) {
            return true;
        }
        errors.error(splitter.protocolError().metricName());
        return false;
    }

    @Override
    public void endOfStream(RecordCollector<byte[]> collector, DecodeErrors errors) {
        if (splitter.endOfStream()) {
            errors.error(MsgpackErrorKind.TRUNCATED.metricName());
        }
    }

    @Override
    public boolean hasPartialRecord() {
        return splitter.hasPartialValue();
    }

    @Override
    public long bufferedBytes() {
        return splitter.bufferedBytes();
    }

    private void onValue(ByteBuffer value) {
        values.increment();
        valueBytes.add(value.remaining());
        out.collect(MsgpackValues.copy(value));
    }
}
