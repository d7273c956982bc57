package org.rawstream.job.spead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
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
import org.rawstream.sources.spead.IncompleteHeapPolicy;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadSender;
import org.rawstream.sources.spead.StoredHeapCodec;
import org.rawstream.sources.spead.source.SpeadPacketRecord;
import org.rawstream.sources.spead.source.SpeadProtocol;
import org.rawstream.sources.transport.EndpointOptions;
import org.rawstream.sources.transport.HostAddresses;
import org.rawstream.sources.transport.MulticastGroups;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.UdpOptions;

/**
 * {@code spead-udp} and {@code spead-tcp}: SPEAD packets from the generic network source, heap
 * assembly keyed by (stream, substream), then per-stream ordering, into the sink as stored heaps
 * (protocol "spead", io_version "4.0").
 */
public final class SpeadSourceKind implements SourceKind {
    public static final String UDP_TYPE = "spead-udp";
    public static final String TCP_TYPE = "spead-tcp";

    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String SUBSTREAMS = "substreams";
    public static final String REUSE_PORT = "reuse-port";
    public static final String MULTICAST_GROUP = "multicast-group";
    public static final String MULTICAST_INTERFACE = "multicast-interface";
    public static final String PLACEMENT_TIMEOUT = "placement-timeout";
    public static final String RECEIVE_BUFFER = "receive-buffer";
    public static final String MAX_HEAP_SIZE = "max-heap-size";
    public static final String MAX_PACKET_SIZE = "max-packet-size";
    public static final String MAX_LIVE_HEAPS = "max-live-heaps";
    public static final String HEAP_TIMEOUT = "heap-timeout";
    public static final String REORDER_CAPACITY = "reorder-capacity";
    public static final String REORDER_TIMEOUT = "reorder-timeout";
    public static final String HEAP_CNT_STEP = "heap-cnt-step";
    public static final String INCOMPLETE_HEAPS = "incomplete-heaps";
    public static final String MAX_CONNECTIONS = "max-connections";
    public static final String STOP_WHEN_IDLE = "stop-when-idle";
    public static final String CHAIN = "chain-assembly";
    public static final String HANDOVER = "handover-bytes";
    public static final String LIVE_HEAP_MEMORY = "live-heap-memory";
    public static final String MAX_STREAMS = "max-streams";
    public static final String SHED_AT = "shed-at";
    public static final String DEMO_RATE = "demo-rate-gbps";
    public static final String DEMO_HEAP_SIZE = "demo-heap-size";

    private final boolean udp;

    private SpeadSourceKind(boolean udp) {
        this.udp = udp;
    }

    public static SpeadSourceKind udp() {
        return new SpeadSourceKind(true);
    }

    public static SpeadSourceKind tcp() {
        return new SpeadSourceKind(false);
    }

    @Override
    public String type() {
        return udp ? UDP_TYPE : TCP_TYPE;
    }

    @Override
    public String defaultProtocol() {
        return StoredHeapCodec.PROTOCOL;
    }

    @Override
    public String defaultIoVersion() {
        return StoredHeapCodec.IO_VERSION;
    }

    @Override
    public Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put(HOST, "127.0.0.1");
        o.put(PORT, udp ? "7148" : "7149");
        o.put(SUBSTREAMS, "1");
        if (udp) {
            o.put(REUSE_PORT, "false");
            o.put(MULTICAST_GROUP, "");
            o.put(MULTICAST_INTERFACE, "");
            o.put(RECEIVE_BUFFER, "32mb");
        } else {
            o.put(MAX_CONNECTIONS, "64");
            o.put(NetworkKindOptions.IDLE_TIMEOUT, TcpOptions.DEFAULT_IDLE_TIMEOUT.toSeconds() + "s");
            o.put(NetworkKindOptions.FRAME_TIMEOUT, TcpOptions.DEFAULT_FRAME_TIMEOUT.toSeconds() + "s");
        }
        o.put(PLACEMENT_TIMEOUT, "30s");
        o.put(MAX_HEAP_SIZE, "64mb");
        o.put(MAX_PACKET_SIZE, "65536");
        o.put(MAX_LIVE_HEAPS, "64");
        o.put(HEAP_TIMEOUT, "2s");
        o.put(REORDER_CAPACITY, "16");
        o.put(REORDER_TIMEOUT, "2s");
        o.put(HEAP_CNT_STEP, "0");
        o.put(INCOMPLETE_HEAPS, "deliver");
        o.put(STOP_WHEN_IDLE, "0s");
        o.put(CHAIN, "auto");
        o.put(HANDOVER, "128mb");
        o.put(LIVE_HEAP_MEMORY, "256mb");
        o.put(MAX_STREAMS, "1024");
        o.put(SHED_AT, "0.5");
        o.put(DEMO_RATE, "0.05");
        o.put(DEMO_HEAP_SIZE, "65536");
        return o;
    }

    @Override
    public String description() {
        return "SPEAD over " + (udp ? "UDP (one packet per datagram)" : "TCP (packets back to back)")
                + ": heaps assembled per stream and stored as SPEAD packets; heap-cnt-step 0 = learn, -1 = unknown; "
                + "incomplete-heaps deliver|drop; stop-when-idle 0s = unbounded; chain-assembly auto|true|false; "
                + "handover-bytes = received bytes that may wait for the task thread (absorbs its stalls); "
                + "live-heap-memory = what live heaps may hold per assembly subtask (new heaps refused beyond 3/4 of it); "
                + "max-streams = senders assembled at once per endpoint (least recently active ended beyond); "
                + "shed-at = hand-over fill (0-1] from which whole new heaps are shed, 1 = never; "
                + "host: an address or a comma-separated list (one endpoint each; an address other than "
                + "wildcard/loopback is received on the TaskManager whose taskmanager.host it is); "
                + (udp ? "multicast-group: groups or ranges (239.2.1.150+15 = 16 groups), one endpoint each, spread over "
                        + "the subtasks; multicast-interface: names or addresses to join on (default: host); " : "")
                + "placement-timeout: how long an endpoint may find no TaskManager on its host before the job fails";
    }

    /** Assembly limits and policies from the source's options. */
    public static SpeadAssemblyConfig assemblyConfig(SourceConfig source) {
        return SpeadAssemblyConfig.builder()
                .maxHeapSize(source.bytes(MAX_HEAP_SIZE, 1, 1L << 30))
                .maxPacketSize(source.intValue(MAX_PACKET_SIZE, 64, 1 << 26))
                .maxLiveHeaps(source.intValue(MAX_LIVE_HEAPS, 1, 1 << 16))
                .heapTimeoutMillis(source.duration(HEAP_TIMEOUT).toMillis())
                .reorderCapacity(source.intValue(REORDER_CAPACITY, 0, 1 << 16))
                .reorderTimeoutMillis(source.duration(REORDER_TIMEOUT).toMillis())
                .heapCntStep(source.longValue(HEAP_CNT_STEP, -1, Long.MAX_VALUE))
                .incompletePolicy(IncompleteHeapPolicy.valueOf(source.string(INCOMPLETE_HEAPS).trim().toUpperCase(Locale.ROOT)))
                .liveHeapMemory(source.bytes(LIVE_HEAP_MEMORY, 1L << 20, 1L << 40))
                .maxStreams(source.intValue(MAX_STREAMS, 1, 1 << 20))
                .build();
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        SpeadAssemblyConfig config = assemblyConfig(source);
        int substreams = source.intValue(SUBSTREAMS, 1, 1024);
        NetworkSource.Builder<SpeadPacketRecord> builder = NetworkSource.<SpeadPacketRecord>builder()
                .name(source.name())
                .protocol(new SpeadProtocol(substreams, config))
                .typeInfo(SpeadProtocol.PACKET_TYPE)
                .handoverBytes(source.bytes(HANDOVER, 1, 64L << 30))
                .shedAt(shedAt(source));
        endpoints(source).forEach(e -> {
            if (e instanceof UdpOptions) {
                builder.udp((UdpOptions) e);
            } else {
                builder.tcp((TcpOptions) e);
            }
        });
        builder.placementTimeout(source.duration(PLACEMENT_TIMEOUT));
        Duration idle = source.duration(STOP_WHEN_IDLE);
        if (!idle.isZero()) {
            builder.stopWhenIdle(idle, idle.multipliedBy(30));
        }
        SingleOutputStreamOperator<SpeadPacketRecord> packets = env
                .fromSource(builder.build(), WatermarkStrategy.noWatermarks(), source.name() + " (" + type() + ")",
                        SpeadProtocol.PACKET_TYPE)
                .uid(source.name() + "-source");
        // One endpoint is one split, read by one subtask: with the source and assembly at
        // parallelism 1 every key group is that subtask's, so the keyed operators can be chained
        // to it (reinterpretAsKeyedStream) and packets never cross a keyBy shuffle. Several
        // subtasks per endpoint (reuse-port) need the shuffle.
        return assemble(packets, source, substreams, config, chained(source));
    }

    /**
     * Heap assembly keyed by (stream, substream), then per-stream ordering, into stored heaps:
     * what every SPEAD source (sockets or a capture replay) runs after its packets. With
     * {@code chain} the packets' operator is set to parallelism 1 and the keyed operators chained
     * to it. Operator uids {@code <name>-heap-assembly} and {@code <name>-heap-ordering}.
     */
    public static SingleOutputStreamOperator<RawMessage> assemble(SingleOutputStreamOperator<SpeadPacketRecord> packets,
            SourceConfig source, int substreams, SpeadAssemblyConfig config, boolean chain) {
        SingleOutputStreamOperator<SpeadHeapRecord> heaps;
        if (chain) {
            packets.setParallelism(1);
            heaps = DataStreamUtils.reinterpretAsKeyedStream(packets, SpeadPacketRecord::assemblyKey, Types.STRING)
                    .process(new HeapAssemblyFunction(source.name(), config), SpeadSerializers.HEAP_RECORD)
                    .setParallelism(1);
        } else {
            heaps = packets.keyBy(SpeadPacketRecord::assemblyKey, Types.STRING)
                    .process(new HeapAssemblyFunction(source.name(), config), SpeadSerializers.HEAP_RECORD);
        }
        heaps.name(source.name() + " heap assembly").uid(source.name() + "-heap-assembly");
        SingleOutputStreamOperator<RawMessage> messages = (chain
                ? DataStreamUtils.reinterpretAsKeyedStream(heaps, SpeadHeapRecord::stream, Types.STRING)
                : heaps.keyBy(SpeadHeapRecord::stream, Types.STRING))
                .process(new HeapOrderingFunction(source.name(), source.ioGroup(), substreams, config),
                        RawMessageTypeInfo.INSTANCE);
        if (chain) {
            messages.setParallelism(1);
        }
        return messages.name(source.name() + " heap ordering").uid(source.name() + "-heap-ordering");
    }

    /** {@link #SHED_AT}: a fraction in (0, 1]. */
    static double shedAt(SourceConfig source) {
        double v = source.doubleValue(SHED_AT, 0);
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("source " + source.name() + ": " + SHED_AT + " must be in (0, 1], got " + v);
        }
        return v;
    }

    /**
     * The source's endpoints: one per {@code host} address, or (UDP) one per multicast group,
     * bound to the group's address and joined on {@code multicast-interface} (default: the
     * {@code host} addresses, so each host joins on its own interface).
     */
    public static List<EndpointOptions> endpoints(SourceConfig source) {
        List<String> hosts = HostAddresses.list(source.string(HOST));
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("source " + source.name() + ": " + HOST + " is empty");
        }
        int port = source.intValue(PORT, 1, 65535);
        List<EndpointOptions> endpoints = new ArrayList<>();
        if (!source.options().containsKey(MULTICAST_GROUP)) { // spead-tcp
            for (String host : hosts) {
                endpoints.add(TcpOptions.builder(port).bindHost(host)
                        .maxConnections(source.intValue(MAX_CONNECTIONS, 1, 65536))
                        .idleTimeout(source.duration(NetworkKindOptions.IDLE_TIMEOUT))
                        .frameTimeout(source.duration(NetworkKindOptions.FRAME_TIMEOUT)).build());
            }
            return endpoints;
        }
        boolean reusePort = Boolean.parseBoolean(source.string(REUSE_PORT));
        int receiveBuffer = (int) source.bytes(RECEIVE_BUFFER, 4096, Integer.MAX_VALUE);
        List<String> groups;
        try {
            groups = MulticastGroups.parse(source.string(MULTICAST_GROUP));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("source " + source.name() + ": " + e.getMessage(), e);
        }
        String nif = source.string(MULTICAST_INTERFACE).trim();
        String joinOn = nif.isEmpty() ? String.join(",", hosts) : nif;
        for (String bind : groups.isEmpty() ? hosts : groups) {
            UdpOptions.Builder o = UdpOptions.builder(port).bindHost(bind).reusePort(reusePort)
                    .receiveBufferBytes(receiveBuffer);
            if (!groups.isEmpty()) {
                o.multicast(bind, joinOn);
            }
            endpoints.add(o.build());
        }
        return endpoints;
    }

    /**
     * Whether heap assembly is chained to the source (see {@link #create}): auto = when one
     * subtask reads everything — one endpoint, no reuse-port, receivable on any host (an endpoint
     * bound to one host's address needs a subtask on every host, so that one of them is there).
     */
    static boolean chained(SourceConfig source) {
        String v = source.string(CHAIN).trim().toLowerCase(Locale.ROOT);
        boolean reusePort = source.options().containsKey(REUSE_PORT) && Boolean.parseBoolean(source.string(REUSE_PORT));
        List<EndpointOptions> endpoints = endpoints(source);
        boolean oneReader = !reusePort && endpoints.size() == 1 && endpoints.get(0).receivingHosts().isEmpty();
        if (v.equals("auto")) {
            return oneReader;
        }
        boolean chain = Boolean.parseBoolean(v);
        if (chain && !oneReader) {
            throw new IllegalArgumentException("source " + source.name() + ": " + CHAIN
                    + " needs one subtask to read every endpoint (one endpoint on a wildcard or loopback address, no reuse-port)");
        }
        return chain;
    }

    /** The first heap counter of the demo feed's round {@code round} (from 0): 2^32 heaps per round. */
    public static long firstHeapCnt(long round) {
        return (round << 32) + 1;
    }

    /**
     * Sender rounds; round r sends heap counters from {@code (r << 32) + 1} (see
     * {@link #firstHeapCnt}). Heaps are not reported to the ledger (the sender does not expose
     * them); a test bounds them by {@link DemoFeed#rounds()} and their content instead.
     */
    @Override
    public DemoFeed startDemoFeed(SourceConfig source, FeedLedger ledger) {
        SpeadSender.Builder b = SpeadSender.builder()
                .heapSize(source.intValue(DEMO_HEAP_SIZE, 4, 1 << 26) / 4 * 4)
                .packetSize(udp ? 8972 : 65000)
                .flavour(SpeadFlavour.SPEAD_64_48)
                .heaps(Long.MAX_VALUE)
                .rateGbps(source.doubleValue(DEMO_RATE, 0))
                .connectTimeout(Duration.ofSeconds(60));
        // The first endpoint (a multicast group is sent to as any address is).
        EndpointOptions first = endpoints(source).get(0);
        String host = first.bindHost();
        int port = first.port();
        // A TCP connection breaks when the job stops or restarts: DemoFeed reconnects with a new
        // sender. Each round starts its heap counters in a range of its own (2^32 heaps per round),
        // so every heap of the feed is unique and a duplicate in the output is the job's fault.
        AtomicLong rounds = new AtomicLong();
        return DemoFeed.start("spead demo feed " + source.name(), () -> {
            SpeadSender sender = (udp ? b.udp(host, port) : b.tcp(host, port))
                    .firstHeapCnt(firstHeapCnt(rounds.getAndIncrement())).build();
            return new DemoFeed.Round() {
                @Override
                public void run() throws Exception {
                    sender.run();
                }

                @Override
                public void stop() {
                    sender.cancel();
                }
            };
        });
    }
}
