package org.rawstream.job.msgpack;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.DemoFeed;
import org.rawstream.job.source.FeedLedger;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.SourceKind;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.msgpack.MsgpackLimits;
import org.rawstream.sources.msgpack.MsgpackSender;
import org.rawstream.sources.msgpack.source.MsgpackProtocol;
import org.rawstream.sources.net.NetworkSource;

/**
 * {@code type: msgpack-tcp} (a stream of values per connection) and {@code msgpack-udp} (whole
 * values per datagram): each top-level MessagePack value is stored as its exact bytes, after the
 * bounded pre-scan (per-value size cap, nesting depth cap, 0xC1, timestamps).
 */
public final class MsgpackSourceKind implements SourceKind {
    public static final String TCP_TYPE = "msgpack-tcp";
    public static final String UDP_TYPE = "msgpack-udp";
    public static final String MAX_VALUE_BYTES = "max-value-bytes";
    public static final String MAX_DEPTH = "max-depth";
    public static final String DEMO_RATE = "demo-rate";
    static final int DEFAULT_TCP_PORT = 9510;
    static final int DEFAULT_UDP_PORT = 9511;

    private final boolean tcp;

    private MsgpackSourceKind(boolean tcp) {
        this.tcp = tcp;
    }

    public static MsgpackSourceKind tcp() {
        return new MsgpackSourceKind(true);
    }

    public static MsgpackSourceKind udp() {
        return new MsgpackSourceKind(false);
    }

    @Override
    public String type() {
        return tcp ? TCP_TYPE : UDP_TYPE;
    }

    @Override
    public String defaultProtocol() {
        return "msgpack";
    }

    @Override
    public String defaultIoVersion() {
        return "1.0";
    }

    @Override
    public Map<String, String> options() {
        Map<String, String> options = NetworkKindOptions.defaults(tcp ? DEFAULT_TCP_PORT : DEFAULT_UDP_PORT, tcp);
        options.put(MAX_VALUE_BYTES, Integer.toString(MsgpackLimits.DEFAULT_MAX_VALUE_BYTES));
        options.put(MAX_DEPTH, Integer.toString(MsgpackLimits.DEFAULT_MAX_DEPTH));
        options.put(DEMO_RATE, "200");
        return options;
    }

    @Override
    public String description() {
        return "MessagePack values over " + (tcp ? "TCP (a stream of values per connection)" : "UDP (whole values per datagram)")
                + ": bind-host, port, " + (tcp ? "max-connections, idle-timeout, frame-timeout, " : "") + "max-value-bytes, max-depth, "
                + "stop-when-idle / first-data-timeout (bounded capture; 0s = unbounded), demo-rate (values/s of the --demo feed)";
    }

    public static MsgpackLimits limits(SourceConfig source) {
        return MsgpackLimits.builder().maxValueBytes(source.intValue(MAX_VALUE_BYTES, 1, Integer.MAX_VALUE - 8))
                .maxDepth(source.intValue(MAX_DEPTH, 0, 100_000)).build();
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        MsgpackProtocol protocol = new MsgpackProtocol(limits(source));
        NetworkSource.Builder<byte[]> builder = NetworkKindOptions.builder(source, protocol);
        if (tcp) {
            builder.tcp(NetworkKindOptions.tcp(source));
        } else {
            builder.udp(NetworkKindOptions.udp(source));
        }
        return NetworkKindOptions.storedBytes(env, source, NetworkKindOptions.bounded(builder, source).build(), protocol);
    }

    @Override
    public DemoFeed startDemoFeed(SourceConfig source, FeedLedger ledger) {
        String host = source.string(NetworkKindOptions.BIND_HOST);
        int port = source.intValue(NetworkKindOptions.PORT, 1, 65535);
        double rate = source.doubleValue(DEMO_RATE, 0);
        // Rounds of about one second of sample records each, so closing the feed is quick. Each
        // round continues the sequence numbers: every record of the feed is unique, so a duplicate
        // in the output is the job's fault.
        int perRound = (int) Math.max(1, Math.min(rate, 10_000));
        AtomicLong nextSeq = new AtomicLong();
        return DemoFeed.start("msgpack demo feed " + source.name(), () -> () -> {
            List<byte[]> values = MsgpackSender.sampleValues(perRound, 1, nextSeq.getAndAdd(perRound));
            values.forEach(ledger::sent); // each value is stored as its exact bytes
            if (tcp) {
                MsgpackSender.sendTcp(host, port, values, 1, rate);
            } else {
                // One value per datagram at the demo rate.
                MsgpackSender.sendUdp(host, port, values, 1, rate, 1);
            }
        });
    }
}
