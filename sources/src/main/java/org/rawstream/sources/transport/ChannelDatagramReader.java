package org.rawstream.sources.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** The portable reader: {@link DatagramChannel#receive} (one {@code recvfrom}) per datagram. */
final class ChannelDatagramReader implements DatagramReader {
    private final DatagramChannel channel;
    private final int maxDatagramBytes;
    /** One byte more than the maximum: a datagram that fills it was too long (the kernel truncates silently). */
    private final ByteBuffer buffer;
    private final LongCounter receiveCalls;
    /** Why the batch reader is not used, when it was wanted; null otherwise. */
    private final String fallbackReason;

    ChannelDatagramReader(DatagramChannel channel, int maxDatagramBytes, LongCounter receiveCalls,
            String fallbackReason) {
        this.channel = channel;
        this.maxDatagramBytes = maxDatagramBytes;
        this.buffer = ByteBuffer.allocateDirect(maxDatagramBytes + 1);
        this.receiveCalls = receiveCalls;
        this.fallbackReason = fallbackReason;
    }

    @Override
    public int read(int max, Sink sink) throws IOException {
        int datagrams = 0;
        while (datagrams < max) {
            buffer.clear();
            SocketAddress sender = channel.receive(buffer);
            if (sender == null) {
                break;
            }
            datagrams++;
            buffer.flip();
            sink.accept(buffer, (InetSocketAddress) sender, buffer.limit() > maxDatagramBytes);
        }
        receiveCalls.add(datagrams);
        return datagrams;
    }

    @Override
    public String description() {
        return "DatagramChannel.receive" + (fallbackReason != null ? " (" + fallbackReason + ")" : "");
    }
}
