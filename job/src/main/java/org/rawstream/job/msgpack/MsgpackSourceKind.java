package org.rawstream.job.msgpack;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.Setting;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.DemoFeed;
import org.rawstream.job.source.FeedLedger;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.NetworkSourceKind;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.msgpack.MsgpackLimits;
import org.rawstream.sources.msgpack.MsgpackSender;
import org.rawstream.sources.msgpack.source.MsgpackProtocol;
import org.rawstream.sources.net.NetworkSource;
import org.rawstream.sources.transport.EndpointOptions;

/**
 * {@code type: msgpack-tcp} (a stream of values per connection) and {@code msgpack-udp} (whole
 * values per datagram): each top-level MessagePack value is stored as its exact bytes, after the
 * bounded pre-scan (per-value size cap, nesting depth cap, 0xC1, timestamps).
 */
public final class MsgpackSourceKind extends NetworkSourceKind {
    public static final String TCP_TYPE = "msgpack-tcp";
    public static final String UDP_TYPE = "msgpack-udp";
    public static final Setting<Long> MAX_VALUE_BYTES = Setting.key("max-value-bytes").bytes(1, Integer.MAX_VALUE - 8)
            .defaultValue((long) MsgpackLimits.DEFAULT_MAX_VALUE_BYTES).withDescription("largest top-level value");
    public static final Setting<Integer> MAX_DEPTH = Setting.key("max-depth").intCount(0, 100_000)
            .defaultValue(MsgpackLimits.DEFAULT_MAX_DEPTH).withDescription("deepest nesting");
    public static final Setting<Double> DEMO_RATE = Setting.key("demo-rate").number(0, Double.MAX_VALUE)
            .defaultValue(200.0).withDescription("values per second of the `--demo` sender");
    static final int DEFAULT_TCP_PORT = 9510;
    static final int DEFAULT_UDP_PORT = 9511;

    private MsgpackSourceKind(boolean tcp) {
        super("msgpack", tcp, tcp ? DEFAULT_TCP_PORT : DEFAULT_UDP_PORT);
    }

    public static MsgpackSourceKind tcp() {
        return new MsgpackSourceKind(true);
    }

    public static MsgpackSourceKind udp() {
        return new MsgpackSourceKind(false);
    }

    @Override
    protected List<Setting<?>> protocolSettings() {
        return List.of(MAX_VALUE_BYTES, MAX_DEPTH, DEMO_RATE);
    }

    @Override
    public String description() {
        return "MessagePack values over " + (isTcp() ? "TCP (a stream of values per connection)" : "UDP (whole values per datagram)")
                + ", each stored as its exact bytes";
    }

    @Override
    protected void validateProtocol(SourceConfig source) {
        limits(source);
    }

    public static MsgpackLimits limits(SourceConfig source) {
        return MsgpackLimits.builder().maxValueBytes(source.get(MAX_VALUE_BYTES).intValue())
                .maxDepth(source.get(MAX_DEPTH)).build();
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        MsgpackProtocol protocol = new MsgpackProtocol(limits(source));
        NetworkSource<byte[]> network = NetworkKindOptions.configure(NetworkKindOptions.builder(source, protocol),
                source, endpoints(source)).build();
        return NetworkKindOptions.storedBytes(env, source, network, protocol);
    }

    @Override
    public DemoFeed startDemoFeed(SourceConfig source, FeedLedger ledger) {
        EndpointOptions endpoint = endpoints(source).get(0);
        String host = endpoint.bindHost();
        int port = endpoint.port();
        double rate = source.get(DEMO_RATE);
        // Rounds of about one second of sample records each, so closing the feed is quick. Each
        // round continues the sequence numbers: every record of the feed is unique, so a duplicate
        // in the output is the job's fault.
        int perRound = (int) Math.max(1, Math.min(rate, 10_000));
        AtomicLong nextSeq = new AtomicLong();
        return DemoFeed.start("msgpack demo feed " + source.name(), () -> () -> {
            List<byte[]> values = MsgpackSender.sampleValues(perRound, 1, nextSeq.getAndAdd(perRound));
            values.forEach(ledger::sent); // each value is stored as its exact bytes
            if (isTcp()) {
                MsgpackSender.sendTcp(host, port, values, 1, rate);
            } else {
                // One value per datagram at the demo rate.
                MsgpackSender.sendUdp(host, port, values, 1, rate, 1);
            }
        });
    }
}
