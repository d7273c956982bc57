package org.rawstream.sources.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The send-echo core against a small in-test echo server on loopback. */
class EchoClientTest {
    private TestEchoServer server;

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pipelinedRequestsOnSeveralConnectionsAreAllAnsweredInOrder() throws Exception {
        server = new TestEchoServer(id -> id, Integer.MAX_VALUE);
        EchoClientResult result = EchoClient.builder().port(server.port()).connections(3).count(3001).window(64)
                .bodyBytes(300).responseTimeoutMillis(20_000).build().run();
        assertThat(result.complete()).as(result.toString()).isTrue();
        assertThat(result.requestsSent()).isEqualTo(3001);
        assertThat(result.responsesReceived()).isEqualTo(3001);
        assertThat(server.requests()).isEqualTo(3001);
    }

    @Test
    void rateLimitedRunCompletes() throws Exception {
        server = new TestEchoServer(id -> id, Integer.MAX_VALUE);
        EchoClientResult result = EchoClient.builder().port(server.port()).count(100).rate(5000).build().run();
        assertThat(result.complete()).as(result.toString()).isTrue();
    }

    @Test
    void aWrongIdIsCountedAsMismatch() throws Exception {
        server = new TestEchoServer(id -> id == 5 ? 99 : id, Integer.MAX_VALUE);
        EchoClientResult result = EchoClient.builder().port(server.port()).count(10).build().run();
        assertThat(result.mismatchedResponses()).isEqualTo(1);
        assertThat(result.complete()).isFalse();
    }

    @Test
    void aServerThatClosesEarlyIsAFailureNotAHang() throws Exception {
        server = new TestEchoServer(id -> id, 7);
        EchoClientResult result = EchoClient.builder().port(server.port()).count(50).window(8)
                .responseTimeoutMillis(10_000).build().run();
        assertThat(result.responsesReceived()).isEqualTo(7);
        assertThat(result.failure()).contains("closed by the server");
    }

    /** Answers each connection's requests (id mapped by {@code ids}), closing after {@code answerLimit} answers. */
    static final class TestEchoServer implements AutoCloseable {
        private final ServerSocket serverSocket;
        private final Thread acceptor;
        private final List<Thread> handlers = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final IntUnaryOperator ids;
        private final int answerLimit;
        private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

        TestEchoServer(IntUnaryOperator ids, int answerLimit) throws IOException {
            this.ids = ids;
            this.answerLimit = answerLimit;
            this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.acceptor = new Thread(this::accept, "test-echo-acceptor");
            acceptor.start();
        }

        int port() {
            return serverSocket.getLocalPort();
        }

        long requests() {
            return requests.get();
        }

        private void accept() {
            try {
                while (true) {
                    Socket socket = serverSocket.accept();
                    sockets.add(socket);
                    Thread handler = new Thread(() -> serve(socket), "test-echo-connection");
                    handlers.add(handler);
                    handler.start();
                }
            } catch (IOException closed) {
                // close() ends the accept loop
            }
        }

        private void serve(Socket socket) {
            EchoFramer framer = new EchoFramer();
            EchoRequestView view = new EchoRequestView();
            byte[] buffer = new byte[8192];
            int[] ordinal = {0};
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                ByteBuffer[] responses = {ByteBuffer.allocate(8192)};
                int n;
                while ((n = in.read(buffer)) > 0) {
                    framer.feed(ByteBuffer.wrap(buffer, 0, n), payload -> {
                        if (view.wrap(payload) == null && ordinal[0] < answerLimit) {
                            requests.incrementAndGet();
                            responses[0] = EchoBuilder.appendResponse(responses[0], view, ids.applyAsInt(ordinal[0]++));
                        }
                    });
                    out.write(responses[0].array(), 0, responses[0].position());
                    responses[0].clear();
                    if (ordinal[0] >= answerLimit) {
                        // FIN, not RST: the client must see a clean end after the answers, so
                        // keep reading (and dropping) until it closes.
                        socket.shutdownOutput();
                        while (in.read(buffer) >= 0) {
                            continue;
                        }
                        return;
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            serverSocket.close();
            for (Socket socket : sockets) {
                socket.close();
            }
            join(acceptor);
            handlers.forEach(TestEchoServer::join);
        }

        private static void join(Thread thread) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(thread.isAlive()).as(thread.getName() + " stopped").isFalse();
        }
    }
}
