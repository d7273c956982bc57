package org.rawstream.sources.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Objects;

/**
 * Writes datagrams on a connected UDP channel several per call where the kernel cuts one buffer
 * into datagrams itself (UDP generic segmentation offload, {@code UDP_SEGMENT}, Linux 4.18+), as
 * spead2's sender does: datagrams of exactly the segment size are gathered into one buffer of at
 * most 64 KiB, and a shorter one ends the buffer (only the last segment may be shorter). The
 * receiver gets the same datagrams in the same order either way; the sender makes one system call
 * and the kernel builds one packet for up to seven 9 000-byte datagrams, and a receiver with
 * {@code UDP_GRO} on the same host takes them in one piece ({@link RecvmmsgReader} cuts them
 * apart).
 *
 * <p>Where segmentation cannot be used (not Linux, no JNA, the JDK's socket internals closed,
 * a kernel without {@code UDP_SEGMENT}, a segment too large for two in a buffer) each datagram is
 * written on its own; {@link #refusal()} says why. A segmented write the kernel refuses (a device
 * without checksum offload) turns segmentation off and writes that buffer's datagrams one by one.
 *
 * <p>Not thread-safe: one writer per sending thread.
 */
public final class SegmentedDatagramWriter {

    /** The largest UDP payload over IPv4: one call's buffer stays within it. */
    static final int MAX_BUFFER_BYTES = 65_507;
    /** Segments per call the kernel accepts ({@code UDP_MAX_SEGMENTS} in kernels before 6.9). */
    static final int MAX_SEGMENTS = 64;

    private final DatagramChannel channel;
    private final int segmentBytes;
    private final int fd;
    private final ByteBuffer buffer;
    /** Null while the kernel segments; else why each datagram takes its own call. */
    private String refusal;
    /** Counted, not derived from the buffer's position: an empty datagram is one too. */
    private int datagramsBuffered;
    private long writeCalls;

    private SegmentedDatagramWriter(DatagramChannel channel, int segmentBytes, int fd, String refusal) {
        if (segmentBytes <= 0 || segmentBytes > MAX_BUFFER_BYTES) {
            throw new IllegalArgumentException("segment size must be 1.." + MAX_BUFFER_BYTES + ": " + segmentBytes);
        }
        this.channel = channel;
        this.segmentBytes = segmentBytes;
        this.fd = fd;
        this.refusal = refusal;
        int perCall = refusal == null ? datagramsPerCall(segmentBytes) : 1;
        this.buffer = ByteBuffer.allocateDirect(perCall * segmentBytes);
    }

    /**
     * A writer of datagrams of at most {@code segmentBytes} on {@code channel} (connected); asks
     * the kernel for segmentation where it can.
     */
    public static SegmentedDatagramWriter open(DatagramChannel channel, int segmentBytes) {
        if (segmentBytes > MAX_BUFFER_BYTES / 2) {
            return new SegmentedDatagramWriter(channel, segmentBytes, -1, "datagrams too large for two per call");
        }
        String unavailable = LinuxSocketCalls.unavailableReason();
        if (unavailable != null) {
            return new SegmentedDatagramWriter(channel, segmentBytes, -1, unavailable);
        }
        int fd;
        try {
            fd = LinuxSocketCalls.fd(channel);
        } catch (ReflectiveOperationException | RuntimeException e) { // RuntimeException: InaccessibleObjectException
            return new SegmentedDatagramWriter(channel, segmentBytes, -1, "socket descriptor not reachable: " + e);
        }
        int errno = LinuxSocketCalls.setIntOption(fd, LinuxSocketCalls.SOL_UDP, LinuxSocketCalls.UDP_SEGMENT, segmentBytes);
        return new SegmentedDatagramWriter(channel, segmentBytes, fd, errno == 0 ? null : "UDP_SEGMENT refused, errno " + errno);
    }

    /** A writer that writes each datagram on its own, for {@code reason}. */
    public static SegmentedDatagramWriter unsegmented(DatagramChannel channel, int segmentBytes, String reason) {
        return new SegmentedDatagramWriter(channel, segmentBytes, -1, Objects.requireNonNull(reason));
    }

    private static int datagramsPerCall(int segmentBytes) {
        return Math.min(MAX_SEGMENTS, MAX_BUFFER_BYTES / segmentBytes);
    }

    /**
     * Adds the datagram {@code head} then {@code payload} (both consumed); writes the buffer when
     * it is full or this datagram is shorter than a segment. The buffer always has room for one
     * more segment here.
     */
    public void add(ByteBuffer head, ByteBuffer payload) throws IOException {
        int length = head.remaining() + payload.remaining();
        if (length > segmentBytes) {
            throw new IllegalArgumentException("datagram of " + length + " bytes, segments are " + segmentBytes);
        }
        buffer.put(head).put(payload);
        datagramsBuffered++;
        if (!segmenting() || length < segmentBytes || buffer.remaining() < segmentBytes) {
            flush(); // a shorter datagram is the last a buffer may hold
        }
    }

    /** Writes what is buffered. */
    public void flush() throws IOException {
        if (datagramsBuffered == 0) {
            return;
        }
        buffer.flip();
        try {
            if (segmenting()) {
                writeSegmented();
            } else {
                write(buffer);
            }
        } finally {
            buffer.clear();
            datagramsBuffered = 0;
        }
    }

    private void writeSegmented() throws IOException {
        try {
            write(buffer);
        } catch (IOException e) {
            // The kernel or device cannot segment (some refuse even a single datagram while the
            // option is set): write these one by one with the option off, and every later datagram
            // too (spead2's sender does the same); an error that is not about segmenting repeats.
            refusal = "segmented write refused (" + e.getMessage() + ")";
            LinuxSocketCalls.setIntOption(fd, LinuxSocketCalls.SOL_UDP, LinuxSocketCalls.UDP_SEGMENT, 0);
            int end = buffer.limit();
            for (int at = buffer.position(); at < end; at += segmentBytes) {
                buffer.limit(Math.min(at + segmentBytes, end)).position(at);
                write(buffer);
                buffer.limit(end);
            }
        }
    }

    /** One call; datagrams that found nobody listening are not an error for a sender ({@link SenderChannels#send}). */
    private void write(ByteBuffer datagrams) throws IOException {
        SenderChannels.send(channel, datagrams);
        writeCalls++;
    }

    /** Whether the kernel segments this writer's buffers (false after a refusal). */
    public boolean segmenting() {
        return refusal == null;
    }

    /** Why datagrams go one per call, or null while the kernel segments. */
    public String refusal() {
        return refusal;
    }

    /** System calls that wrote datagrams (a refused call is not one). */
    public long writeCalls() {
        return writeCalls;
    }
}
