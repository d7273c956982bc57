package org.rawstream.sources.net;

import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.LineCodec;
import org.rawstream.sources.transport.LongCounter;
import org.rawstream.sources.transport.StreamDecoder;

/** Test protocol: a line per datagram, newline-delimited lines over TCP; optionally durable acks. */
final class LineProtocol implements NetworkProtocol<String> {
    private static final long serialVersionUID = 1L;
    private final boolean durable;

    LineProtocol(boolean durable) {
        this.durable = durable;
    }

    @Override
    public String name() {
        return "lines";
    }

    @Override
    public DatagramDecoder<String> createDatagramDecoder(DecoderContext context) {
        DatagramDecoder<String> lines = LineCodec.datagrams();
        LongCounter nonEmpty = context.counters().counter("nonEmptyDatagrams");
        return (datagram, sender, out, errors) -> {
            if (datagram.hasRemaining()) {
                nonEmpty.increment();
            }
            lines.decode(datagram, sender, out, errors);
        };
    }

    @Override
    public StreamDecoder<String> createStreamDecoder(DecoderContext context, ConnectionContext connection) {
        return durable ? new LineCodec.AcknowledgingLineDecoder(1000, connection) : new LineCodec.LineDecoder(1000);
    }

    @Override
    public boolean acknowledgesCheckpoints() {
        return durable;
    }
}
