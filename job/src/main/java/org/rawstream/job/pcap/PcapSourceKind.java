package org.rawstream.job.pcap;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.InvalidSettingException;
import org.rawstream.job.config.Setting;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.echo.EchoSourceKind;
import org.rawstream.job.msgpack.MsgpackSourceKind;
import org.rawstream.job.odin.OdinSourceKind;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.spead.SpeadSourceKind;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.echo.source.EchoProtocol;
import org.rawstream.sources.msgpack.source.MsgpackProtocol;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.odin.source.OdinPacket;
import org.rawstream.sources.odin.source.OdinProtocol;
import org.rawstream.sources.odin.source.OdinTypes;
import org.rawstream.sources.pcap.CaptureReader;
import org.rawstream.sources.pcap.ReplaySettings;
import org.rawstream.sources.pcap.source.CaptureFiles;
import org.rawstream.sources.pcap.source.PcapSource;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.StoredHeapCodec;
import org.rawstream.sources.spead.source.SpeadPacketRecord;
import org.rawstream.sources.spead.source.SpeadProtocol;

/**
 * {@code type: pcap}: replays pcap/pcapng capture files through the decoders of the source's
 * {@code protocol} (spead, odin, msgpack, echo) and the same keyed steps its socket kinds run, so a
 * capture stores what its sockets would have. Bounded (the job ends when the files are read) and
 * replayable (a restart continues inside a file, exactly once). The reader runs at parallelism 1:
 * files are replayed one after another, in the order configured.
 */
public final class PcapSourceKind implements SourceKind {
    public static final String TYPE = "pcap";
    public static final Setting<String> PATH = Setting.key("path").text().noDefaultValue()
            .withDescription("capture files, directories or globs, comma-separated (required)");
    public static final Setting<String> HOST = Setting.key("host").text().noDefaultValue()
            .withDescription("destination address filter, comma-separated; unset = any");
    public static final Setting<Integer> PORT = Setting.key("port").intCount(0, 65535).defaultValue(0)
            .withDescription("destination port filter; `0` = any");
    public static final Setting<String> TRANSPORT = Setting.key("transport")
            .text("any | udp | tcp", PcapSourceKind::transport).defaultValue("any")
            .withDescription("which packets of the capture are replayed");
    public static final Setting<Double> SPEED = Setting.key("speed").number(0, Double.MAX_VALUE).defaultValue(0.0)
            .withDescription("`0` = as fast as possible, else recorded time / speed");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.key("max-connections").intCount(1, 1 << 20)
            .defaultValue(ReplaySettings.DEFAULT_MAX_CONNECTIONS)
            .withDescription("TCP connections reassembled at once");
    public static final Setting<Long> MAX_REORDER_BYTES = Setting.key("max-reorder-bytes").bytes(0, Long.MAX_VALUE)
            .defaultValue(ReplaySettings.DEFAULT_MAX_REORDER_BYTES)
            .withDescription("out-of-order TCP bytes held for reassembly, all connections");
    public static final Setting<Integer> MAX_UDP_SENDERS = Setting.key("max-udp-senders").intCount(1, 1 << 20)
            .defaultValue(ReplaySettings.DEFAULT_MAX_UDP_SENDERS)
            .withDescription("UDP senders tracked at once");

    /** Protocols a capture can be replayed through, with the socket kind whose options apply. */
    private static final Map<String, SourceKind> PROTOCOLS = protocols();

    private static Map<String, SourceKind> protocols() {
        Map<String, SourceKind> p = new LinkedHashMap<>();
        p.put(StoredHeapCodec.PROTOCOL, SpeadSourceKind.udp());
        p.put("odin", OdinSourceKind.udp());
        p.put("msgpack", MsgpackSourceKind.udp());
        p.put("echo", new EchoSourceKind());
        return java.util.Collections.unmodifiableMap(p);
    }

    /** Settings of the socket kinds that mean nothing for a file (where and how to listen, answers, demo feeds). */
    private static boolean socketOnly(Setting<?> setting) {
        return NetworkKindOptions.LISTENING_KEYS.contains(setting.key()) || setting.key().startsWith("demo-")
                || setting.key().equals(SpeadSourceKind.CHAIN.key()) || setting.key().equals(EchoSourceKind.ACK.key())
                || setting.key().equals(EchoSourceKind.MAX_HELD_RESPONSE_BYTES.key());
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** None: the source must say which protocol the capture carries. */
    @Override
    public String defaultProtocol() {
        return null;
    }

    @Override
    public String defaultIoVersion() {
        return null;
    }

    @Override
    public String defaultIoVersion(String protocol) {
        SourceKind kind = protocol == null ? null : PROTOCOLS.get(protocol);
        return kind == null ? null : kind.defaultIoVersion();
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(PATH, HOST, PORT, TRANSPORT, SPEED, MAX_CONNECTIONS, MAX_REORDER_BYTES, MAX_UDP_SENDERS);
    }

    @Override
    public List<Setting<?>> settings(String protocol) {
        SourceKind kind = protocol == null ? null : PROTOCOLS.get(protocol);
        if (kind == null) {
            throw new InvalidSettingException("type pcap needs protocol set to one of " + PROTOCOLS.keySet()
                    + (protocol == null ? "" : ", got '" + protocol + "'"));
        }
        List<Setting<?>> settings = new ArrayList<>(settings());
        Set<String> keys = new HashSet<>();
        settings.forEach(s -> keys.add(s.key()));
        for (Setting<?> s : kind.settings()) {
            if (!socketOnly(s) && keys.add(s.key())) {
                settings.add(s);
            }
        }
        return settings;
    }

    @Override
    public String description() {
        return "replays pcap/pcapng captures through a protocol's decoders (protocol: spead | odin | msgpack | echo, "
                + "required), plus that protocol's own non-listening settings";
    }

    /** Checks the files before anything runs: they exist and are captures with a supported link type. */
    @Override
    public void validate(SourceConfig source) {
        List<String> paths = paths(source);
        List<String> files;
        try {
            files = CaptureFiles.expand(paths);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new InvalidSettingException("source " + source.name() + ": " + e.getMessage());
        }
        for (String file : files) {
            try (FileChannel channel = FileChannel.open(Paths.get(file), StandardOpenOption.READ)) {
                CaptureReader.open(channel, file); // the header is readable and its link type supported
            } catch (IOException e) {
                throw new InvalidSettingException("source " + source.name() + ": " + e.getMessage());
            }
        }
        settings(source);
        // The protocol's own configuration, as create() builds it.
        switch (source.protocol()) {
            case StoredHeapCodec.PROTOCOL -> SpeadSourceKind.assemblyConfig(source);
            case "odin" -> OdinSourceKind.receiverConfig(source);
            case "msgpack" -> MsgpackSourceKind.limits(source);
            default -> { } // echo: the frame limit is a single setting
        }
    }

    static List<String> paths(SourceConfig source) {
        List<String> paths = new ArrayList<>();
        for (String p : source.optional(PATH).orElse("").split(",")) {
            if (!p.isBlank()) {
                paths.add(p.trim());
            }
        }
        if (paths.isEmpty()) {
            throw new InvalidSettingException("source " + source.name() + ": set " + PATH.key()
                    + " (capture files, directories or globs, comma-separated)");
        }
        return paths;
    }

    static ReplaySettings settings(SourceConfig source) {
        ReplaySettings.Builder b = ReplaySettings.builder()
                .destinationPort(source.get(PORT))
                .speed(source.get(SPEED))
                .maxConnections(source.get(MAX_CONNECTIONS))
                .maxReorderBytes(source.get(MAX_REORDER_BYTES))
                .maxUdpSenders(source.get(MAX_UDP_SENDERS));
        for (String host : source.optional(HOST).orElse("").split(",")) {
            if (!host.isBlank()) {
                try {
                    b.destinationHost(host);
                } catch (IllegalArgumentException e) {
                    throw new InvalidSettingException("source " + source.name() + ": " + HOST.key() + ": " + e.getMessage());
                }
            }
        }
        switch (source.get(TRANSPORT)) {
            case "udp":
                b.transports(true, false);
                break;
            case "tcp":
                b.transports(false, true);
                break;
            default: // any
                break;
        }
        return b.build();
    }

    private static String transport(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (!v.equals("any") && !v.equals("udp") && !v.equals("tcp")) {
            throw new IllegalArgumentException("transport must be any, udp or tcp");
        }
        return v;
    }

    private static <T> PcapSource<T> source(SourceConfig source, NetworkProtocol<T> protocol,
            org.apache.flink.api.common.typeinfo.TypeInformation<T> type) {
        return PcapSource.<T>builder().name(source.name()).protocol(protocol).typeInfo(type).paths(paths(source))
                .settings(settings(source)).build();
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        String name = source.name() + " (pcap " + source.protocol() + ")";
        switch (source.protocol()) {
            case StoredHeapCodec.PROTOCOL: {
                SpeadAssemblyConfig config = SpeadSourceKind.assemblyConfig(source);
                int substreams = source.get(SpeadSourceKind.SUBSTREAMS);
                SingleOutputStreamOperator<SpeadPacketRecord> packets = env
                        .fromSource(source(source, new SpeadProtocol(substreams, config.maxPacketSize()), SpeadProtocol.PACKET_TYPE),
                                WatermarkStrategy.noWatermarks(), name, SpeadProtocol.PACKET_TYPE)
                        .uid(source.name() + "-source");
                // One reader: the keyed assembly is chained to it, as for a socket endpoint.
                return SpeadSourceKind.assemble(packets, source, substreams, config, true);
            }
            case "odin": {
                OdinProtocol protocol = new OdinProtocol(OdinSourceKind.receiverConfig(source).maxPacketLength());
                DataStream<OdinPacket> packets = env
                        .fromSource(source(source, protocol, OdinTypes.PACKET), WatermarkStrategy.noWatermarks(), name,
                                OdinTypes.PACKET)
                        .setParallelism(1)
                        .uid(source.name() + "-pcap");
                return OdinSourceKind.storedPackets(packets, source);
            }
            case "msgpack": {
                MsgpackProtocol protocol = new MsgpackProtocol(MsgpackSourceKind.limits(source));
                return storedBytes(env, source, protocol);
            }
            case "echo": {
                // Requests only: a replay has nobody to answer, so never hold responses for acks.
                EchoProtocol protocol = EchoProtocol.builder().ackMode(EchoProtocol.AckMode.RECEIVED)
                        .maxFrameSize(source.get(EchoSourceKind.MAX_FRAME_BYTES).intValue())
                        .build();
                return storedBytes(env, source, protocol);
            }
            default:
                throw new InvalidSettingException("source " + source.name() + ": type pcap cannot replay protocol '"
                        + source.protocol() + "'");
        }
    }

    private static DataStream<RawMessage> storedBytes(StreamExecutionEnvironment env, SourceConfig source,
            NetworkProtocol<byte[]> protocol) {
        return NetworkKindOptions.storedBytes(env, source,
                source(source, protocol, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), protocol, 1);
    }
}
