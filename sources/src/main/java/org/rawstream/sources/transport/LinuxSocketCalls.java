package org.rawstream.sources.transport;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.lang.reflect.Method;
import java.nio.channels.DatagramChannel;

/**
 * The few Linux socket calls the JDK does not offer — {@code recvmmsg} and {@code setsockopt} of
 * UDP options — bound to libc through JNA direct mapping (a plain JNI call, no per-call
 * allocation). Only 64-bit Linux on x86-64 and aarch64: the struct layouts in
 * {@link RecvmmsgReader} are those of these two ABIs.
 *
 * <p>Nothing here throws when the platform lacks it: {@link #unavailableReason()} says why the
 * calls cannot be used, and callers keep the JDK's own receive instead.
 */
final class LinuxSocketCalls {
    static final int SOL_UDP = 17;
    /** Send: the kernel cuts one large datagram into segments of this size (GSO). */
    static final int UDP_SEGMENT = 103;
    /** Receive: the kernel may hand several same-sized datagrams of one flow as one buffer (GRO). */
    static final int UDP_GRO = 104;
    static final int SOL_SOCKET = 1;
    /**
     * Receive: each datagram carries the socket's drop count as it was when the datagram was
     * queued (a control message, sent only once the count is not 0).
     */
    static final int SO_RXQ_OVFL = 40;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    private static final String UNAVAILABLE = load();

    private LinuxSocketCalls() {}

    static native int recvmmsg(int fd, Pointer msgvec, int vlen, int flags, Pointer timeout);

    static native int setsockopt(int fd, int level, int name, int[] value, int length);

    /** Why these calls cannot be used here, or null when they can. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** {@code errno} of the last call on this thread (JNA saves it right after the call). */
    static int errno() {
        return Native.getLastError();
    }

    /** Sets an int socket option; returns 0 or the errno. */
    static int setIntOption(int fd, int level, int name, int value) {
        return setsockopt(fd, level, name, new int[] {value}, Integer.BYTES) == 0 ? 0 : errno();
    }

    /**
     * The file descriptor of {@code channel}: the JDK keeps it in {@code sun.nio.ch}, reachable
     * only with {@code --add-opens=java.base/sun.nio.ch=ALL-UNNAMED} (the launcher, the cluster
     * scripts and the build all pass it).
     *
     * @throws ReflectiveOperationException when the module system or the JDK's internals refuse
     */
    static int fd(DatagramChannel channel) throws ReflectiveOperationException {
        Method getFd = channel.getClass().getMethod("getFDVal");
        getFd.setAccessible(true);
        return (Integer) getFd.invoke(channel);
    }

    private static String load() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("aarch64"))) {
            return "not Linux on x86-64 or aarch64 (" + os + " " + arch + ")";
        }
        try {
            Native.register(LinuxSocketCalls.class, Platform.C_LIBRARY_NAME);
            return null;
        } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError (no JNA), SecurityException
            return "JNA could not bind libc: " + e;
        }
    }
}
