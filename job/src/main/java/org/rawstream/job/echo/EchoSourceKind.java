package org.rawstream.job.echo;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.DemoFeed;
import org.rawstream.job.source.FeedLedger;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.SourceKind;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.echo.EchoBuilder;
import org.rawstream.sources.echo.EchoClient;
import org.rawstream.sources.echo.EchoClientResult;
import org.rawstream.sources.echo.EchoFramer;
import org.rawstream.sources.echo.EchoRequest;
import org.rawstream.sources.echo.source.EchoProtocol;
import org.rawstream.sources.net.NetworkSource;

/**
 * {@code type: echo-tcp}: a TCP server of the echo frame protocol. Every accepted request's
 * payload (api_key through body, as received) is stored; responses go back in order, id = the
 * request's ordinal among its connection's accepted requests, either when received or only once
 * the checkpoint holding the request completed ({@code ack: durable}).
 */
public final class EchoSourceKind implements SourceKind {
    public static final String TYPE = "echo-tcp";
    public static final String ACK = "ack";
    public static final String MAX_FRAME_BYTES = "max-frame-bytes";
    /**
     * Response budget per connection: responses held for an acknowledgement plus those the client
     * has not read yet; above it the connection is not read until they drain (flow control).
     */
    public static final String MAX_HELD_RESPONSE_BYTES = "max-held-response-bytes";
    public static final String DEMO_RATE = "demo-rate";
    static final int DEFAULT_PORT = 9500;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String defaultProtocol() {
        return "echo";
    }

    @Override
    public String defaultIoVersion() {
        return "1.0";
    }

    @Override
    public Map<String, String> options() {
        Map<String, String> options = NetworkKindOptions.defaults(DEFAULT_PORT, true);
        options.put(ACK, "received");
        options.put(MAX_FRAME_BYTES, Integer.toString(EchoProtocol.DEFAULT_MAX_FRAME_BYTES));
        options.put(MAX_HELD_RESPONSE_BYTES, Integer.toString(EchoProtocol.DEFAULT_MAX_PENDING_RESPONSE_BYTES));
        options.put(DEMO_RATE, "200");
        return options;
    }

    @Override
    public String description() {
        return "echo frame protocol, TCP server: bind-host, port, max-connections, idle-timeout, frame-timeout, "
                + "ack (received | durable: respond after the checkpoint holding the request completed), max-frame-bytes, "
                + "max-held-response-bytes (responses held plus unread per connection; reading pauses above), "
                + "stop-when-idle / "
                + "first-data-timeout (bounded capture; 0s = unbounded), demo-rate (requests/s of the --demo feed)";
    }

    /** The protocol this source's options describe. */
    public static EchoProtocol protocol(SourceConfig source) {
        return EchoProtocol.builder().ackMode(EchoProtocol.AckMode.parse(source.string(ACK)))
                .maxFrameSize(source.intValue(MAX_FRAME_BYTES, EchoFramer.HEADER_BYTES, Integer.MAX_VALUE - 8))
                .maxPendingResponseBytes(source.intValue(MAX_HELD_RESPONSE_BYTES, 1, Integer.MAX_VALUE - 8))
                .build();
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        EchoProtocol protocol = protocol(source);
        NetworkSource<byte[]> network = NetworkKindOptions.bounded(NetworkKindOptions.builder(source, protocol)
                .tcp(NetworkKindOptions.tcpBuilder(source).maxOutputBytes(protocol.maxPendingResponseBytes()).build()),
                source).build();
        return NetworkKindOptions.storedBytes(env, source, network, protocol);
    }

    /**
     * Rounds of one connection each, reconnecting when the job stops or restarts. Each round's
     * requests carry a random body from a fresh seed, so the feed sends no two equal requests. With
     * a recording ledger every request is reported as sent and, in {@code ack: durable} mode, each
     * correct answer as an acknowledgement of the request it answers.
     */
    @Override
    public DemoFeed startDemoFeed(SourceConfig source, FeedLedger ledger) {
        String host = source.string(NetworkKindOptions.BIND_HOST);
        int port = source.intValue(NetworkKindOptions.PORT, 1, 65535);
        double rate = source.doubleValue(DEMO_RATE, 0);
        boolean durable = protocol(source).ackMode() == EchoProtocol.AckMode.DURABLE;
        return DemoFeed.start("echo demo feed " + source.name(), () -> {
            // A wide window: in durable mode answers wait for a checkpoint (10 s by default).
            EchoClient.Builder b = SendEchoCommand.client(host, port, 1, Long.MAX_VALUE, rate, 256, 20_000,
                    Duration.ofSeconds(120));
            if (ledger.recording()) {
                recordInto(b, ledger, durable);
            }
            EchoClient client = b.build();
            return new DemoFeed.Round() {
                @Override
                public void run() throws Exception {
                    EchoClientResult result = client.run();
                    if (result.failure() != null) {
                        throw new java.io.IOException(result.failure());
                    }
                }

                @Override
                public void stop() {
                    client.stop();
                }
            };
        });
    }

    /** Reports each request of one round (one connection) as sent, and its correct answer if durable. */
    private static void recordInto(EchoClient.Builder client, FeedLedger ledger, boolean durable) {
        EchoClient.RequestFactory requests = client.requestFactory();
        // Requests sent and not answered yet, by ordinal (at most a window of them).
        Map<Long, byte[]> unanswered = new ConcurrentHashMap<>();
        client.requests((connection, n) -> {
            EchoRequest request = requests.request(connection, n);
            byte[] stored = EchoBuilder.requestPayload(request);
            ledger.sent(stored);
            unanswered.put(n, stored);
            return request;
        }).onResponse((connection, n, response, matches) -> {
            byte[] stored = unanswered.remove(n);
            if (durable && matches && stored != null) {
                ledger.acknowledged(stored);
            }
        });
    }
}
