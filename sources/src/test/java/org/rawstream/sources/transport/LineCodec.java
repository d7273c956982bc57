package org.rawstream.sources.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Test codec: newline-delimited UTF-8 lines over TCP (a line longer than the maximum is a framing
 * error), one line per datagram over UDP.
 */
public final class LineCodec {
    private LineCodec() {
    }

    public static DatagramDecoder<String> datagrams() {
        return (datagram, sender, out, errors) -> {
            if (!datagram.hasRemaining()) {
                errors.error("emptyDatagram");
                return;
            }
            out.collect(StandardCharsets.UTF_8.decode(datagram).toString());
        };
    }

    /** Lines; on framing error the decoder returns false. */
    public static class LineDecoder implements StreamDecoder<String> {
        private final int maxLineBytes;
        private byte[] partial = new byte[64];
        private int partialLength;

        public LineDecoder(int maxLineBytes) {
            this.maxLineBytes = maxLineBytes;
        }

        @Override
        public boolean feed(ByteBuffer chunk, RecordCollector<String> out, DecodeErrors errors) {
            while (chunk.hasRemaining()) {
                byte b = chunk.get();
                if (b == '\n') {
                    onLine(new String(partial, 0, partialLength, StandardCharsets.UTF_8), out);
                    partialLength = 0;
                    continue;
                }
                if (partialLength == maxLineBytes) {
                    errors.error("lineTooLong");
                    return false;
                }
                if (partialLength == partial.length) {
                    partial = Arrays.copyOf(partial, partial.length * 2);
                }
                partial[partialLength++] = b;
            }
            return true;
        }

        /** Hook for subclasses that respond. */
        protected void onLine(String line, RecordCollector<String> out) {
            out.collect(line);
        }

        @Override
        public boolean hasPartialRecord() {
            return partialLength > 0;
        }

        @Override
        public void endOfStream(RecordCollector<String> out, DecodeErrors errors) {
            if (partialLength > 0) {
                errors.error("partialRecord");
                partialLength = 0;
            }
        }
    }

    /** A line decoder that writes back to its connection. */
    private abstract static class ConnectedLineDecoder extends LineDecoder {
        final ConnectionContext connection;

        ConnectedLineDecoder(int maxLineBytes, ConnectionContext connection) {
            super(maxLineBytes);
            this.connection = connection;
        }

        void respond(String text) {
            connection.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Answers {@code ok:<line>} for every line as soon as it is decoded ("received" mode). */
    public static final class RespondingLineDecoder extends ConnectedLineDecoder {
        public RespondingLineDecoder(int maxLineBytes, ConnectionContext connection) {
            super(maxLineBytes, connection);
        }

        @Override
        protected void onLine(String line, RecordCollector<String> out) {
            out.collect(line);
            respond("ok:" + line + "\n");
        }
    }

    /** Answers {@code ack:<ordinal>} for each line only once it is acknowledged ("durable" mode). */
    public static final class AcknowledgingLineDecoder extends ConnectedLineDecoder
            implements AcknowledgingStreamDecoder<String> {
        private long emitted;
        private long acknowledged;

        public AcknowledgingLineDecoder(int maxLineBytes, ConnectionContext connection) {
            super(maxLineBytes, connection);
        }

        @Override
        protected void onLine(String line, RecordCollector<String> out) {
            out.collect(line);
            emitted++;
        }

        @Override
        public void acknowledge(long durableRecords) {
            while (acknowledged < Math.min(durableRecords, emitted)) {
                respond("ack:" + acknowledged + "\n");
                acknowledged++;
            }
        }

        @Override
        public boolean awaitingAcknowledgement() {
            return acknowledged < emitted;
        }

        @Override
        public long heldBytes() {
            return 0; // responses are built only when acknowledged
        }
    }
}
