package org.rawstream.sources.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Decodes whole datagrams. One instance per UDP endpoint (per split), used by one thread.
 *
 * <p>{@code datagram} is a view over the receiver's reusable buffer, valid only during the call:
 * a decoder that keeps bytes must copy them, or take a loan of them where the receiver lends
 * ({@link UdpReceiver#lendDatagram()}, offered to protocols as
 * {@code DecoderContext.lendDatagram()}). Bad input is reported through {@code errors} and
 * dropped, never thrown.
 */
@FunctionalInterface
public interface DatagramDecoder<T> {
    void decode(ByteBuffer datagram, InetSocketAddress sender, RecordCollector<T> out, DecodeErrors errors);

    /**
     * No more datagrams will come from {@code sender}: emit whatever is held for it (a protocol
     * with streams per sender ends the stream). Sockets never know this; a capture replay calls it
     * at the end of each file for every sender it saw. The default holds nothing.
     */
    default void endOfSender(InetSocketAddress sender, RecordCollector<T> out, DecodeErrors errors) {
    }

    /**
     * The kernel dropped {@code datagrams} datagrams of this endpoint, from senders unknown,
     * between the datagram decoded last and the next one (the socket's receive buffer was full).
     * Called only where the receiver can locate drops (Linux's batch reader); the count of all
     * drops is a transport metric either way. A protocol whose units span datagrams decides here
     * what the gap cut; the default holds nothing and does nothing.
     */
    default void dropped(long datagrams, RecordCollector<T> out, DecodeErrors errors) {
    }
}
