package org.rawstream.job.odin;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.Setting;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.DemoFeed;
import org.rawstream.job.source.FeedLedger;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.NetworkSourceKind;
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
import org.rawstream.sources.transport.EndpointOptions;

/**
 * {@code type: odin-udp} (one packet per datagram) and {@code type: odin-tcp} (COBS frames with
 * CRC-16): ODIN-Stream packets from the network, joined with their schemas in keyed state by
 * identifier ({@link OdinKeyedProcessor}). Every valid packet, schema and event packets included,
 * is stored raw (protocol "odin", io_version "1.0"), so a source's files together decode offline
 * (one file alone usually starts with data whose schema is in an earlier file); the decoded,
 * named values go to a side output that is counted and logged ({@link OdinValuesLogSink}).
 */
public final class OdinSourceKind extends NetworkSourceKind {

    /** The receiver's own defaults: the single source of the ODIN settings' defaults. */
    private static final OdinReceiverConfig DEFAULTS = OdinReceiverConfig.defaults();
    private static final Duration FOREVER = Duration.ofDays(36500);

    public static final Setting<Integer> MAX_PACKET_BYTES = Setting.key("max-packet-bytes").intCount(16, 65535)
            .defaultValue(DEFAULTS.maxPacketLength())
            .withDescription("longest packet; longer frames are dropped and counted");
    public static final Setting<Integer> MAX_SCHEMAS = Setting.key("max-schemas").intCount(1, 65536)
            .defaultValue(DEFAULTS.maxSchemas())
            .withDescription("identifiers with a schema, per subtask; more are rejected (`invalid_schemaLimit`)");
    public static final Setting<Integer> MAX_PENDING = Setting.key("max-pending-identifiers").intCount(1, 65536)
            .defaultValue(DEFAULTS.maxPendingIdentifiers())
            .withDescription("identifiers without a schema that hold data, per subtask");
    public static final Setting<Integer> MAX_HELD = Setting.key("max-held").intCount(1, 1 << 20)
            .defaultValue(DEFAULTS.maxHeldPerIdentifier())
            .withDescription("data packets held per identifier until its schema arrives (oldest dropped first)");
    public static final Setting<Long> MAX_HELD_BYTES = Setting.key("max-held-bytes").bytes(1, 1L << 40)
            .defaultValue(DEFAULTS.maxHeldBytes())
            .withDescription("bytes of held data, all identifiers of a subtask; more is refused (`dataRefused`) — "
                    + "see [memory-odin.md](memory-odin.md)");
    public static final Setting<Duration> HELD_TIMEOUT = Setting.key("held-timeout").duration(Duration.ofMillis(1), FOREVER)
            .defaultValue(Duration.ofMillis(DEFAULTS.heldTimeoutMillis()))
            .withDescription("held data is dropped (and counted) after this");
    public static final Setting<Integer> REORDER_WINDOW = Setting.key("reorder-window").intCount(1, 4096)
            .defaultValue(DEFAULTS.reorderWindow())
            .withDescription("how far ahead of a missing sequence number packets wait for it");
    public static final Setting<Duration> REORDER_TIMEOUT = Setting.key("reorder-timeout")
            .duration(Duration.ofMillis(1), FOREVER).defaultValue(Duration.ofMillis(DEFAULTS.reorderTimeoutMillis()))
            .withDescription("longest wait before a gap is given up");
    public static final Setting<Duration> VALUES_LOG_INTERVAL = Setting.key("values-log-interval")
            .duration(Duration.ZERO, FOREVER).defaultValue(Duration.ofSeconds(10))
            .withDescription("log one decoded packet per interval; `0s` = never");
    public static final Setting<Double> DEMO_RATE = Setting.key("demo-rate").number(1, Double.MAX_VALUE)
            .defaultValue(50.0).withDescription("data packets per second of the `--demo` sender");

    private OdinSourceKind(boolean tcp) {
        super("odin", tcp, tcp ? 9411 : 9410);
    }

    public static OdinSourceKind udp() {
        return new OdinSourceKind(false);
    }

    public static OdinSourceKind tcp() {
        return new OdinSourceKind(true);
    }

    @Override
    protected List<Setting<?>> protocolSettings() {
        return List.of(MAX_PACKET_BYTES, MAX_SCHEMAS, MAX_PENDING, MAX_HELD, MAX_HELD_BYTES, HELD_TIMEOUT,
                REORDER_WINDOW, REORDER_TIMEOUT, VALUES_LOG_INTERVAL, DEMO_RATE);
    }

    @Override
    public String description() {
        return "ODIN-Stream over " + (isTcp() ? "TCP (COBS frames + CRC-16)" : "UDP (one packet per datagram)")
                + ": packets joined with their schemas by identifier, each stored raw";
    }

    @Override
    protected void validateProtocol(SourceConfig source) {
        receiverConfig(source);
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        return withValuesLog(streams(env, source), source);
    }

    /** The raw messages for the sink; the decoded values counted and logged. */
    private static DataStream<RawMessage> withValuesLog(Streams streams, SourceConfig source) {
        streams.values.sinkTo(new OdinValuesLogSink(source.name(), source.get(VALUES_LOG_INTERVAL).toMillis()))
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
        NetworkKindOptions.configure(builder, source, endpoints(source));
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
                .maxPacketLength(source.get(MAX_PACKET_BYTES))
                .maxSchemas(source.get(MAX_SCHEMAS))
                .maxPendingIdentifiers(source.get(MAX_PENDING))
                .maxHeldPerIdentifier(source.get(MAX_HELD))
                .maxHeldBytes(source.get(MAX_HELD_BYTES))
                .heldTimeoutMillis(source.get(HELD_TIMEOUT).toMillis())
                .reorderWindow(source.get(REORDER_WINDOW))
                .reorderTimeoutMillis(source.get(REORDER_TIMEOUT).toMillis())
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
        EndpointOptions endpoint = endpoints(source).get(0);
        String host = endpoint.bindHost();
        int port = endpoint.port();
        double rate = source.get(DEMO_RATE);
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
                    .transport(isTcp() ? OdinSender.Transport.TCP : OdinSender.Transport.UDP)
                    .rate(rate).count(Long.MAX_VALUE).schemaEvery(100).eventEvery(500)
                    .firstDataPacket(dataPackets.get()).onPacket(listener).build();

            @Override
            public void run() throws Exception {
                // UDP packets sent before the job binds are lost: start once it listens (a refused
                // TCP connection fails the round, and DemoFeed retries it).
                if (!isTcp() && !LocalEndpoints.awaitBound(false, port, Duration.ofSeconds(60))) {
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
