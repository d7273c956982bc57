package org.rawstream.job.echo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.Setting;
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
import org.rawstream.sources.transport.EndpointOptions;
import org.rawstream.sources.transport.TcpOptions;

/**
 * {@code type: echo-tcp}: a TCP server of the echo frame protocol. Every accepted request's
 * payload (api_key through body, as received) is stored; responses go back in order, id = the
 * request's ordinal among its connection's accepted requests, either when received or only once
 * the checkpoint holding the request completed ({@code ack: durable}).
 */
public final class EchoSourceKind implements SourceKind {
    public static final String TYPE = "echo-tcp";
    public static final Setting<String> ACK = Setting.key("ack").choice("received", "durable").defaultValue("received")
            .withDescription("`received`: answer once the request is emitted into the job; `durable`: answer once it "
                    + "is committed ([echo](protocols/echo.md))");
    public static final Setting<Long> MAX_FRAME_BYTES = Setting.key("max-frame-bytes")
            .bytes(EchoFramer.HEADER_BYTES, Integer.MAX_VALUE - 8).defaultValue((long) EchoProtocol.DEFAULT_MAX_FRAME_BYTES)
            .withDescription("longest frame; a longer size field closes the connection");
    /**
     * Response budget per connection: responses held for an acknowledgement plus those the client
     * has not read yet; above it the connection is not read until they drain (flow control).
     */
    public static final Setting<Long> MAX_HELD_RESPONSE_BYTES = Setting.key("max-held-response-bytes")
            .bytes(1, Integer.MAX_VALUE - 8).defaultValue((long) EchoProtocol.DEFAULT_MAX_PENDING_RESPONSE_BYTES)
            .withDescription("answers per connection held for their acknowledgement plus not yet read by the client; "
                    + "above it the connection is not read until they drain ([TCP sources](tcp-sources.md))");
    public static final Setting<Double> DEMO_RATE = Setting.key("demo-rate").number(0, Double.MAX_VALUE)
            .defaultValue(200.0).withDescription("requests per second of the `--demo` sender");
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
    public List<Setting<?>> settings() {
        List<Setting<?>> settings = new ArrayList<>(NetworkKindOptions.settings(DEFAULT_PORT, true));
        settings.addAll(List.of(ACK, MAX_FRAME_BYTES, MAX_HELD_RESPONSE_BYTES, DEMO_RATE));
        return settings;
    }

    @Override
    public String description() {
        return "echo frame protocol, TCP server: stores each request and answers it, when received or once committed";
    }

    @Override
    public List<EndpointOptions> endpoints(SourceConfig source) {
        int budget = protocol(source).maxPendingResponseBytes();
        return NetworkKindOptions.endpoints(source, true).stream()
                .map(e -> (EndpointOptions) ((TcpOptions) e).toBuilder().maxOutputBytes(budget).build()).toList();
    }

    @Override
    public void validate(SourceConfig source) {
        endpoints(source);
    }

    /** The protocol this source's options describe. */
    public static EchoProtocol protocol(SourceConfig source) {
        return EchoProtocol.builder().ackMode(EchoProtocol.AckMode.parse(source.get(ACK)))
                .maxFrameSize(source.get(MAX_FRAME_BYTES).intValue())
                .maxPendingResponseBytes(source.get(MAX_HELD_RESPONSE_BYTES).intValue())
                .build();
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        EchoProtocol protocol = protocol(source);
        NetworkSource<byte[]> network = NetworkKindOptions.configure(NetworkKindOptions.builder(source, protocol),
                source, endpoints(source)).build();
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
        EndpointOptions endpoint = endpoints(source).get(0);
        String host = endpoint.bindHost();
        int port = endpoint.port();
        double rate = source.get(DEMO_RATE);
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
