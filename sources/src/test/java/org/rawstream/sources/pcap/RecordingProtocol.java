package org.rawstream.sources.pcap;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.rawstream.sources.net.DecoderContext;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.DecodeErrors;
import org.rawstream.sources.transport.RecordCollector;
import org.rawstream.sources.transport.StreamDecoder;

/**
 * Test protocol that makes what it was given visible: each datagram as a record naming its
 * endpoint and sender; each 4-byte word of a TCP stream, and the whole stream at its end; each
 * UDP sender's end as a record.
 */
final class RecordingProtocol implements NetworkProtocol<String> {
    private static final long serialVersionUID = 1L;
    /** First byte of a datagram whose second byte is its length (as a SPEAD header tells its length). */
    static final byte SIZED = (byte) 0xA5;

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public DatagramDecoder<String> createDatagramDecoder(DecoderContext context) {
        String endpoint = context.split().host() + ":" + context.split().port();
        return new DatagramDecoder<>() {
            @Override
            public void decode(ByteBuffer datagram, InetSocketAddress sender, RecordCollector<String> out, DecodeErrors errors) {
                byte[] b = new byte[datagram.remaining()];
                datagram.get(b);
                out.collect("udp " + sender.getAddress().getHostAddress() + ":" + sender.getPort() + "->" + endpoint + " "
                        + HexFormat.of().formatHex(b));
            }

            /** A datagram that starts with {@link #SIZED} says its length in its second byte. */
            @Override
            public int firstDatagramLength(ByteBuffer buffer) {
                int at = buffer.position();
                return buffer.remaining() >= 2 && buffer.get(at) == SIZED ? buffer.get(at + 1) & 0xFF : 0;
            }

            @Override
            public void endOfSender(InetSocketAddress sender, RecordCollector<String> out, DecodeErrors errors) {
                out.collect("end " + sender.getAddress().getHostAddress() + ":" + sender.getPort() + "->" + endpoint);
            }
        };
    }

    @Override
    public StreamDecoder<String> createStreamDecoder(DecoderContext context, ConnectionContext connection) {
        String name = "tcp #" + connection.connectionId() + " " + connection.remote().getAddress().getHostAddress() + ":"
                + connection.remote().getPort() + "->" + context.split().host() + ":" + context.split().port();
        return new StreamDecoder<>() {
            private final ByteArrayOutputStream stream = new ByteArrayOutputStream();

            @Override
            public boolean feed(ByteBuffer chunk, RecordCollector<String> out, DecodeErrors errors) {
                while (chunk.hasRemaining()) {
                    stream.write(chunk.get());
                    if (stream.size() % 4 == 0) { // a record per 4-byte word, for restore points inside a stream
                        byte[] all = stream.toByteArray();
                        out.collect(name + " word " + HexFormat.of().formatHex(all, all.length - 4, all.length));
                    }
                }
                return true;
            }

            @Override
            public void endOfStream(RecordCollector<String> out, DecodeErrors errors) {
                out.collect(name + " " + HexFormat.of().formatHex(stream.toByteArray()));
            }
        };
    }
}
