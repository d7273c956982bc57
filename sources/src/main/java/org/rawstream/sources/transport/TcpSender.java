package org.rawstream.sources.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes byte arrays back to back over TCP on one or more connections (one thread each),
 * optionally paced, then half-closes and, if asked, reads what the server writes back until it
 * closes: for tests, the {@code send-*} commands and benchmarks.
 *
 * <pre>{@code
 * TcpSender.Result r = TcpSender.to("127.0.0.1", port).connections(4).readResponses(Duration.ofSeconds(30))
 *         .build().send(frames, 1);
 * byte[] answers = r.responses.get(0);
 * }</pre>
 */
public record TcpSender(InetSocketAddress target, int connections, double bitsPerSecond, double messagesPerSecond,
        long responseTimeoutMillis) {
    private static final int WRITE_BATCH_BYTES = 64 << 10;

    /** Rates of 0 are unlimited; a response timeout of 0 reads no responses. */
    public TcpSender {
        Objects.requireNonNull(target, "target");
        if (connections <= 0) {
            throw new IllegalArgumentException("connections must be > 0");
        }
    }

    public static Builder to(String host, int port) {
        return new Builder(new InetSocketAddress(host, port));
    }

    public static Builder to(InetSocketAddress target) {
        return new Builder(target);
    }

    /** What a send did; {@code responses} holds each connection's bytes read back (empty arrays if not read). */
    public static final class Result {
        public final long messages;
        public final long bytes;
        public final long nanos;
        public final List<byte[]> responses;

        Result(long messages, long bytes, long nanos, List<byte[]> responses) {
            this.messages = messages;
            this.bytes = bytes;
            this.nanos = nanos;
            this.responses = responses;
        }

        public double gigabitsPerSecond() {
            return nanos == 0 ? 0 : bytes * 8.0 / nanos;
        }

        @Override
        public String toString() {
            return String.format("%d messages, %d bytes in %.3f s (%.3f Gb/s) on %d connection(s)",
                    messages, bytes, nanos / 1e9, gigabitsPerSecond(), responses.size());
        }
    }

    /**
     * Every connection writes all of {@code messages}, {@code repeat} times over, then shuts down
     * its output; with responses enabled it then reads until the server closes (or the response
     * timeout passes: an {@link IOException}). Blocks until every connection is done.
     */
    public Result send(List<byte[]> messages, long repeat) throws IOException {
        long start = System.nanoTime();
        List<Worker> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            workers.add(new Worker(messages, repeat, c));
        }
        if (connections == 1) {
            workers.get(0).run();
        } else {
            for (Worker w : workers) {
                w.thread.start();
            }
            for (Worker w : workers) {
                try {
                    w.thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while sending", e);
                }
            }
        }
        long sentMessages = 0;
        long sentBytes = 0;
        List<byte[]> responses = new ArrayList<>();
        for (Worker w : workers) {
            if (w.failure != null) {
                throw w.failure;
            }
            sentMessages += w.messagesSent;
            sentBytes += w.bytesSent;
            responses.add(w.response);
        }
        return new Result(sentMessages, sentBytes, System.nanoTime() - start, responses);
    }

    private final class Worker implements Runnable {
        final List<byte[]> messages;
        final long repeat;
        final Thread thread;
        long messagesSent;
        long bytesSent;
        byte[] response = new byte[0];
        IOException failure;

        Worker(List<byte[]> messages, long repeat, int index) {
            this.messages = messages;
            this.repeat = repeat;
            this.thread = new Thread(this, "tcp-sender-" + index);
        }

        @Override
        public void run() {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.connect(target, 10_000);
                ResponseReader reader = null;
                if (responseTimeoutMillis > 0) {
                    // Read concurrently: a pipelining server's responses would otherwise fill the
                    // socket buffers and stall both sides.
                    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, responseTimeoutMillis));
                    reader = new ResponseReader(socket.getInputStream());
                    reader.thread.start();
                }
                write(socket.getOutputStream());
                socket.shutdownOutput();
                if (reader != null) {
                    reader.thread.join(responseTimeoutMillis + 1000);
                    if (reader.thread.isAlive()) {
                        throw new IOException("response reader did not finish");
                    }
                    if (reader.failure != null) {
                        throw reader.failure;
                    }
                    response = reader.bytes.toByteArray();
                }
            } catch (IOException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IOException("interrupted", e);
            }
        }

        private void write(OutputStream out) throws IOException {
            Pacer bitPacer = new Pacer(bitsPerSecond / connections);
            Pacer countPacer = new Pacer(messagesPerSecond / connections);
            boolean paced = !bitPacer.unlimited() || !countPacer.unlimited();
            byte[] batch = new byte[WRITE_BATCH_BYTES];
            int filled = 0;
            for (long r = 0; r < repeat; r++) {
                for (byte[] m : messages) {
                    if (paced) {
                        bitPacer.acquire(m.length * 8L);
                        countPacer.acquire(1);
                        out.write(m);
                    } else if (m.length > batch.length - filled) {
                        out.write(batch, 0, filled);
                        filled = 0;
                        if (m.length >= batch.length) {
                            out.write(m);
                        } else {
                            System.arraycopy(m, 0, batch, 0, m.length);
                            filled = m.length;
                        }
                    } else {
                        System.arraycopy(m, 0, batch, filled, m.length);
                        filled += m.length;
                    }
                    messagesSent++;
                    bytesSent += m.length;
                }
            }
            out.write(batch, 0, filled);
            out.flush();
        }
    }

    private static final class ResponseReader implements Runnable {
        final InputStream in;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final Thread thread = new Thread(this, "tcp-sender-responses");
        IOException failure;

        ResponseReader(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[64 << 10];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    bytes.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                failure = new IOException("no end of responses within the timeout (" + bytes.size() + " bytes read)", e);
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    public static final class Builder {
        private final InetSocketAddress target;
        private int connections = 1;
        private double bitsPerSecond;
        private double messagesPerSecond;
        private long responseTimeoutMillis;

        private Builder(InetSocketAddress target) {
            this.target = target;
        }

        public Builder connections(int count) {
            if (count <= 0) {
                throw new IllegalArgumentException("connections must be > 0");
            }
            this.connections = count;
            return this;
        }

        /** Payload rate over all connections; 0 = unlimited. */
        public Builder gigabitsPerSecond(double gbps) {
            this.bitsPerSecond = gbps * 1e9;
            return this;
        }

        /** Message rate over all connections; 0 = unlimited. */
        public Builder messagesPerSecond(double rate) {
            this.messagesPerSecond = rate;
            return this;
        }

        /** Read what the server writes back until it closes, failing if a read waits longer than {@code timeout}. */
        public Builder readResponses(Duration timeout) {
            this.responseTimeoutMillis = timeout.toMillis();
            return this;
        }

        public TcpSender build() {
            return new TcpSender(target, connections, bitsPerSecond, messagesPerSecond, responseTimeoutMillis);
        }
    }
}
