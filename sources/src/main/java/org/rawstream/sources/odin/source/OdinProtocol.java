package org.rawstream.sources.odin.source;

import java.nio.ByteBuffer;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.odin.OdinFrameDecoder;
import org.rawstream.sources.odin.OdinInvalidReason;
import org.rawstream.sources.odin.OdinPackets;
import org.rawstream.sources.transport.ConnectionContext;
import org.rawstream.sources.transport.DatagramDecoder;
import org.rawstream.sources.transport.DecodeErrors;
import org.rawstream.sources.transport.RecordCollector;
import org.rawstream.sources.transport.StreamDecoder;

/**
 * ODIN-Stream for {@link org.rawstream.sources.net.NetworkSource}: over UDP one packet per
 * datagram; over TCP COBS frames with CRC-16 ({@link OdinFrameDecoder}: a bad frame is dropped
 * and counted, the stream resynchronises at the next 0x00). The source checks each packet's
 * header (what needs no schema) and passes valid ones on as {@link OdinPacket}s; everything that
 * needs a schema happens in the keyed operator.
 */
public final class OdinProtocol implements NetworkProtocol<OdinPacket> {

    private static final long serialVersionUID = 1L;

    private final int maxPacketLength;

    /** @param maxPacketLength longest TCP packet accepted (frames beyond are dropped and counted) */
    public OdinProtocol(int maxPacketLength) {
        if (maxPacketLength < OdinPackets.HEADER_LENGTH) {
            throw new IllegalArgumentException("maxPacketLength too small: " + maxPacketLength);
        }
        this.maxPacketLength = maxPacketLength;
    }

    @Override
    public String name() {
        return "odin";
    }

    @Override
    public DatagramDecoder<OdinPacket> createDatagramDecoder(NetworkSplit split) {
        return (datagram, sender, out, errors) -> pass(datagram, out, errors);
    }

    @Override
    public StreamDecoder<OdinPacket> createStreamDecoder(NetworkSplit split, ConnectionContext connection) {
        return new FramedStream(new OdinFrameDecoder(maxPacketLength));
    }

    /** Checks the header; passes a copy of a valid packet on, counts an invalid one. */
    static void pass(ByteBuffer packet, RecordCollector<OdinPacket> out, DecodeErrors errors) {
        OdinInvalidReason reason = OdinPackets.checkHeader(packet);
        if (reason != null) {
            errors.error(reason.metricName());
            return;
        }
        byte[] bytes = new byte[packet.remaining()];
        packet.get(packet.position(), bytes);
        out.collect(new OdinPacket(bytes, System.currentTimeMillis()));
    }

    /** One TCP connection: COBS deframing, then the same check as a datagram. */
    private static final class FramedStream implements StreamDecoder<OdinPacket>, OdinFrameDecoder.Handler {
        private final OdinFrameDecoder decoder;
        private RecordCollector<OdinPacket> out;
        private DecodeErrors errors;

        FramedStream(OdinFrameDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public boolean feed(ByteBuffer chunk, RecordCollector<OdinPacket> collector, DecodeErrors decodeErrors) {
            this.out = collector;
            this.errors = decodeErrors;
            decoder.feed(chunk, this);
            return true; // COBS always resynchronises at the next delimiter
        }

        @Override
        public boolean hasPartialRecord() {
            return decoder.inFrame();
        }

        @Override
        public void endOfStream(RecordCollector<OdinPacket> collector, DecodeErrors decodeErrors) {
            this.out = collector;
            this.errors = decodeErrors;
            decoder.endOfStream(this);
        }

        @Override
        public void packet(ByteBuffer packet) {
            pass(packet, out, errors);
        }

        @Override
        public void invalid(OdinInvalidReason reason) {
            errors.error(reason.metricName());
        }
    }

    @Override
    public String toString() {
        return "OdinProtocol{maxPacketLength=" + maxPacketLength + "}";
    }
}
