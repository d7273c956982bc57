package org.rawstream.sources.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP endpoint: a non-blocking {@link DatagramChannel} drained in batches by a
 * {@link DatagramReader} (Linux {@code recvmmsg} with GRO where available, else the JDK's own
 * receive, per {@link UdpOptions#receiveMode()}); each datagram goes to the
 * {@link DatagramDecoder} as a view of the reader's reusable direct buffer.
 *
 * <p>Not thread-safe: one receiving thread calls {@link #receiveBatch()}; idle waits happen on a
 * {@link Selector} shared with other endpoints (see {@link SocketPoller}).
 */
public final class UdpReceiver<T> implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpReceiver.class);
    private static final long GAP_LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final UdpOptions options;
    private final DatagramChannel channel;
    private final DatagramDecoder<T> decoder;
    private final RecordCollector<T> out;
    private final DecodeErrors errors;
    private final TransportStats stats;
    private final int grantedReceiveBufferBytes;
    private final DatagramReader reader;
    /** The kernel's drop count of this socket, null where the host does not tell. */
    private final KernelDrops kernelDrops;
    private final DatagramReader.Sink sink = new DatagramReader.Sink() {
        @Override
        public void accept(ByteBuffer datagram, InetSocketAddress sender, boolean truncated) {
            UdpReceiver.this.accept(datagram, sender, truncated);
        }

        @Override
        public void dropped(long datagrams) {
            stats.datagramGaps.increment();
            logGap(datagrams);
            try {
                decoder.dropped(datagrams, countingOut, errors);
            } catch (RuntimeException e) {
                errors.error("decoderException");
                LOG.debug("udp {}: decoder threw on a gap of {} datagrams", options.port(), datagrams, e);
            }
        }
    };
    private final RecordCollector<T> countingOut;
    private long recordsThisBatch;
    private long bytesThisBatch;
    private volatile long lastReceiveNanos;
    /** Gaps and datagrams dropped since the last gap warning (bounded-rate log). */
    private long gapsUnlogged;
    private long droppedUnlogged;
    private final LogThrottle gapLog = new LogThrottle(GAP_LOG_INTERVAL_NANOS);

    private UdpReceiver(UdpOptions options, DatagramChannel channel, DatagramDecoder<T> decoder,
            RecordCollector<T> out, DecodeErrors errors, TransportStats stats, int granted, DatagramReader reader,
            KernelDrops kernelDrops) {
        this.options = options;
        this.channel = channel;
        this.decoder = decoder;
        this.out = out;
        this.errors = errors;
        this.stats = stats;
        this.grantedReceiveBufferBytes = granted;
        this.reader = reader;
        this.kernelDrops = kernelDrops;
        if (kernelDrops != null) {
            stats.addKernelDrops(kernelDrops);
        }
        this.countingOut = record -> {
            recordsThisBatch++;
            this.out.collect(record);
        };
    }

    /** Open and bind the endpoint (and join the multicast group if configured). */
    public static <T> UdpReceiver<T> open(UdpOptions options, DatagramDecoder<T> decoder, RecordCollector<T> out,
            DecodeErrors errors, TransportStats stats) throws IOException {
        InetAddress bindAddress = InetAddress.getByName(options.bindHost());
        InetAddress group = options.multicastGroup() == null ? null : InetAddress.getByName(options.multicastGroup());
        StandardProtocolFamily family = (group != null ? group : bindAddress) instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        DatagramChannel channel = DatagramChannel.open(family);
        try {
            channel.configureBlocking(false);
            if (options.reusePort()) {
                if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new IOException("SO_REUSEPORT is not supported on this platform");
                }
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (group != null) {
                // Several receivers of one group on one host is the norm for multicast.
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferBytes());
            int granted = channel.getOption(StandardSocketOptions.SO_RCVBUF);
            channel.bind(new InetSocketAddress(bindAddress, options.port()));
            String joined = "";
            if (group != null) {
                NetworkInterface nif = multicastInterface(options.multicastInterface());
                channel.join(group, nif);
                joined = ", joined " + group.getHostAddress() + " on " + nif.getName();
            }
            // The kernel silently caps the request at net.core.rmem_max: read back what we got.
            if (granted < options.receiveBufferBytes()) {
                LOG.warn("udp {}: requested SO_RCVBUF {} bytes, kernel granted {}: a pause of the receiving thread "
                        + "at Gb/s rates will drop datagrams (as root: sysctl -w net.core.rmem_max={})",
                        channel.getLocalAddress(), options.receiveBufferBytes(), granted, options.receiveBufferBytes());
            }
            stats.receiveBufferGranted.set(granted);
            DatagramReader reader = reader(options, channel, stats);
            LOG.info("udp receiver bound {}{} ({}), SO_RCVBUF granted {}, reading with {}", channel.getLocalAddress(),
                    joined, options, granted, reader.description());
            return new UdpReceiver<>(options, channel, decoder, out, errors, stats, granted, reader,
                    KernelDrops.of(channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The reader {@link UdpOptions#receiveMode()} asks for: the batch reader where Linux, JNA and
     * the socket's file descriptor are all reachable; otherwise (in auto mode) the JDK's receive,
     * its description saying why.
     */
    private static DatagramReader reader(UdpOptions options, DatagramChannel channel, TransportStats stats)
            throws IOException {
        if (options.receiveMode() == UdpOptions.ReceiveMode.PLAIN) {
            return new ChannelDatagramReader(channel, options.maxDatagramBytes(), stats.datagramReceiveCalls, null);
        }
        String unavailable = LinuxSocketCalls.unavailableReason();
        int fd = -1;
        if (unavailable == null) {
            try {
                fd = LinuxSocketCalls.fd(channel);
            } catch (ReflectiveOperationException | RuntimeException e) {
                unavailable = "the socket's file descriptor is out of reach (the JVM needs "
                        + "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED): " + e;
            }
        }
        if (unavailable == null) {
            return new RecvmmsgReader(fd, options.batchDatagrams(), stats.datagramReceiveCalls);
        }
        if (options.receiveMode() == UdpOptions.ReceiveMode.RECVMMSG) {
            throw new IOException("receive mode recvmmsg is not available here: " + unavailable);
        }
        return new ChannelDatagramReader(channel, options.maxDatagramBytes(), stats.datagramReceiveCalls,
                "recvmmsg unavailable: " + unavailable);
    }

    /** The first entry of {@code spec} (names and addresses, comma-separated) that this host has. */
    static NetworkInterface multicastInterface(String spec) throws IOException {
        if (spec == null) {
            NetworkInterface loopback = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
            if (loopback == null) {
                throw new SocketException("no network interface for loopback");
            }
            return loopback;
        }
        for (String entry : HostAddresses.list(spec)) {
            NetworkInterface nif = HostAddresses.isLiteral(entry)
                    ? NetworkInterface.getByInetAddress(InetAddress.getByName(HostAddresses.unbracket(entry)))
                    : NetworkInterface.getByName(entry);
            if (nif != null) {
                return nif;
            }
        }
        throw new SocketException("this host has none of the multicast interfaces " + spec);
    }

    /** Register for idle waits with the poller's selector. */
    void register(Selector selector) throws IOException {
        SelectionHandler onReadable = key -> {
            try {
                return receiveBatch();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        channel.register(selector, SelectionKey.OP_READ, onReadable);
    }

    /**
     * Receive and decode about {@link UdpOptions#batchDatagrams()} datagrams without blocking.
     *
     * @return the number of datagrams received (0 when none was waiting)
     */
    public int receiveBatch() throws IOException {
        recordsThisBatch = 0;
        bytesThisBatch = 0;
        int datagrams = reader.read(options.batchDatagrams(), sink);
        if (datagrams > 0) {
            stats.datagramsReceived.add(datagrams);
            stats.datagramBytesReceived.add(bytesThisBatch);
            stats.recordsDecoded.add(recordsThisBatch);
            lastReceiveNanos = System.nanoTime();
        }
        return datagrams;
    }

    /** A warning at the first gap and then at most once a minute, with what came since. */
    private void logGap(long datagrams) {
        gapsUnlogged++;
        droppedUnlogged += datagrams;
        boolean loggedBefore = gapLog.loggedBefore();
        if (!gapLog.tryLog(System.nanoTime())) {
            return;
        }
        String endpoint;
        try {
            endpoint = String.valueOf(channel.getLocalAddress());
        } catch (IOException e) {
            endpoint = options.toString();
        }
        LOG.warn("udp {}: the kernel dropped {} datagrams in {} gaps{} (the receive buffer of {} bytes was full: the "
                + "receiving thread did not read in time); the protocol was told where (datagramGaps)", endpoint,
                droppedUnlogged, gapsUnlogged, loggedBefore ? " since the last such warning" : "", grantedReceiveBufferBytes);
        gapsUnlogged = 0;
        droppedUnlogged = 0;
    }

    /** One datagram from the reader: counted, then decoded unless too long. */
    private void accept(ByteBuffer datagram, InetSocketAddress sender, boolean truncated) {
        int length = datagram.remaining();
        bytesThisBatch += length;
        if (truncated || length > options.maxDatagramBytes()) {
            stats.datagramsOversize.increment();
            errors.error("oversizeDatagram");
            return;
        }
        try {
            decoder.decode(datagram, sender, countingOut, errors);
        } catch (RuntimeException e) {
            // A decoder bug must not take the source down: count it, drop the datagram.
            errors.error("decoderException");
            LOG.debug("udp {}: decoder threw on a datagram from {}", options.port(), sender, e);
        }
    }

    /**
     * For the decoder, while it decodes a datagram: keep that datagram's bytes beyond the call
     * without copying them. They stay readable through the loan's {@link ReceiveArea#bytes()} at the
     * indices of the view the decoder got, until it {@link ReceiveArea#release() releases} the
     * loan; null where the reader cannot lend (then copy). See {@link RecvmmsgReader#lend()}.
     */
    public ReceiveArea lendDatagram() {
        return reader.lend();
    }

    /** For tests and the log: how this receiver reads its socket. */
    String readerDescription() {
        return reader.description();
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** SO_RCVBUF as read back after the request (at most net.core.rmem_max on Linux). */
    public int grantedReceiveBufferBytes() {
        return grantedReceiveBufferBytes;
    }

    /** {@link System#nanoTime()} of the last datagram, 0 if none yet. */
    public long lastReceiveNanos() {
        return lastReceiveNanos;
    }

    public UdpOptions options() {
        return options;
    }

    @Override
    public void close() throws IOException {
        if (kernelDrops != null) {
            kernelDrops.close();
        }
        reader.close();
        channel.close();
    }
}
