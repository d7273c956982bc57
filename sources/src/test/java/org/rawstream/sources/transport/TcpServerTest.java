package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sources.transport.PollUntil.pollUntil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpServerTest {
    private final TransportStats stats = new TransportStats();
    private final DecodeErrorCounter errors = new DecodeErrorCounter("test");
    private final List<String> received = new ArrayList<>();
    private final List<long[]> origins = new ArrayList<>();
    private final List<Socket> clients = new ArrayList<>();
    private SocketPoller poller;
    private TcpServer<String> server;

    @BeforeEach
    void setUp() throws IOException {
        poller = SocketPoller.open();
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
        poller.close();
    }

    private void start(TcpOptions options, Function<ConnectionContext, StreamDecoder<String>> decoders) throws IOException {
        server = TcpServer.open(options, decoders, (record, connection, ordinal) -> {
            received.add(record);
            origins.add(new long[] {connection, ordinal});
        }, errors, stats);
        poller.add(server);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.localAddress().getPort());
        s.setSoTimeout((int) PollUntil.DEADLINE.toMillis());
        clients.add(s);
        return s;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads until the server closes, driving the server meanwhile. */
    private byte[] readToEnd(Socket s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        boolean[] eof = {false};
        s.setSoTimeout(5);
        pollUntil(poller, () -> {
            try {
                byte[] buf = new byte[4096];
                int n = in.read(buf);
                if (n < 0) {
                    eof[0] = true;
                } else {
                    bytes.write(buf, 0, n);
                }
            } catch (java.net.SocketTimeoutException e) {
                // nothing yet
            } catch (IOException e) {
                eof[0] = true; // reset counts as closed
            }
            return eof[0];
        }, "the server to close the connection");
        return bytes.toByteArray();
    }

    @Test
    void decodesRecordsAcrossArbitraryChunks() throws IOException {
        start(TcpOptions.builder(0).readChunkBytes(7).build(), c -> new LineCodec.LineDecoder(1000));
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        byte[] all = utf8("alpha\nbeta\n\ngamma-delta-epsilon\n");
        for (byte b : all) { // one byte per write: chunks of any size must work
            out.write(b);
            out.flush();
        }
        out.write(utf8("zeta\n".repeat(100)));
        out.flush();
        pollUntil(poller, () -> received.size() == 104, "104 lines");
        assertThat(received.subList(0, 4)).containsExactly("alpha", "beta", "", "gamma-delta-epsilon");
        assertThat(received.subList(4, 104)).containsOnly("zeta");
        assertThat(origins).allSatisfy(o -> assertThat(o[0]).isEqualTo(1));
        for (int i = 0; i < origins.size(); i++) {
            assertThat(origins.get(i)[1]).isEqualTo(i);
        }
        assertThat(stats.streamBytesReceived.get()).isEqualTo(all.length + 500);
    }

    @Test
    void eachConnectionHasItsOwnDecoderAndOrdinals() throws IOException {
        start(TcpOptions.builder(0).build(), c -> new LineCodec.LineDecoder(1000));
        Socket a = connect();
        Socket b = connect();
        a.getOutputStream().write(utf8("a1\na"));
        b.getOutputStream().write(utf8("b1\nb2\n"));
        a.getOutputStream().write(utf8("2\n"));
        pollUntil(poller, () -> received.size() == 4, "4 lines");
        assertThat(received).containsExactlyInAnyOrder("a1", "a2", "b1", "b2");
        long aId = origins.get(received.indexOf("a1"))[0];
        assertThat(origins.get(received.indexOf("a2"))).containsExactly(aId, 1);
        long bId = origins.get(received.indexOf("b1"))[0];
        assertThat(bId).isNotEqualTo(aId);
        assertThat(origins.get(received.indexOf("b2"))).containsExactly(bId, 1);
    }

    @Test
    void rejectsConnectionsOverTheLimit() throws IOException {
        start(TcpOptions.builder(0).maxConnections(2).build(), c -> new LineCodec.LineDecoder(1000));
        connect();
        connect();
        pollUntil(poller, () -> stats.connectionsOpened.get() == 2, "two connections");
        Socket third = connect();
        pollUntil(poller, () -> stats.connectionsRejected.get() == 1, "the rejection");
        assertThat(readToEnd(third)).isEmpty();
        assertThat(server.openConnections()).isEqualTo(2);
        assertThat(stats.connectionsOpen()).isEqualTo(2);
    }

    @Test
    void framingErrorClosesOnlyThatConnection() throws IOException {
        start(TcpOptions.builder(0).build(), c -> new LineCodec.LineDecoder(10));
        Socket bad = connect();
        Socket good = connect();
        bad.getOutputStream().write(utf8("short\n" + "x".repeat(20) + "\nnever\n"));
        assertThat(readToEnd(bad)).isEmpty();
        good.getOutputStream().write(utf8("still-ok\n"));
        pollUntil(poller, () -> received.contains("still-ok"), "the good connection's line");
        assertThat(received).containsExactly("short", "still-ok");
        assertThat(stats.connectionsFramingError.get()).isEqualTo(1);
        assertThat(errors.count("lineTooLong")).isEqualTo(1);
        assertThat(server.openConnections()).isEqualTo(1);
    }

    @Test
    void writesResponsesInOrder() throws IOException {
        start(TcpOptions.builder(0).build(), c -> new LineCodec.RespondingLineDecoder(1000, c));
        Socket s = connect();
        StringBuilder expected = new StringBuilder();
        StringBuilder request = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            request.append("req").append(i).append('\n');
            expected.append("ok:req").append(i).append('\n');
        }
        s.getOutputStream().write(utf8(request.toString()));
        s.shutdownOutput();
        assertThat(new String(readToEnd(s), StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        assertThat(stats.bytesSent.get()).isEqualTo(expected.length());
    }

    @Test
    void decoderMayCloseItsConnectionAfterResponding() throws IOException {
        start(TcpOptions.builder(0).build(), c -> new LineCodec.LineDecoder(1000) {
            @Override
            protected void onLine(String line, RecordCollector<String> out) {
                out.collect(line);
                c.send(java.nio.ByteBuffer.wrap(utf8("ok:" + line + "\n")));
                if (line.equals("bye")) {
                    c.close();
                }
            }
        });
        Socket s = connect();
        s.getOutputStream().write(utf8("hello\nbye\nignored\n"));
        assertThat(new String(readToEnd(s), StandardCharsets.UTF_8)).isEqualTo("ok:hello\nok:bye\n");
        assertThat(received).containsExactly("hello", "bye");
        assertThat(server.openConnections()).isZero();
    }

    @Test
    void endOfStreamDiscardsAndCountsPartialRecord() throws IOException {
        start(TcpOptions.builder(0).build(), c -> new LineCodec.LineDecoder(1000));
        Socket s = connect();
        s.getOutputStream().write(utf8("complete\npart"));
        s.shutdownOutput();
        assertThat(readToEnd(s)).isEmpty();
        assertThat(received).containsExactly("complete");
        assertThat(errors.count("partialRecord")).isEqualTo(1);
        assertThat(stats.connectionsClosed.get()).isEqualTo(1);
    }

    @Test
    void acknowledgementsReleaseResponsesAndHalfClosedConnectionsWaitForThem() throws IOException {
        start(TcpOptions.builder(0).build(), c -> new LineCodec.AcknowledgingLineDecoder(1000, c));
        Socket s = connect();
        s.getOutputStream().write(utf8("a\nb\nc\n"));
        s.shutdownOutput();
        pollUntil(poller, () -> received.size() == 3 && stats.connectionsOpened.get() == 1, "three lines");
        long id = origins.get(0)[0];
        // Nothing acknowledged yet: the connection stays open (input closed) with no output.
        assertThat(server.openConnections()).isEqualTo(1);
        assertThat(s.getInputStream().available()).isZero();
        assertThat(server.acknowledge(id, 2)).isTrue();
        assertThat(server.openConnections()).isEqualTo(1);
        assertThat(server.acknowledge(id, 3)).isTrue();
        assertThat(new String(readToEnd(s), StandardCharsets.UTF_8)).isEqualTo("ack:0\nack:1\nack:2\n");
        assertThat(server.acknowledge(id, 3)).isFalse();
        assertThat(stats.acknowledgements.get()).isEqualTo(2);
        assertThat(stats.acknowledgementsDropped.get()).isEqualTo(1);
    }

    @Test
    void lingerBoundsHowLongAHalfClosedConnectionWaits() throws IOException {
        start(TcpOptions.builder(0).linger(Duration.ofMillis(50)).build(),
                c -> new LineCodec.AcknowledgingLineDecoder(1000, c));
        Socket s = connect();
        s.getOutputStream().write(utf8("a\n"));
        s.shutdownOutput();
        assertThat(readToEnd(s)).isEmpty();
        assertThat(received).containsExactly("a");
    }

    @Test
    void idleConnectionsAreClosed() throws IOException {
        start(TcpOptions.builder(0).idleTimeout(Duration.ofMillis(50)).build(), c -> new LineCodec.LineDecoder(1000));
        Socket s = connect();
        assertThat(readToEnd(s)).isEmpty();
        assertThat(stats.connectionsIdleClosed.get()).isEqualTo(1);
    }

    /** Lines of 1 KiB; every line is answered with itself, like an echo server. */
    private static final String LINE = "x".repeat(1023) + "\n";

    private static StreamDecoder<String> echoLines(ConnectionContext c) {
        return new LineCodec.LineDecoder(4096) {
            @Override
            protected void onLine(String line, RecordCollector<String> out) {
                out.collect(line);
                c.send(java.nio.ByteBuffer.wrap(utf8(line + "\n")));
            }
        };
    }

    @Test
    void peerThatDoesNotReadIsNotReadEitherThenClosedAsIdle() throws IOException {
        start(TcpOptions.builder(0).maxOutputBytes(256 << 10).idleTimeout(Duration.ofMillis(500)).build(),
                TcpServerTest::echoLines);
        Socket s = connect();
        s.setReceiveBufferSize(4096);
        // 8 MiB of requests, never reading a response: the writer blocks once the server stops reading.
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 8192; i++) {
                    out.write(utf8(LINE));
                }
            } catch (IOException e) {
                // closed by the server: expected
            }
        });
        writer.setDaemon(true);
        writer.start();
        pollUntil(poller, () -> stats.readPauses.get() == 1, "reading to pause");
        assertThat(received.size()).as("reading stopped near the budget").isLessThan(8192);
        pollUntil(poller, () -> stats.connectionsIdleClosed.get() == 1, "the write stall to close it as idle");
        assertThat(stats.connectionsOutputOverflow.get()).isZero();
        assertThat(errors.count("outputOverflow")).isZero();
    }

    @Test
    void fastPeerThatReadsItsResponsesIsSlowedNotDisconnected() throws Exception {
        start(TcpOptions.builder(0).maxOutputBytes(256 << 10).build(), TcpServerTest::echoLines);
        Socket s = connect();
        int requests = 8192;
        long expected = requests * (long) LINE.length();
        long[] got = {0};
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[1 << 16];
            try {
                InputStream in = s.getInputStream(); // left open: the server must not see an end
                int n;
                while (got[0] < expected && (n = in.read(buf)) > 0) {
                    synchronized (got) {
                        got[0] += n;
                    }
                }
            } catch (IOException e) {
                // the assertion below reports the shortfall
            }
        });
        reader.start();
        Thread writer = new Thread(() -> {
            try {
                s.getOutputStream().write(utf8(LINE.repeat(requests)));
            } catch (IOException e) {
                // the assertion below reports the shortfall
            }
        });
        writer.start();
        pollUntil(poller, () -> {
            synchronized (got) {
                return got[0] == expected;
            }
        }, "every response");
        reader.join(PollUntil.DEADLINE.toMillis());
        writer.join(PollUntil.DEADLINE.toMillis());
        assertThat(received).hasSize(requests);
        assertThat(stats.readPauses.get()).as("flow control engaged").isPositive();
        assertThat(stats.connectionsClosed.get()).isZero();
        assertThat(stats.connectionsOutputOverflow.get()).isZero();
    }

    @Test
    void idleTimeoutFreesTheSlotsOfHeldConnections() throws IOException {
        start(TcpOptions.builder(0).maxConnections(2).idleTimeout(Duration.ofMillis(300)).build(),
                c -> new LineCodec.LineDecoder(1000));
        Socket a = connect();
        Socket b = connect();
        pollUntil(poller, () -> server.openConnections() == 2, "two connections");
        Socket rejected = connect();
        assertThat(readToEnd(rejected)).isEmpty();
        assertThat(stats.connectionsRejected.get()).isEqualTo(1);
        pollUntil(poller, () -> server.openConnections() == 0, "the idle timeout");
        assertThat(stats.connectionsIdleClosed.get()).isEqualTo(2);
        assertThat(readToEnd(a)).isEmpty();
        assertThat(readToEnd(b)).isEmpty();
        Socket fresh = connect();
        fresh.getOutputStream().write(utf8("served\n"));
        pollUntil(poller, () -> received.contains("served"), "a new client to be served");
    }

    @Test
    void frameTimeoutClosesSlowFramesAndFreesTheirSlots() throws IOException {
        start(TcpOptions.builder(0).maxConnections(2).idleTimeout(Duration.ZERO).frameTimeout(Duration.ofMillis(300))
                .build(), c -> new LineCodec.LineDecoder(1000));
        Socket a = connect();
        Socket b = connect();
        a.getOutputStream().write(utf8("complete\npart"));
        b.getOutputStream().write(utf8("p"));
        pollUntil(poller, () -> stats.connectionsFrameTimeout.get() == 2, "the frame timeout");
        pollUntil(poller, () -> server.openConnections() == 0, "the connections to close");
        assertThat(stats.connectionsFrameTimeout.get()).isEqualTo(2);
        assertThat(errors.count("partialRecord")).as("the partial frames are counted").isEqualTo(2);
        assertThat(received).containsExactly("complete");
        Socket fresh = connect();
        fresh.getOutputStream().write(utf8("served\n"));
        pollUntil(poller, () -> received.contains("served"), "a new client to be served");
        assertThat(stats.connectionsIdleClosed.get()).isZero();
    }

    @Test
    void drainStopsReadingAndWritesWhatIsOwed() throws IOException {
        start(TcpOptions.builder(0).build(), c -> new LineCodec.AcknowledgingLineDecoder(1000, c));
        Socket s = connect();
        s.getOutputStream().write(utf8("a\nb\n"));
        pollUntil(poller, () -> received.size() == 2, "two lines");
        long id = origins.get(0)[0];
        server.drain();
        s.getOutputStream().write(utf8("late\n"));
        pollUntil(poller, () -> stats.bytesDiscarded.get() == 5, "the late line to be dropped");
        assertThat(server.acknowledge(id, 2)).isTrue();
        server.finish();
        assertThat(new String(readToEnd(s), StandardCharsets.UTF_8)).isEqualTo("ack:0\nack:1\n");
        assertThat(received).containsExactly("a", "b");
        s.close();
        pollUntil(poller, () -> server.openConnections() == 0, "the connection to close after its peer");
    }
}
