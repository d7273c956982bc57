package org.rawstream.sources.transport;

import static org.rawstream.sources.transport.LinuxSocketCalls.AF_INET;
import static org.rawstream.sources.transport.LinuxSocketCalls.AF_INET6;
import static org.rawstream.sources.transport.LinuxSocketCalls.EAGAIN;
import static org.rawstream.sources.transport.LinuxSocketCalls.EINTR;
import static org.rawstream.sources.transport.LinuxSocketCalls.MSG_DONTWAIT;
import static org.rawstream.sources.transport.LinuxSocketCalls.MSG_TRUNC;
import static org.rawstream.sources.transport.LinuxSocketCalls.SOL_SOCKET;
import static org.rawstream.sources.transport.LinuxSocketCalls.SOL_UDP;
import static org.rawstream.sources.transport.LinuxSocketCalls.SO_RXQ_OVFL;
import static org.rawstream.sources.transport.LinuxSocketCalls.UDP_GRO;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Linux's batch receive: one {@code recvmmsg} fills up to {@link #MAX_SLOTS} buffers, and with
 * {@code UDP_GRO} on the socket the kernel puts several same-sized datagrams of one sender into
 * one buffer (their size in a control message), so one system call brings up to 4 × 64 KiB of
 * datagrams (28 of 9 KB) where the JDK makes one {@code recvfrom} each. Each buffer is cut back
 * into its datagrams, and each goes to the sink as a view of the area it was received into: no
 * garbage per datagram, and none per batch while the senders stay the same (their addresses are
 * cached).
 *
 * <p>With {@code SO_RXQ_OVFL} on the socket each buffer also carries the socket's drop count as it
 * was when the kernel queued it; when the count has grown since the previous buffer, the kernel
 * dropped that many datagrams between the two, and the sink hears of it
 * ({@link DatagramReader.Sink#dropped}) before the first datagram after the gap. That is where a
 * protocol learns which of its units the drops cut.
 *
 * <p>The datagrams land in a {@link ReceiveArea} (per slot a 64 KiB buffer: a GRO buffer is at
 * most one UDP length, 65,535 bytes). A decoder may keep a datagram instead of copying it
 * ({@link #lend()}); the next call then receives into another area from the JVM's
 * {@link ReceiveAreaPool}, and the lent one goes back there when its last loan is released (past
 * the pool's budget the reader receives into a spare area of its own and lends nothing). Besides the
 * areas, one direct region per socket, allocated once, holds per slot a sockaddr_in6 and room for
 * the control messages, and the {@code mmsghdr} and {@code iovec} arrays the kernel reads. The
 * socket stays the {@link java.nio.channels.DatagramChannel}'s (its selector registration serves
 * idle waits); this reader only reads its file descriptor, and must not be used after the channel
 * closed.
 */
final class RecvmmsgReader implements DatagramReader {
    /**
     * Few buffers on purpose: the kernel's copy and the decoder's read then stay in the CPU's
     * cache. Measured on the 2-core VM (perf, receiving thread, spead2_send at 6 Gb/s): 16 slots
     * (1 MiB) cost 11 % less CPU than one recvfrom per packet, 4 or 2 slots 18-24 % less, the
     * kernel's copy into 16 slots half again as dear as into 4. With GRO each holds ~7 packets.
     */
    static final int MAX_SLOTS = 4;
    static final int SLOT_BYTES = 1 << 16;
    /**
     * Datagrams are lent only from a slot holding at least this much (a jumbo datagram of 8 KiB
     * and more, or several merged by GRO): a loan keeps the whole area, so a slot with one small
     * datagram (a standard-MTU packet the kernel did not merge) would keep 64 KiB for a few bytes
     * that are cheap to copy instead.
     */
    static final int MIN_LENT_SLOT_BYTES = SLOT_BYTES / 8;

    // struct mmsghdr { struct msghdr { name, namelen, iov, iovlen, control, controllen, flags }; len }
    // on x86-64 and aarch64 (LP64): 8-byte pointers and size_t, 4-byte ints, padded to 64 bytes.
    private static final int MMSGHDR = 64;
    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int MSG_LEN = 56;
    private static final int IOVEC = 16;
    /** sizeof(struct sockaddr_in6) = 28, rounded up to 8. */
    private static final int NAME = 32;
    private static final int SOCKADDR_IN6_LEN = 28;
    /** CMSG_SPACE(sizeof(int)) = 24 each for GRO and SO_RXQ_OVFL; room for one unexpected message besides. */
    private static final int CONTROL = 72;
    /** struct cmsghdr { size_t len; int level; int type; } then the data. */
    private static final int CMSG_LEVEL = 8;
    private static final int CMSG_TYPE = 12;
    private static final int CMSG_DATA = 16;

    private static final int SENDER_CACHE = 16;

    private final int fd;
    private final int slots;
    private final boolean gro;
    private final String groRefusal;
    /** Whether buffers carry the socket's drop count (SO_RXQ_OVFL accepted). */
    private final boolean dropCounts;
    /** The drop count the last buffer carried (the kernel's counter is 32 bits and wraps). */
    private int lastDropCount;
    /** The slot being delivered's control messages ({@link #readControlMessages}). */
    private int slotSegmentSize;
    private int slotDropCount;
    private final LongCounter receiveCalls;
    /** The kernel's structures, in native order. */
    private final ByteBuffer region;
    private final Pointer msgvec;
    private final int iovsAt;
    private final int namesAt;
    private final int controlsAt;
    private final ReceiveAreaPool areas;
    /** Never lent: received into while the pool has no area to give (allocated then). */
    private ReceiveArea spare;
    /** The area the next call receives into. */
    private ReceiveArea current;
    /** Whether the slot being delivered may lend its datagrams. */
    private boolean slotLendable;
    /** Sender addresses by their sockaddr bytes (direct-mapped): a steady sender costs nothing. */
    private final long[] cacheKey0 = new long[SENDER_CACHE];
    private final long[] cacheKey1 = new long[SENDER_CACHE];
    private final long[] cacheKey2 = new long[SENDER_CACHE];
    private final InetSocketAddress[] cached = new InetSocketAddress[SENDER_CACHE];

    /**
     * Asks for {@code UDP_GRO} on {@code fd} (a kernel without it, before 5.0, refuses: then each
     * buffer holds one datagram, still {@code slots} per call).
     */
    RecvmmsgReader(int fd, int slots, LongCounter receiveCalls, ReceiveAreaPool areas) {
        if (LinuxSocketCalls.unavailableReason() != null) {
            throw new IllegalStateException(LinuxSocketCalls.unavailableReason());
        }
        this.fd = fd;
        this.slots = Math.max(1, Math.min(slots, MAX_SLOTS));
        this.receiveCalls = receiveCalls;
        int groErrno = LinuxSocketCalls.setIntOption(fd, SOL_UDP, UDP_GRO, 1);
        this.gro = groErrno == 0;
        this.groRefusal = gro ? null : "UDP_GRO refused, errno " + groErrno;
        this.dropCounts = LinuxSocketCalls.setIntOption(fd, SOL_SOCKET, SO_RXQ_OVFL, 1) == 0;
        int n = this.slots;
        this.iovsAt = n * MMSGHDR;
        this.namesAt = iovsAt + n * IOVEC;
        this.controlsAt = namesAt + n * NAME;
        this.region = ByteBuffer.allocateDirect(controlsAt + n * CONTROL).order(ByteOrder.nativeOrder());
        this.msgvec = Native.getDirectBufferPointer(region);
        this.areas = areas;
        long base = Pointer.nativeValue(msgvec);
        for (int i = 0; i < n; i++) {
            int h = i * MMSGHDR;
            int iov = iovsAt + i * IOVEC;
            region.putLong(iov + 8, SLOT_BYTES);
            region.putLong(h + MSG_NAME, base + namesAt + (long) i * NAME);
            region.putLong(h + MSG_IOV, base + iov);
            region.putLong(h + MSG_IOVLEN, 1);
            region.putLong(h + MSG_CONTROL, base + controlsAt + (long) i * CONTROL);
            resetSlot(i);
        }
        ReceiveArea first = areas.take();
        receiveInto(first != null ? first : spare());
    }

    /** A reader whose areas come from the JVM's shared pool. */
    RecvmmsgReader(int fd, int slots, LongCounter receiveCalls) {
        this(fd, slots, receiveCalls, ReceiveAreaPool.shared(Math.max(1, Math.min(slots, MAX_SLOTS)) * SLOT_BYTES));
    }

    private ReceiveArea spare() {
        if (spare == null) {
            spare = new ReceiveArea(slots * SLOT_BYTES, null);
        }
        return spare;
    }

    /** Points the kernel's buffers at {@code area}'s slots. */
    private void receiveInto(ReceiveArea area) {
        current = area;
        for (int i = 0; i < slots; i++) {
            region.putLong(iovsAt + i * IOVEC, area.address + (long) i * SLOT_BYTES);
        }
    }

    /**
     * Before a call: an area with loans still out is left to them (the reader's own reference
     * ends) and the next call receives into a free one; off the spare as soon as the pool has one
     * again. An area whose loans all ended is received into again.
     */
    private void leaveLentArea() {
        ReceiveArea used = current;
        if (used != spare && !used.lentOut()) {
            return;
        }
        ReceiveArea next = areas.take();
        if (next == null) {
            if (used == spare) {
                return;
            }
            next = spare();
        }
        receiveInto(next);
        if (used != spare) {
            used.release();
        }
    }

    /**
     * A loan of the datagram being delivered: its bytes stay where they are, readable through the
     * area's {@link ReceiveArea#bytes()} at the indices of the view the sink got, until the loan is
     * released. Null while the reader receives into its spare area, and for a slot holding less
     * than {@link #MIN_LENT_SLOT_BYTES} (then copy). Only during {@link Sink#accept}.
     */
    @Override
    public ReceiveArea lend() {
        return slotLendable ? current.lend() : null;
    }

    /** Gives the area back (the lent ones come back when their loans end); the reader must not read afterwards. */
    @Override
    public void close() {
        if (current != null && current != spare) {
            current.release();
        }
        current = null;
    }

    /** Whether the kernel merges datagrams (UDP_GRO accepted). */
    boolean gro() {
        return gro;
    }

    @Override
    public int read(int max, Sink sink) throws IOException {
        int datagrams = 0;
        int calls = 0;
        while (datagrams < max) {
            leaveLentArea();
            int vlen = Math.min(slots, max - datagrams);
            int received = LinuxSocketCalls.recvmmsg(fd, msgvec, vlen, MSG_DONTWAIT, null);
            if (received <= 0) {
                int errno = received < 0 ? LinuxSocketCalls.errno() : 0;
                if (received == 0 || errno == EAGAIN || errno == EINTR) {
                    break;
                }
                throw new IOException("recvmmsg failed: errno " + errno);
            }
            calls++;
            for (int i = 0; i < received; i++) {
                datagrams += deliver(i, sink);
                resetSlot(i);
            }
            slotLendable = false;
            if (received < vlen) {
                break; // the socket is empty: spare the call that would say so
            }
        }
        receiveCalls.add(calls);
        return datagrams;
    }

    /** Hands slot {@code i}'s datagrams to {@code sink}, after the drops before them; returns how many. */
    private int deliver(int i, Sink sink) throws UnknownHostException {
        int h = i * MMSGHDR;
        int length = region.getInt(h + MSG_LEN);
        boolean truncated = (region.getInt(h + MSG_FLAGS) & MSG_TRUNC) != 0;
        InetSocketAddress sender = sender(namesAt + i * NAME);
        readControlMessages(i, h);
        if (dropCounts) {
            // No message means the count was 0 when the buffer was queued.
            long dropped = Integer.toUnsignedLong(slotDropCount - lastDropCount);
            lastDropCount = slotDropCount;
            if (dropped > 0) {
                sink.dropped(dropped);
            }
        }
        int segment = gro ? slotSegmentSize : 0;
        int start = i * SLOT_BYTES;
        ByteBuffer data = current.delivering;
        slotLendable = current != spare && length >= MIN_LENT_SLOT_BYTES;
        if (segment <= 0 || segment >= length || truncated) {
            data.limit(start + length).position(start);
            sink.accept(data, sender, truncated);
            return 1;
        }
        int count = 0;
        for (int offset = 0; offset < length; offset += segment) {
            int end = Math.min(offset + segment, length); // the last datagram may be shorter
            data.limit(start + end).position(start + offset);
            sink.accept(data, sender, false);
            count++;
        }
        return count;
    }

    /**
     * Reads slot {@code i}'s control messages in one pass into {@link #slotSegmentSize} (UDP_GRO:
     * the size of each merged datagram) and {@link #slotDropCount} (SO_RXQ_OVFL: the socket's drop
     * count); each is 0 where its message is absent.
     */
    private void readControlMessages(int i, int h) {
        slotSegmentSize = 0;
        slotDropCount = 0;
        int control = controlsAt + i * CONTROL;
        int controlLength = (int) region.getLong(h + MSG_CONTROLLEN);
        int at = 0;
        while (at + CMSG_DATA <= controlLength) {
            long cmsgLength = region.getLong(control + at);
            if (cmsgLength < CMSG_DATA || at + cmsgLength > controlLength) {
                return;
            }
            if (cmsgLength >= CMSG_DATA + Integer.BYTES) {
                int level = region.getInt(control + at + CMSG_LEVEL);
                int type = region.getInt(control + at + CMSG_TYPE);
                if (level == SOL_UDP && type == UDP_GRO) {
                    slotSegmentSize = region.getInt(control + at + CMSG_DATA);
                } else if (level == SOL_SOCKET && type == SO_RXQ_OVFL) {
                    slotDropCount = region.getInt(control + at + CMSG_DATA);
                }
            }
            at += (int) ((cmsgLength + 7) & ~7L);
        }
    }

    /** The kernel writes back these lengths: give each slot its full room again. */
    private void resetSlot(int i) {
        int h = i * MMSGHDR;
        region.putInt(h + MSG_NAMELEN, SOCKADDR_IN6_LEN);
        region.putLong(h + MSG_CONTROLLEN, CONTROL);
        region.putInt(h + MSG_FLAGS, 0);
    }

    /** The sender in the sockaddr at {@code at}, from the cache when seen before. */
    private InetSocketAddress sender(int at) throws UnknownHostException {
        int family = region.getShort(at) & 0xffff;
        long k0;
        long k1 = 0;
        long k2 = 0;
        if (family == AF_INET6) {
            // family+port, then the scope id; the flow label (bytes 4..8) is not part of the address
            k0 = (region.getInt(at) & 0xffffffffL) | ((long) region.getInt(at + 24) << 32);
            k1 = region.getLong(at + 8);
            k2 = region.getLong(at + 16);
        } else {
            k0 = region.getLong(at); // family, port, IPv4 address
        }
        long mix = (k0 ^ k1 * 31 ^ k2 * 961) * 0x9E3779B97F4A7C15L;
        int slot = (int) (mix >>> 60) & (SENDER_CACHE - 1);
        InetSocketAddress hit = cached[slot];
        if (hit != null && cacheKey0[slot] == k0 && cacheKey1[slot] == k1 && cacheKey2[slot] == k2) {
            return hit;
        }
        InetSocketAddress address = decodeSockaddr(at, family);
        cached[slot] = address;
        cacheKey0[slot] = k0;
        cacheKey1[slot] = k1;
        cacheKey2[slot] = k2;
        return address;
    }

    private InetSocketAddress decodeSockaddr(int at, int family) throws UnknownHostException {
        int port = ((region.get(at + 2) & 0xff) << 8) | (region.get(at + 3) & 0xff);
        if (family == AF_INET) {
            byte[] address = new byte[4];
            region.get(at + 4, address);
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        }
        if (family == AF_INET6) {
            byte[] address = new byte[16];
            region.get(at + 8, address);
            int scope = region.getInt(at + 24);
            // Like the JDK: an IPv4-mapped address becomes an Inet4Address (getByAddress does that).
            InetAddress inet = scope != 0 && !isIpv4Mapped(address)
                    ? Inet6Address.getByAddress(null, address, scope) : InetAddress.getByAddress(address);
            return new InetSocketAddress(inet, port);
        }
        throw new UnknownHostException("address family " + family);
    }

    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public String description() {
        return "recvmmsg, " + slots + " buffers of 64 KiB" + (gro ? " with UDP GRO" : " (" + groRefusal + ")")
                + (dropCounts ? ", drops located (SO_RXQ_OVFL)" : "");
    }
}
