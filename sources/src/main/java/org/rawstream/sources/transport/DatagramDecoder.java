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
     * The length of the datagram {@code buffer} starts with, where the protocol can tell it from
     * the bytes, or 0. A capture can hold several datagrams merged into one packet: the tap sees a
     * segmenting sender's buffer on loopback, or what GRO merged on a receiving host, before
     * anything cuts it. GSO and GRO merge datagrams of one size with only the last shorter, so the
     * first datagram's length is where to cut; a capture replay asks (sockets learn the size from
     * the kernel). The default cannot tell: the packet is decoded as one datagram.
     */
    default int firstDatagramLength(ByteBuffer buffer) {
        return 0;
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
