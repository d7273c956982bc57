package org.rawstream.sources.msgpack.source;

import java.util.Objects;
import org.rawstream.sources.msgpack.MsgpackDatagramDecoder;
import org.rawstream.sources.msgpack.MsgpackLimits;
import org.rawstream.sources.msgpack.MsgpackStreamDecoder;
import org.rawstream.sources.net.DecoderContext;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.StreamDecoder;

/**
 * MessagePack for {@link org.rawstream.sources.net.NetworkSource}: over TCP a stream of values
 * per connection, over UDP whole values per datagram; every top-level value is emitted as its
 * exact bytes after the bounded pre-scan.
 */
public final class MsgpackProtocol implements NetworkProtocol<byte[]> {
    private static final long serialVersionUID = 1L;

    private final MsgpackLimits limits;

    public MsgpackProtocol(MsgpackLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public MsgpackLimits limits() {
        return limits;
    }

    @Override
    public String name() {
        return "msgpack";
    }

    @Override
    public DatagramDecoder<byte[]> createDatagramDecoder(DecoderContext context) {
        return new MsgpackDatagramDecoder(limits, context.counters());
    }

    @Override
    public StreamDecoder<byte[]> createStreamDecoder(DecoderContext context, ConnectionContext connection) {
        return new MsgpackStreamDecoder(limits, context.counters());
    }

    @Override
    public String toString() {
        return "MsgpackProtocol{" + limits + "}";
    }
}
