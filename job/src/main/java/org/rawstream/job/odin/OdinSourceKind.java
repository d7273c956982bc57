package org.rawstream.job.odin;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.DemoFeed;
import org.rawstream.job.source.FeedLedger;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.SourceKind;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;
import org.rawstream.sources.net.NetworkSource;
import org.rawstream.sources.odin.OdinPacketType;
import org.rawstream.sources.odin.OdinReceiverConfig;
import org.rawstream.sources.odin.OdinSender;
import org.rawstream.sources.odin.source.OdinNamedValues;
import org.rawstream.sources.odin.source.OdinPacket;
import org.rawstream.sources.odin.source.OdinProtocol;
import org.rawstream.sources.odin.source.OdinTypes;

/**
 * {@code type: odin-udp} (one packet per datagram) and {@code type: odin-tcp} (COBS frames with
 * CRC-16): ODIN-Stream packets from the network, joined with their schemas in keyed state by
 * identifier ({@link OdinKeyedProcessor}). Every valid packet, schema and event packets included,
 * is stored raw (protocol "odin", io_version "1.0"), so a source's files together decode offline
 * (one file alone usually starts with data whose schema is in an earlier file); the decoded,
 * named values go to a side output that is counted and logged ({@link OdinValuesLogSink}).
 */
public final class OdinSourceKind implements SourceKind {

    public static final String MAX_PACKET_BYTES = "max-packet-bytes";
    public static final String MAX_SCHEMAS = "max-schemas";
    public static final String MAX_PENDING = "max-pending-identifiers";
    public static final String MAX_HELD = "max-held";
    public static final String MAX_HELD_BYTES = "max-held-bytes";
    public static final String HELD_TIMEOUT = "held-timeout";
    public static final String REORDER_WINDOW = "reorder-window";
    public static final String REORDER_TIMEOUT = "reorder-timeout";
    public static final String VALUES_LOG_INTERVAL = "values-log-interval";
    public static final String DEMO_RATE = "demo-rate";

    private final boolean tcp;

    private OdinSourceKind(boolean tcp) {
        this.tcp = tcp;
    }

    public static OdinSourceKind udp() {
        return new OdinSourceKind(false);
    }

    public static OdinSourceKind tcp() {
        return new OdinSourceKind(true);
    }

    @Override
    public String type() {
        return tcp ? "odin-tcp" : "odin-udp";
    }

    @Override
    public String defaultProtocol() {
        return "odin";
    }

    @Override
    public String defaultIoVersion() {
        return "1.0";
    }

    @Override
    public Map<String, String> options() {
        OdinReceiverConfig defaults = OdinReceiverConfig.defaults();
        Map<String, String> options = new LinkedHashMap<>(NetworkKindOptions.defaults(tcp ? 9411 : 9410, tcp));
        options.put(MAX_PACKET_BYTES, String.valueOf(defaults.maxPacketLength()));
        options.put(MAX_SCHEMAS, String.valueOf(defaults.maxSchemas()));
        options.put(MAX_PENDING, String.valueOf(defaults.maxPendingIdentifiers()));
        options.put(MAX_HELD, String.valueOf(defaults.maxHeldPerIdentifier()));
        options.put(MAX_HELD_BYTES, (defaults.maxHeldBytes() >> 20) + "mb");
        options.put(HELD_TIMEOUT, defaults.heldTimeoutMillis() + "ms");
        options.put(REORDER_WINDOW, String.valueOf(defaults.reorderWindow()));
        options.put(REORDER_TIMEOUT, defaults.reorderTimeoutMillis() + "ms");
        options.put(VALUES_LOG_INTERVAL, "10s");
        options.put(DEMO_RATE, "50");
        return options;
    }

    @Override
    public String description() {
        return "ODIN-Stream over " + (tcp ? "TCP (COBS frames + CRC-16)" : "UDP (one packet per datagram)")
                + ": bind-host, port, " + (tcp ? "max-connections, idle-timeout, frame-timeout, " : "") + "max-packet-bytes, max-schemas, max-pending-identifiers, max-held, max-held-bytes, held-timeout, "
                + "reorder-window, reorder-timeout, values-log-interval (0 = off), stop-when-idle (0s = run forever), "
                + "first-data-timeout, demo-rate (data packets/s of the --demo feed)";
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        return withValuesLog(streams(env, source), source);
    }

    /** The raw messages for the sink; the decoded values counted and logged. */
    private static DataStream<RawMessage> withValuesLog(Streams streams, SourceConfig source) {
        streams.values.sinkTo(new OdinValuesLogSink(source.name(), source.duration(VALUES_LOG_INTERVAL).toMillis()))
                .name(source.name() + " (odin values)").uid(source.name() + "-odin-values");
        return streams.raw;
    }

    /** The raw messages for the sink and the decoded values side output (tests use both). */
    Streams streams(StreamExecutionEnvironment env, SourceConfig source) {
        OdinReceiverConfig config = receiverConfig(source);
        NetworkSource.Builder<OdinPacket> builder = NetworkSource.<OdinPacket>builder()
                .name(source.name())
                .protocol(new OdinProtocol(config.maxPacketLength()))
                .typeInfo(OdinTypes.PACKET);
        if (tcp) {
            builder.tcp(NetworkKindOptions.tcp(source));
        } else {
            builder.udp(NetworkKindOptions.udp(source));
        }
        NetworkKindOptions.bounded(builder, source);
        DataStream<OdinPacket> packets = env
                .fromSource(builder.build(), WatermarkStrategy.noWatermarks(), source.name() + " (" + type() + ")", OdinTypes.PACKET)
                .uid(source.name() + "-" + type());
        return fromPackets(packets, source, config);
    }

    /**
     * The keyed schema join after any ODIN packet source (sockets or a capture replay): raw
     * messages for the sink and the decoded values. Operator uid {@code <name>-odin-keyed}.
     */
    static Streams fromPackets(DataStream<OdinPacket> packets, SourceConfig source, OdinReceiverConfig config) {
        SingleOutputStreamOperator<RawMessage> raw = packets
                .keyBy(OdinPacket::key, Types.INT)
                .process(new OdinKeyedProcessor(source.name(), source.ioGroup(), config), RawMessageTypeInfo.INSTANCE)
                .name(source.name() + " (odin schema join)")
                .uid(source.name() + "-odin-keyed");
        return new Streams(raw, raw.getSideOutput(OdinKeyedProcessor.VALUES));
    }

    /** {@link #fromPackets} with the decoded values counted and logged, as a source kind returns it. */
    public static DataStream<RawMessage> storedPackets(DataStream<OdinPacket> packets, SourceConfig source) {
        return withValuesLog(fromPackets(packets, source, receiverConfig(source)), source);
    }

    public static OdinReceiverConfig receiverConfig(SourceConfig source) {
        return OdinReceiverConfig.builder()
                .maxPacketLength(source.intValue(MAX_PACKET_BYTES, 16, 65535))
                .maxSchemas(source.intValue(MAX_SCHEMAS, 1, 65536))
                .maxPendingIdentifiers(source.intValue(MAX_PENDING, 1, 65536))
                .maxHeldPerIdentifier(source.intValue(MAX_HELD, 1, 1 << 20))
                .maxHeldBytes(Math.max(1, source.bytes(MAX_HELD_BYTES)))
                .heldTimeoutMillis(Math.max(1, source.duration(HELD_TIMEOUT).toMillis()))
                .reorderWindow(source.intValue(REORDER_WINDOW, 1, 4096))
                .reorderTimeoutMillis(Math.max(1, source.duration(REORDER_TIMEOUT).toMillis()))
                .build();
    }

    /**
     * Rounds of one sender each, reconnecting (TCP) or restarting when a round fails. Data packets
     * are numbered on across rounds (like a device that keeps counting), so the feed never sends
     * the same data or event packet twice; only schema packets repeat, by design. Every packet is
     * reported to the ledger (ODIN stores each packet as its exact bytes).
     */
    @Override
    public DemoFeed startDemoFeed(SourceConfig source, FeedLedger ledger) {
        String host = source.string(NetworkKindOptions.BIND_HOST);
        int port = source.intValue(NetworkKindOptions.PORT, 1, 65535);
        double rate = source.doubleValue(DEMO_RATE, 1);
        // Data packets numbered so far, over all rounds (written and read on the feed's thread).
        AtomicLong dataPackets = new AtomicLong();
        OdinSender.PacketListener listener = (type, packet) -> {
            if (type == OdinPacketType.DATA) {
                dataPackets.incrementAndGet();
            }
            if (ledger.recording()) {
                byte[] stored = new byte[packet.remaining()];
                packet.get(packet.position(), stored);
                ledger.sent(stored);
            }
        };
        return DemoFeed.start(source.name() + "-demo-feed", () -> new DemoFeed.Round() {
            private final OdinSender sender = OdinSender.builder().host(host).port(port)
                    .transport(tcp ? OdinSender.Transport.TCP : OdinSender.Transport.UDP)
                    .rate(rate).count(Long.MAX_VALUE).schemaEvery(100).eventEvery(500)
                    .firstDataPacket(dataPackets.get()).onPacket(listener).build();

            @Override
            public void run() throws Exception {
                // UDP packets sent before the job binds are lost: start once it listens (a refused
                // TCP connection fails the round, and DemoFeed retries it).
                if (!tcp && !LocalEndpoints.awaitBound(false, port, Duration.ofSeconds(60))) {
                    throw new IOException("UDP port " + port + " not bound");
                }
                sender.run();
            }

            @Override
            public void stop() {
                sender.stop();
            }
        });
    }

    /** The two outputs of one ODIN source. */
    static final class Streams {
        final SingleOutputStreamOperator<RawMessage> raw;
        final DataStream<OdinNamedValues> values;

        Streams(SingleOutputStreamOperator<RawMessage> raw, DataStream<OdinNamedValues> values) {
            this.raw = raw;
            this.values = values;
        }
    }
}
