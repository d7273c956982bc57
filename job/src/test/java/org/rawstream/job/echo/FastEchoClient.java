package org.rawstream.job.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.rawstream.sources.echo.EchoBuilder;
import org.rawstream.sources.echo.EchoFramer;
import org.rawstream.sources.echo.EchoParser;
import org.rawstream.sources.echo.EchoRequest;
import org.rawstream.sources.echo.EchoResponse;

/**
 * An echo client that pipelines without any window: one thread writes requests as fast as the
 * socket takes them, another reads and checks the answers as fast as they come. Request
 * {@code n} carries {@code n} as its timestamp, so a stored payload says which request it is
 * ({@link #ordinal(byte[])}) and can be compared with {@link #payload(long)}.
 *
 * <p>Any end of the connection the client did not ask for (end of stream before
 * {@link #stopSending()}, a reset, a write error) is recorded as a {@link #failure()}.
 */
final class FastEchoClient implements AutoCloseable {
    private static final String SUBJECT = "fast";

    private final Socket socket;
    private final int bodyBytes;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final Thread writer;
    private final Thread reader;
    private volatile boolean stopSending;
    private volatile boolean endOfStream;

    FastEchoClient(int port, int bodyBytes) throws IOException {
        this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
        this.bodyBytes = bodyBytes;
        socket.setTcpNoDelay(true);
        writer = new Thread(this::write, "fast-echo-writer");
        reader = new Thread(this::read, "fast-echo-reader");
        writer.setDaemon(true);
        reader.setDaemon(true);
        writer.start();
        reader.start();
    }

    static EchoRequest request(long n, int bodyBytes) {
        byte[] body = new byte[bodyBytes];
        for (int i = 0; i < bodyBytes; i++) {
            body[i] = (byte) (n * 31 + i);
        }
        return new EchoRequest((byte) n, n, SUBJECT.getBytes(StandardCharsets.US_ASCII), new short[] {(short) n}, body);
    }

    /** The stored bytes of request {@code n} (the frame without its size field). */
    byte[] payload(long n) {
        return payload(n, bodyBytes);
    }

    static byte[] payload(long n, int bodyBytes) {
        ByteBuffer frame = EchoBuilder.appendRequest(null, request(n, bodyBytes)).flip();
        return Arrays.copyOfRange(frame.array(), EchoFramer.SIZE_FIELD_BYTES, frame.limit());
    }

    /** Which request a stored payload is (its timestamp field). */
    static long ordinal(byte[] payload) {
        return ByteBuffer.wrap(payload, 2, 8).getLong();
    }

    private void write() {
        ByteBuffer batch = ByteBuffer.allocate(64 << 10);
        try {
            OutputStream out = socket.getOutputStream();
            long n = 0;
            while (!stopSending) {
                batch.clear();
                while (batch.position() < 32 << 10) {
                    batch = EchoBuilder.appendRequest(batch, request(n++, bodyBytes));
                }
                out.write(batch.array(), 0, batch.position());
                sent.set(n);
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            fail("write failed after " + sent.get() + " requests: " + e);
        }
    }

    private void read() {
        EchoParser<EchoResponse> parser = EchoParser.forResponses(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
        byte[] buffer = new byte[64 << 10];
        try {
            InputStream in = socket.getInputStream();
            int got;
            while ((got = in.read(buffer)) >= 0) {
                for (EchoResponse response : parser.feed(ByteBuffer.wrap(buffer, 0, got))) {
                    long n = answered.get();
                    if (response.id() != (int) n || !response.equals(EchoResponse.answering(request(n, bodyBytes), (int) n))) {
                        fail("response " + n + " does not answer request " + n + ": id " + response.id());
                        return;
                    }
                    answered.incrementAndGet();
                }
                if (parser.totalErrors() > 0) {
                    fail("malformed response after " + answered.get());
                    return;
                }
            }
            endOfStream = true;
            if (!stopSending) {
                fail("disconnected by the server after " + answered.get() + " answers, " + sent.get() + " requests sent");
            }
        } catch (IOException e) {
            fail("read failed after " + answered.get() + " answers: " + e);
        }
    }

    private void fail(String message) {
        failure.compareAndSet(null, message);
    }

    /** Stop writing (the writer half-closes the connection once its last batch is out). */
    void stopSending() {
        stopSending = true;
    }

    /** Waits until the server ended the stream (or the reader failed); false at the timeout. */
    boolean awaitEnd(Duration timeout) throws InterruptedException {
        reader.join(timeout.toMillis());
        return !reader.isAlive();
    }

    /** Requests written completely (a batch counts once it is written). */
    long sent() {
        return sent.get();
    }

    long answered() {
        return answered.get();
    }

    boolean endOfStream() {
        return endOfStream;
    }

    String failure() {
        return failure.get();
    }

    @Override
    public void close() throws IOException {
        stopSending = true;
        socket.close();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
