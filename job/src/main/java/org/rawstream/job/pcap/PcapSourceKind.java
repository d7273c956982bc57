package org.rawstream.job.pcap;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
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
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.echo.EchoSourceKind;
import org.rawstream.job.msgpack.MsgpackSourceKind;
import org.rawstream.job.odin.OdinSourceKind;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.spead.SpeadSourceKind;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.echo.EchoFramer;
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
    public static final String PATH = "path";
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String TRANSPORT = "transport";
    public static final String SPEED = "speed";
    public static final String MAX_CONNECTIONS = "max-connections";
    public static final String MAX_REORDER_BYTES = "max-reorder-bytes";
    public static final String MAX_UDP_SENDERS = "max-udp-senders";

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

    /** Options of the socket kinds that mean nothing for a file (where to listen, demo feeds, ...). */
    private static final Set<String> SOCKET_ONLY = Set.of(NetworkKindOptions.BIND_HOST, SpeadSourceKind.HOST,
            NetworkKindOptions.PORT, NetworkKindOptions.MAX_CONNECTIONS, NetworkKindOptions.STOP_WHEN_IDLE,
            NetworkKindOptions.FIRST_DATA_TIMEOUT, SpeadSourceKind.REUSE_PORT, SpeadSourceKind.MULTICAST_GROUP,
            SpeadSourceKind.RECEIVE_BUFFER, SpeadSourceKind.CHAIN, SpeadSourceKind.HANDOVER, EchoSourceKind.ACK,
            EchoSourceKind.MAX_HELD_RESPONSE_BYTES);

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
    public Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put(PATH, "");
        o.put(HOST, "");
        o.put(PORT, "0");
        o.put(TRANSPORT, "any");
        o.put(SPEED, "0");
        o.put(MAX_CONNECTIONS, Integer.toString(ReplaySettings.DEFAULT_MAX_CONNECTIONS));
        o.put(MAX_REORDER_BYTES, (ReplaySettings.DEFAULT_MAX_REORDER_BYTES >> 20) + "mb");
        o.put(MAX_UDP_SENDERS, Integer.toString(ReplaySettings.DEFAULT_MAX_UDP_SENDERS));
        return o;
    }

    @Override
    public Map<String, String> options(String protocol) {
        SourceKind kind = protocol == null ? null : PROTOCOLS.get(protocol);
        if (kind == null) {
            throw new InvalidSettingException("type pcap needs protocol set to one of " + PROTOCOLS.keySet()
                    + (protocol == null ? "" : ", got '" + protocol + "'"));
        }
        Map<String, String> o = options();
        kind.options().forEach((key, value) -> {
            if (!SOCKET_ONLY.contains(key) && !key.startsWith("demo-")) {
                o.putIfAbsent(key, value);
            }
        });
        return o;
    }

    @Override
    public String description() {
        return "replays pcap/pcapng captures (protocol: spead | odin | msgpack | echo): path = files, directories or globs "
                + "(comma-separated); host/port = destination filter (empty/0 = any); transport any|udp|tcp; speed 0 = as "
                + "fast as possible, else recorded time / speed; max-connections, max-reorder-bytes, max-udp-senders bound "
                + "TCP reassembly and UDP sender tracking; plus the protocol's own options";
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
    }

    static List<String> paths(SourceConfig source) {
        List<String> paths = new ArrayList<>();
        for (String p : source.string(PATH).split(",")) {
            if (!p.isBlank()) {
                paths.add(p.trim());
            }
        }
        if (paths.isEmpty()) {
            throw new InvalidSettingException("source " + source.name() + ": set " + PATH
                    + " (capture files, directories or globs, comma-separated)");
        }
        return paths;
    }

    static ReplaySettings settings(SourceConfig source) {
        ReplaySettings.Builder b = ReplaySettings.builder()
                .destinationPort(source.intValue(PORT, 0, 65535))
                .speed(source.doubleValue(SPEED, 0))
                .maxConnections(source.intValue(MAX_CONNECTIONS, 1, 1 << 20))
                .maxReorderBytes(source.bytes(MAX_REORDER_BYTES))
                .maxUdpSenders(source.intValue(MAX_UDP_SENDERS, 1, 1 << 20));
        for (String host : source.string(HOST).split(",")) {
            if (!host.isBlank()) {
                try {
                    b.destinationHost(host);
                } catch (IllegalArgumentException e) {
                    throw new InvalidSettingException("source " + source.name() + ": " + HOST + ": " + e.getMessage());
                }
            }
        }
        String transport = source.string(TRANSPORT).trim().toLowerCase(Locale.ROOT);
        switch (transport) {
            case "any":
                break;
            case "udp":
                b.transports(true, false);
                break;
            case "tcp":
                b.transports(false, true);
                break;
            default:
                throw new InvalidSettingException("source " + source.name() + ": " + TRANSPORT
                        + " must be any, udp or tcp, got '" + transport + "'");
        }
        return b.build();
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
                int substreams = source.intValue(SpeadSourceKind.SUBSTREAMS, 1, 1024);
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
                        .maxFrameSize(source.intValue(EchoSourceKind.MAX_FRAME_BYTES, EchoFramer.HEADER_BYTES,
                                Integer.MAX_VALUE - 8))
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
