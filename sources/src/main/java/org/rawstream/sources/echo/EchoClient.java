package org.rawstream.sources.echo;

import static org.rawstream.core.config.ConfigChecks.atLeast;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CopyOnWriteArrayList;
import org.rawstream.sources.transport.Pacer;

/**
 * Plain-Java echo protocol client (the core of {@code send-echo}): opens connections, pipelines
 * requests on each (up to a window of unanswered ones) at an optional overall rate, reads the
 * responses and checks each answers the request in its place (id = ordinal on the connection,
 * same sequence, timestamp, subject and body).
 *
 * <p>Each connection uses one writer and one reader thread; {@link #run()} returns when every
 * request is answered or the response timeout passes without progress.
 */
public final class EchoClient {
    /** Makes the n-th request (from 0) of connection {@code connection}. */
    @FunctionalInterface
    public interface RequestFactory {
        EchoRequest request(int connection, long n);
    }

    /** Told of every response as it arrives (on a reader thread; keep it quick and thread-safe). */
    @FunctionalInterface
    public interface ResponseListener {
        /**
         * @param n the request's ordinal on its connection
         * @param matches whether the response answers request {@code n} correctly
         */
        void answered(int connection, long n, EchoResponse response, boolean matches);
    }

    private final InetSocketAddress target;
    private final int connections;
    private final long count;
    private final double rate;
    private final int window;
    private final long responseTimeoutMillis;
    private final RequestFactory factory;
    private final ResponseListener listener;
    private final List<Socket> openSockets = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    private EchoClient(Builder b) {
        this.target = new InetSocketAddress(b.host, b.port);
        this.connections = b.connections;
        this.count = b.count;
        this.rate = b.rate;
        this.window = b.window;
        this.responseTimeoutMillis = b.responseTimeoutMillis;
        this.factory = b.requestFactory();
        this.listener = b.listener;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Requests with subject "conn-c", metadata [c, n mod 2^15] and a seeded random body of the given size. */
    public static RequestFactory defaultFactory(int bodyBytes, long seed) {
        return (connection, n) -> {
            byte[] body = new byte[bodyBytes];
            new Random(seed ^ (connection * 0x9E3779B97F4A7C15L) ^ n).nextBytes(body);
            return new EchoRequest((byte) n, System.currentTimeMillis(), ("conn-" + connection).getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII), new short[] {(short) connection, (short) (n & 0x7FFF)},
                    body);
        };
    }

    /**
     * Ends a running {@link #run()} early (from another thread): stops sending and closes every
     * connection; responses not yet received are not waited for.
     */
    public void stop() {
        stopped = true;
        openSockets.forEach(EchoClient::closeQuietly);
    }

    /** Sends every request and waits for the answers. */
    public EchoClientResult run() throws InterruptedException {
        long start = System.nanoTime();
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicLong mismatched = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            long share = count / connections + (c < count % connections ? 1 : 0);
            Connection connection = new Connection(c, share, sent, received, mismatched, bytes, failure);
            Thread thread = new Thread(connection::run, "echo-client-" + c);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new EchoClientResult(sent.get(), received.get(), mismatched.get(), bytes.get(),
                System.nanoTime() - start, failure.get());
    }

    /** One connection: this thread writes, a second reads and checks. */
    private final class Connection {
        private final int index;
        private final long requests;
        private final AtomicLong sent;
        private final AtomicLong received;
        private final AtomicLong mismatched;
        private final AtomicLong bytes;
        private final AtomicReference<String> failure;
        private final Semaphore inFlight = new Semaphore(window);
        private final BlockingQueue<EchoResponse> expected = new ArrayBlockingQueue<>(window);

        Connection(int index, long requests, AtomicLong sent, AtomicLong received,
                AtomicLong mismatched, AtomicLong bytes, AtomicReference<String> failure) {
            this.index = index;
            this.requests = requests;
            this.sent = sent;
            this.received = received;
            this.mismatched = mismatched;
            this.bytes = bytes;
            this.failure = failure;
        }

        private void fail(String message) {
            if (!stopped) {
                failure.compareAndSet(null, message);
            }
        }

        void run() {
            try (Socket socket = new Socket()) {
                openSockets.add(socket);
                if (stopped) {
                    return;
                }
                socket.setTcpNoDelay(true);
                socket.connect(target, (int) Math.min(Integer.MAX_VALUE, responseTimeoutMillis));
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, responseTimeoutMillis));
                Thread reader = new Thread(() -> read(socket), "echo-client-reader-" + index);
                reader.setDaemon(true);
                reader.start();
                try {
                    write(socket.getOutputStream(), reader);
                } finally {
                    reader.join();
                    openSockets.remove(socket);
                }
            } catch (IOException e) {
                fail("connection " + index + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("connection " + index + ": interrupted");
            }
        }

        private void write(OutputStream out, Thread reader) throws IOException, InterruptedException {
            Pacer pacer = new Pacer(rate / connections);
            ByteBuffer batch = ByteBuffer.allocate(64 * 1024);
            for (long n = 0; n < requests && reader.isAlive() && !stopped; n++) {
                if (!inFlight.tryAcquire(responseTimeoutMillis, TimeUnit.MILLISECONDS)) {
                    return; // the reader reports the timeout
                }
                pacer.acquire(1);
                EchoRequest request = factory.request(index, n);
                expected.offer(EchoResponse.answering(request, (int) n)); // never full: one permit per entry
                batch = EchoBuilder.appendRequest(batch, request);
                sent.incrementAndGet();
                // Pipelining: unpaced, requests go out in batches; paced, each when it is due.
                if (!pacer.unlimited() || batch.position() >= 32 * 1024 || inFlight.availablePermits() == 0
                        || n + 1 == requests) {
                    out.write(batch.array(), 0, batch.position());
                    bytes.addAndGet(batch.position());
                    batch.clear();
                }
            }
            out.flush();
        }

        private void read(Socket socket) {
            EchoParser<EchoResponse> parser = EchoParser.forResponses(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
            byte[] buffer = new byte[64 * 1024];
            long answered = 0;
            try {
                InputStream in = socket.getInputStream();
                while (answered < requests) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (SocketTimeoutException e) {
                        fail("connection " + index + ": no response for "
                                + responseTimeoutMillis + " ms after " + answered + " of " + requests);
                        return;
                    }
                    if (n < 0) {
                        fail("connection " + index + ": closed by the server after "
                                + answered + " of " + requests + " responses");
                        return;
                    }
                    for (EchoResponse response : parser.feed(ByteBuffer.wrap(buffer, 0, n))) {
                        EchoResponse want = expected.poll();
                        boolean matches = want != null && want.equals(response);
                        if (!matches) {
                            mismatched.incrementAndGet();
                        }
                        if (listener != null) {
                            listener.answered(index, answered, response, matches);
                        }
                        answered++;
                        received.incrementAndGet();
                        inFlight.release();
                    }
                    if (parser.isClosed() || parser.totalErrors() > 0) {
                        fail("connection " + index + ": malformed response ("
                                + (parser.isClosed() ? parser.protocolError() : "rejected frame") + ")");
                        return;
                    }
                }
            } catch (IOException e) {
                fail("connection " + index + ": " + e);
            } finally {
                if (answered < requests) {
                    closeQuietly(socket); // unblocks a writer stuck on a peer that stopped reading
                }
                inFlight.release(window); // never leave the writer waiting for a dead reader
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already failing; the first failure is what gets reported
        }
    }

    /** Builder of {@link EchoClient}; defaults: 127.0.0.1, 1 connection, 1000 requests, unthrottled. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = -1;
        private int connections = 1;
        private long count = 1000;
        private double rate;
        private int window = 1024;
        private long responseTimeoutMillis = 30_000;
        private int bodyBytes = 64;
        private long seed = 1;
        private RequestFactory factory;
        private ResponseListener listener;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Parallel connections; requests are shared out evenly. */
        public Builder connections(int connections) {
            this.connections = atLeast(connections, 1, "connections");
            return this;
        }

        /** Requests in total over all connections. */
        public Builder count(long count) {
            this.count = atLeast(count, 0, "count");
            return this;
        }

        /** Requests per second over all connections; 0 = as fast as the window allows. */
        public Builder rate(double requestsPerSecond) {
            this.rate = atLeast(requestsPerSecond, 0, "rate");
            return this;
        }

        /** Most unanswered requests per connection (pipelining depth). */
        public Builder window(int window) {
            this.window = atLeast(window, 1, "window");
            return this;
        }

        /** Longest wait for the next response (e.g. for durable acknowledgements, a few checkpoint intervals). */
        public Builder responseTimeoutMillis(long millis) {
            this.responseTimeoutMillis = atLeast(millis, 1, "responseTimeoutMillis");
            return this;
        }

        /** Body size of the default requests. */
        public Builder bodyBytes(int bodyBytes) {
            this.bodyBytes = atLeast(bodyBytes, 0, "bodyBytes");
            return this;
        }

        /** Seed of the default requests' bodies. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The requests a client built now would send: the custom ones, or the default ones for the
         * body size and seed set so far (for wrapping, e.g. to record what is sent).
         */
        public RequestFactory requestFactory() {
            return factory != null ? factory : defaultFactory(bodyBytes, seed);
        }

        /** Custom requests instead of the default ones. */
        public Builder requests(RequestFactory factory) {
            this.factory = factory;
            return this;
        }

        /** Called for every response as it arrives. */
        public Builder onResponse(ResponseListener responseListener) {
            this.listener = responseListener;
            return this;
        }

        public EchoClient build() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be set (0..65535)");
            }
            return new EchoClient(this);
        }
    }
}
