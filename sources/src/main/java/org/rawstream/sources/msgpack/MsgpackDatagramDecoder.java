package org.rawstream.sources.msgpack;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.DecodeErrors;
import org.rawstream.sources.transport.LongCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.rawstream.sources.transport.RecordCollector;

/**
 * UDP: whole MessagePack values per datagram. Emits each value's exact bytes when the whole
 * datagram is valid; a protocol error drops that datagram (counted by kind). One per endpoint.
 */
public final class MsgpackDatagramDecoder implements DatagramDecoder<byte[]> {
    private final MsgpackDatagramSplitter splitter;
    private final LongCounter values;
    private final LongCounter valueBytes;
    private final Consumer<ByteBuffer> onValue = this::onValue;
    private RecordCollector<byte[]> out;

    public MsgpackDatagramDecoder(MsgpackLimits limits, NamedCounters counters) {
        this.splitter = new MsgpackDatagramSplitter(limits);
        this.values = counters.counter(MsgpackStreamDecoder.VALUES);
        this.valueBytes = counters.counter(MsgpackStreamDecoder.VALUE_BYTES);
    }

    @Override
    public void decode(ByteBuffer datagram, InetSocketAddress sender, RecordCollector<byte[]> collector,
            DecodeErrors errors) {
        this.out = collector;
        MsgpackErrorKind kind = splitter.split(datagram, onValue);
        if (kind != null) {
            errors.error(kind.metricName());
        }
    }

    private void onValue(ByteBuffer value) {
        values.increment();
        valueBytes.add(value.remaining());
        out.collect(MsgpackValues.copy(value));
    }
}
