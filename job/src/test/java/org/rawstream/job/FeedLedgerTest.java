package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.DemoFeed;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.sources.echo.EchoBuilder;
import org.rawstream.sources.echo.EchoParser;
import org.rawstream.sources.echo.EchoRequest;
import org.rawstream.sources.echo.EchoResponse;

/**
 * Demo feeds report to a {@link org.rawstream.job.source.FeedLedger} exactly the bytes a receiver
 * gets (what the sink would store), and echo feeds report durable acknowledgements only in
 * {@code ack: durable} mode.
 */
class FeedLedgerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void udpFeedsReportEveryDatagramTheyDeliver() throws Exception {
        for (String type : List.of("msgpack-udp", "odin-udp")) {
            try (DatagramChannel socket = DatagramChannel.open()) {
                socket.bind(new InetSocketAddress("127.0.0.1", 0));
                socket.configureBlocking(false);
                RecordingLedger ledger = new RecordingLedger();
                List<byte[]> received = new ArrayList<>();
                DemoFeed feed = SourceKinds.get(type).startDemoFeed(source(type, port(socket), Map.of()), ledger);
                try {
                    ByteBuffer datagram = ByteBuffer.allocate(65536);
                    Deadlines.await(DEADLINE, "datagrams from the " + type + " feed", () -> {
                        while (socket.receive(datagram.clear()) != null) {
                            received.add(Arrays.copyOf(datagram.array(), datagram.position()));
                        }
                        return received.size() >= 30;
                    });
                } finally {
                    feed.close();
                }
                for (byte[] d : received) {
                    assertThat(ledger.timesSent(OutputCheck.sha256(d))).as("%s datagram in the ledger", type).isPositive();
                }
                assertThat(ledger.acknowledged()).isEmpty();
            }
        }
    }

    @Test
    void echoFeedReportsRequestsAndDurableAnswersOnlyInDurableMode() throws Exception {
        for (String ack : List.of("received", "durable")) {
            try (AnsweringServer server = new AnsweringServer()) {
                RecordingLedger ledger = new RecordingLedger();
                DemoFeed feed = SourceKinds.get("echo-tcp").startDemoFeed(
                        source("echo-tcp", server.port(), Map.of("ack", ack, "demo-rate", "2000")), ledger);
                try {
                    Deadlines.await(DEADLINE, "answered requests", () -> server.stored.size() >= 50);
                } finally {
                    feed.close();
                }
                for (byte[] stored : server.stored) {
                    assertThat(ledger.timesSent(OutputCheck.sha256(stored))).as("request in the ledger").isEqualTo(1);
                }
                if (ack.equals("durable")) {
                    assertThat(ledger.acknowledged()).isNotEmpty();
                    for (String h : ledger.acknowledged()) {
                        assertThat(server.stored.stream().map(OutputCheck::sha256)).as("acknowledged = answered").contains(h);
                    }
                } else {
                    assertThat(ledger.acknowledged()).as("answers in received mode are not durable").isEmpty();
                }
            }
        }
    }

    private static int port(DatagramChannel socket) throws java.io.IOException {
        return ((InetSocketAddress) socket.getLocalAddress()).getPort();
    }

    private static SourceConfig source(String type, int port, Map<String, String> options) {
        String name = type.replace('-', '_');
        Settings s = JobConfig.defaults().set(JobConfig.SOURCES, name, "test")
                .set("source." + name + ".type", type, "test")
                .set("source." + name + ".port", Integer.toString(port), "test");
        options.forEach((k, v) -> s.set("source." + name + "." + k, v, "test"));
        return JobConfig.from(s).sources().get(0);
    }

    /** One connection at a time: stores each request's payload and answers it at once. */
    private static final class AnsweringServer implements AutoCloseable {
        final List<byte[]> stored = new CopyOnWriteArrayList<>();
        private final ServerSocket serverSocket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        private final Thread thread = new Thread(this::serve, "answering-echo-server");

        AnsweringServer() throws java.io.IOException {
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return serverSocket.getLocalPort();
        }

        private void serve() {
            try (Socket socket = serverSocket.accept()) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                EchoParser<EchoRequest> parser = EchoParser.forRequests(1 << 20);
                byte[] buffer = new byte[65536];
                int id = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    ByteBuffer responses = null;
                    for (EchoRequest request : parser.feed(ByteBuffer.wrap(buffer, 0, n))) {
                        stored.add(EchoBuilder.requestPayload(request));
                        responses = EchoBuilder.appendResponse(responses, EchoResponse.answering(request, id++));
                    }
                    if (responses != null) {
                        out.write(responses.array(), 0, responses.position());
                    }
                }
            } catch (java.io.IOException e) {
                // closed by the test
            }
        }

        @Override
        public void close() throws java.io.IOException {
            serverSocket.close();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
