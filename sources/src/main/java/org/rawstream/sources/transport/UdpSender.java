package org.rawstream.sources.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends byte arrays as datagrams, optionally paced (bits or datagrams per second, over all
 * threads) and from several threads: for tests, the {@code send-*} commands and benchmarks.
 *
 * <pre>{@code
 * UdpSender.Result r = UdpSender.to("127.0.0.1", port).gigabitsPerSecond(5).threads(2).build()
 *         .send(packets, 100);   // the list 100 times
 * }</pre>
 */
public record UdpSender(InetSocketAddress target, double bitsPerSecond, double datagramsPerSecond, int threads,
        int sendBufferBytes) {

    /** Rates of 0 are unlimited; a send buffer of 0 is the system's default. */
    public UdpSender {
        Objects.requireNonNull(target, "target");
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0");
        }
    }

    public static Builder to(String host, int port) {
        return new Builder(new InetSocketAddress(host, port));
    }

    public static Builder to(InetSocketAddress target) {
        return new Builder(target);
    }

    /** What a send did. */
    public static final class Result {
        public final long datagrams;
        public final long bytes;
        public final long nanos;

        Result(long datagrams, long bytes, long nanos) {
            this.datagrams = datagrams;
            this.bytes = bytes;
            this.nanos = nanos;
        }

        public double gigabitsPerSecond() {
            return nanos == 0 ? 0 : bytes * 8.0 / nanos;
        }

        public double datagramsPerSecond() {
            return nanos == 0 ? 0 : datagrams * 1e9 / nanos;
        }

        @Override
        public String toString() {
            return String.format("%d datagrams, %d bytes in %.3f s (%.3f Gb/s, %.0f datagrams/s)",
                    datagrams, bytes, nanos / 1e9, gigabitsPerSecond(), datagramsPerSecond());
        }
    }

    /**
     * Send every datagram of {@code datagrams}, {@code repeat} times over. With several threads,
     * thread {@code t} of {@code n} sends the datagrams at indices {@code t, t+n, ...} (so order
     * between threads is not kept). Blocks until done.
     */
    public Result send(List<byte[]> datagrams, long repeat) throws IOException {
        AtomicLong sent = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long start = System.nanoTime();
        if (threads == 1) {
            sendShare(datagrams, repeat, 0, 1, sent, bytes);
        } else {
            List<Thread> workers = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int share = t;
                Thread w = new Thread(() -> {
                    try {
                        sendShare(datagrams, repeat, share, threads, sent, bytes);
                    } catch (IOException | RuntimeException e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }, "udp-sender-" + t);
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while sending", e);
                }
            }
            if (!failures.isEmpty()) {
                Throwable f = failures.get(0);
                if (f instanceof IOException) {
                    throw (IOException) f;
                }
                throw new UncheckedIOException(new IOException(f));
            }
        }
        return new Result(sent.get(), bytes.get(), System.nanoTime() - start);
    }

    private void sendShare(List<byte[]> datagrams, long repeat, int share, int shares, AtomicLong sent,
            AtomicLong bytes) throws IOException {
        Pacer bitPacer = new Pacer(bitsPerSecond / shares);
        Pacer countPacer = new Pacer(datagramsPerSecond / shares);
        long n = 0;
        long b = 0;
        try (DatagramChannel ch = SenderChannels.udp(target, sendBufferBytes)) {
            for (long r = 0; r < repeat; r++) {
                for (int i = share; i < datagrams.size(); i += shares) {
                    byte[] d = datagrams.get(i);
                    bitPacer.acquire(d.length * 8L);
                    countPacer.acquire(1);
                    if (d.length == 0) {
                        sendEmpty();
                    } else {
                        SenderChannels.send(ch, ByteBuffer.wrap(d));
                    }
                    n++;
                    b += d.length;
                }
            }
        } finally {
            sent.addAndGet(n);
            bytes.addAndGet(b);
        }
    }

    /** A connected channel's write() silently skips empty buffers: send those unconnected. */
    private void sendEmpty() throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.send(ByteBuffer.allocate(0), target);
        }
    }

    public static final class Builder {
        private final InetSocketAddress target;
        private double bitsPerSecond;
        private double datagramsPerSecond;
        private int threads = 1;
        private int sendBufferBytes;

        private Builder(InetSocketAddress target) {
            this.target = target;
        }

        /** Payload rate over all threads; 0 = unlimited. */
        public Builder gigabitsPerSecond(double gbps) {
            this.bitsPerSecond = gbps * 1e9;
            return this;
        }

        /** Datagram rate over all threads; 0 = unlimited. */
        public Builder datagramsPerSecond(double rate) {
            this.datagramsPerSecond = rate;
            return this;
        }

        public Builder threads(int count) {
            if (count <= 0) {
                throw new IllegalArgumentException("threads must be > 0");
            }
            this.threads = count;
            return this;
        }

        /** SO_SNDBUF; 0 = system default. */
        public Builder sendBufferBytes(int bytes) {
            this.sendBufferBytes = bytes;
            return this;
        }

        public UdpSender build() {
            return new UdpSender(target, bitsPerSecond, datagramsPerSecond, threads, sendBufferBytes);
        }
    }
}
