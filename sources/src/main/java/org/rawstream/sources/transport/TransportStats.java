package org.rawstream.sources.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Receiver statistics as plain counters, written by the receiving thread, readable from any
 * thread (the Flink reader exposes them as metrics). One instance may be shared by several
 * receivers driven by the same thread.
 */
public final class TransportStats {
    public final LongCounter datagramsReceived = new LongCounter();
    public final LongCounter datagramBytesReceived = new LongCounter();
    /**
     * System calls that returned datagrams: one per datagram with the JDK's receive, one per
     * batch with recvmmsg (up to 4 × 64 KiB of datagrams with GRO).
     */
    public final LongCounter datagramReceiveCalls = new LongCounter();
    /**
     * Places in a UDP socket's datagrams where the kernel had dropped some (its receive buffer was
     * full), as located by the batch reader ({@code SO_RXQ_OVFL}); each was announced to the
     * decoder before the first datagram after it.
     */
    public final LongCounter datagramGaps = new LongCounter();
    /** Datagrams longer than the configured maximum: dropped before decoding. */
    public final LongCounter datagramsOversize = new LongCounter();
    public final LongCounter connectionsOpened = new LongCounter();
    public final LongCounter connectionsClosed = new LongCounter();
    /** Accepted and closed at once because the connection limit was reached. */
    public final LongCounter connectionsRejected = new LongCounter();
    /** Connections closed because their decoder reported a framing error. */
    public final LongCounter connectionsFramingError = new LongCounter();
    /** Connections closed because the peer did not read its responses (output queue full). */
    public final LongCounter connectionsOutputOverflow = new LongCounter();
    /** Connections closed by the idle timeout. */
    public final LongCounter connectionsIdleClosed = new LongCounter();
    /** Connections whose frame was not complete within the frame timeout (input ended, partial frame discarded). */
    public final LongCounter connectionsFrameTimeout = new LongCounter();
    /** Times a connection stopped being read because its responses exceeded the budget (flow control). */
    public final LongCounter readPauses = new LongCounter();
    public final LongCounter streamBytesReceived = new LongCounter();
    public final LongCounter bytesSent = new LongCounter();
    /** Bytes received while stopping (after the last records were taken), dropped unread. */
    public final LongCounter bytesDiscarded = new LongCounter();
    /** Records handed on by decoders (datagrams and streams). */
    public final LongCounter recordsDecoded = new LongCounter();
    /** Acknowledgements delivered to connections (durable mode). */
    public final LongCounter acknowledgements = new LongCounter();
    /** Acknowledgements for connections that had already closed. */
    public final LongCounter acknowledgementsDropped = new LongCounter();
    /**
     * Gauge: heap bytes held by open TCP connections (partial frames, responses held or unsent),
     * summed over the endpoints, refreshed once per poll.
     */
    public final LongCounter connectionBufferBytes = new LongCounter();
    /** Gauge: the largest {@link #connectionBufferBytes} seen. */
    public final LongCounter connectionBufferBytesMax = new LongCounter();
    /** Receive buffer granted by the kernel for the last UDP socket opened (bytes). */
    public final LongCounter receiveBufferGranted = new LongCounter();
    /** Per UDP socket opened, the datagrams the kernel dropped on it (see {@link KernelDrops}). */
    private final List<KernelDrops> kernelDrops = new CopyOnWriteArrayList<>();

    void addKernelDrops(KernelDrops socketDrops) {
        kernelDrops.add(socketDrops);
    }

    /**
     * Datagrams the kernel dropped because a socket's receive buffer was full, summed over the UDP
     * sockets these statistics have seen (closed ones keep their last count). Any thread; reads
     * {@code /proc} at most twice a second per socket.
     */
    public long datagramsDroppedByKernel() {
        long sum = 0;
        for (KernelDrops d : kernelDrops) {
            sum += d.getAsLong();
        }
        return sum;
    }

    /** Whether this host reports kernel drops per socket (Linux); elsewhere there is no such metric. */
    public static boolean kernelDropsSupported() {
        return KernelDrops.supported();
    }

    public long connectionsOpen() {
        return connectionsOpened.get() - connectionsClosed.get();
    }

    public long bytesReceived() {
        return datagramBytesReceived.get() + streamBytesReceived.get();
    }

    @Override
    public String toString() {
        return "TransportStats{datagrams=" + datagramsReceived + ", datagramBytes=" + datagramBytesReceived
                + ", receiveCalls=" + datagramReceiveCalls + ", oversize=" + datagramsOversize + ", connectionsOpened=" + connectionsOpened
                + ", connectionsClosed=" + connectionsClosed + ", rejected=" + connectionsRejected
                + ", framingErrors=" + connectionsFramingError + ", outputOverflow=" + connectionsOutputOverflow
                + ", idleClosed=" + connectionsIdleClosed + ", frameTimeout=" + connectionsFrameTimeout
                + ", readPauses=" + readPauses
                + ", streamBytes=" + streamBytesReceived + ", bytesSent=" + bytesSent
                + ", records=" + recordsDecoded + ", acks=" + acknowledgements + "}";
    }
}
