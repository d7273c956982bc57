package org.rawstream.sources.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Datagrams the kernel dropped on one UDP socket because its receive buffer was full: the loss
 * that happens before the job sees a byte, and the first thing to look at when heaps arrive
 * incomplete. Linux keeps the count per socket in the last column ({@code drops}) of
 * {@code /proc/net/udp} and {@code /proc/net/udp6}; the socket's row is the one with its inode,
 * which {@code /proc/self/fd/<fd>} names (or, where the JVM keeps the descriptor out of reach, the
 * only row bound to the socket's port).
 *
 * <p>Read on demand by metric threads, at most once per {@link #MIN_READ_INTERVAL_NANOS}, so the
 * receiving thread never pays for it. The count never decreases: once the socket is closed (its
 * row gone), the last value read stays.
 */
final class KernelDrops implements LongSupplier {
    /** Metric readers (reporters, the status board, the web UI) may ask often; the file is read at most this often. */
    static final long MIN_READ_INTERVAL_NANOS = 500_000_000L;
    private static final Path[] TABLES = {Path.of("/proc/net/udp"), Path.of("/proc/net/udp6")};
    /** Columns of a row: sl, local, remote, st, tx:rx queue, tr:when, retrnsmt, uid, timeout, inode, ref, pointer, drops. */
    private static final int LOCAL_COLUMN = 1;
    private static final int INODE_COLUMN = 9;
    private static final int DROPS_COLUMN = 12;

    private final String inode;
    private long drops;
    private long readAtNanos;
    private boolean read;
    private boolean closed;

    private KernelDrops(String inode) {
        this.inode = inode;
    }

    /**
     * The drop count of {@code channel}'s socket, or null where it cannot be read (not Linux, no
     * {@code /proc}, the socket not found): the caller then counts nothing for it rather than a
     * count that stays 0.
     */
    static KernelDrops of(DatagramChannel channel) {
        if (!supported()) {
            return null;
        }
        try {
            String inode = inodeOfDescriptor(channel);
            if (inode == null) {
                inode = inodeOfOnlySocketOn(((InetSocketAddress) channel.getLocalAddress()).getPort());
            }
            if (inode == null) {
                return null;
            }
            KernelDrops d = new KernelDrops(inode);
            d.getAsLong();
            return d.read ? d : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The socket's inode as {@code /proc/self/fd} names it; null when the descriptor is out of reach. */
    private static String inodeOfDescriptor(DatagramChannel channel) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + LinuxSocketCalls.fd(channel))).toString();
            // "socket:[903730]"
            return link.startsWith("socket:[") && link.endsWith("]") ? link.substring(8, link.length() - 1) : null;
        } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null; // e.g. no --add-opens for sun.nio.ch
        }
    }

    /**
     * Without the descriptor: the inode of the one socket bound to {@code port}. With several
     * (SO_REUSEPORT) there is no telling which is ours: null.
     */
    private static String inodeOfOnlySocketOn(int port) {
        String suffix = String.format(":%04X", port);
        String found = null;
        for (String[] row : socketRows()) {
            if (row[LOCAL_COLUMN].endsWith(suffix)) {
                if (found != null) {
                    return null;
                }
                found = row[INODE_COLUMN];
            }
        }
        return found;
    }

    /**
     * Every socket's row of both tables, split into columns (rows too short to hold the drop count
     * left out); a table that cannot be read contributes nothing.
     */
    private static List<String[]> socketRows() {
        List<String[]> rows = new ArrayList<>();
        for (Path table : TABLES) {
            try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                in.readLine(); // header
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] columns = line.trim().split("\\s+");
                    if (columns.length > DROPS_COLUMN) {
                        rows.add(columns);
                    }
                }
            } catch (IOException e) {
                // not readable (no IPv6, say): no rows from it
            }
        }
        return rows;
    }

    /** Whether this host keeps per-socket drop counts where {@link #of} reads them. */
    static boolean supported() {
        return Files.isReadable(TABLES[0]);
    }

    /**
     * Reads the count one last time and keeps it: after the socket is closed its inode may be
     * given to another socket, whose drops are not ours.
     */
    synchronized void close() {
        if (!closed) {
            readNow();
            closed = true;
        }
    }

    @Override
    public synchronized long getAsLong() {
        if (!closed && (!read || System.nanoTime() - readAtNanos >= MIN_READ_INTERVAL_NANOS)) {
            readNow();
        }
        return drops;
    }

    private void readNow() {
        readAtNanos = System.nanoTime();
        for (String[] row : socketRows()) {
            if (row[INODE_COLUMN].equals(inode)) {
                try {
                    drops = Math.max(drops, Long.parseLong(row[DROPS_COLUMN]));
                    read = true;
                } catch (NumberFormatException e) {
                    // an unparsable count: keep the last value
                }
                return;
            }
        }
    }
}
