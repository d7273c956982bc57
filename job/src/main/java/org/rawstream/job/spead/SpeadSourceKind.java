package org.rawstream.job.spead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.Setting;
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

/**
 * {@code spead-udp} and {@code spead-tcp}: SPEAD packets from the generic network source, heap
 * assembly keyed by (stream, substream), then per-stream ordering, into the sink as stored heaps
 * (protocol "spead", io_version "4.0").
 */
public final class SpeadSourceKind implements SourceKind {
    public static final String UDP_TYPE = "spead-udp";
    public static final String TCP_TYPE = "spead-tcp";

    /** The assembly library's own defaults: the single source of the assembly settings' defaults. */
    private static final SpeadAssemblyConfig DEFAULTS = SpeadAssemblyConfig.builder().build();
    private static final Duration FOREVER = Duration.ofDays(36500);

    public static final Setting<Integer> SUBSTREAMS = Setting.key("substreams").intCount(1, 1024).defaultValue(1)
            .withDescription("heap assembly is keyed by stream and hash(heap counter) mod `substreams`, so one stream "
                    + "can use several subtasks");
    public static final Setting<Long> MAX_HEAP_SIZE = Setting.key("max-heap-size").bytes(1, 1L << 30)
            .defaultValue(DEFAULTS.maxHeapSize())
            .withDescription("a larger HEAP_SIZE is refused before anything is allocated");
    public static final Setting<Integer> MAX_PACKET_SIZE = Setting.key("max-packet-size").intCount(64, 1 << 26)
            .defaultValue(DEFAULTS.maxPacketSize()).withDescription("longest packet, in bytes");
    public static final Setting<Integer> MAX_LIVE_HEAPS = Setting.key("max-live-heaps").intCount(1, 1 << 16)
            .defaultValue(DEFAULTS.maxLiveHeaps())
            .withDescription("incomplete heaps per stream (and substream); the oldest leaves when full");
    public static final Setting<Duration> HEAP_TIMEOUT = Setting.key("heap-timeout")
            .duration(Duration.ofMillis(1), FOREVER).defaultValue(Duration.ofMillis(DEFAULTS.heapTimeoutMillis()))
            .withDescription("an incomplete heap leaves this long after its last packet, in receive time (a replay: "
                    + "capture time), so a backlog inside the job never expires a heap — see "
                    + "[spead](protocols/spead.md#receive-time)");
    public static final Setting<Integer> REORDER_CAPACITY = Setting.key("reorder-capacity").intCount(0, 1 << 16)
            .defaultValue(DEFAULTS.reorderCapacity())
            .withDescription("heaps held per stream to release them in heap-counter order");
    /**
     * The library's default value (its default heap timeout), always passed explicitly: the job
     * has always waited 2 s here whatever {@code heap-timeout} is, and a longer wait would hold
     * heaps behind a lost one for as long as a slow heap may take to complete.
     */
    public static final Setting<Duration> REORDER_TIMEOUT = Setting.key("reorder-timeout")
            .duration(Duration.ofMillis(1), FOREVER).defaultValue(Duration.ofMillis(DEFAULTS.reorderTimeoutMillis()))
            .withDescription("longest a heap waits there for earlier ones, in receive time (independent of "
                    + "`heap-timeout`)");
    public static final Setting<Long> HEAP_CNT_STEP = Setting.key("heap-cnt-step").count(-1, Long.MAX_VALUE)
            .defaultValue(DEFAULTS.heapCntStep())
            .withDescription("step between heap counters: `0` = learn it, `-1` = unknown, *n* = fixed; needed to count "
                    + "heaps that never arrived");
    public static final Setting<String> INCOMPLETE_HEAPS = Setting.key("incomplete-heaps").choice("deliver", "drop")
            .defaultValue(DEFAULTS.incompletePolicy().name().toLowerCase(Locale.ROOT))
            .withDescription("`deliver` or `drop` incomplete heaps");
    public static final Setting<String> CHAIN = Setting.key("chain-assembly").choice("auto", "true", "false")
            .defaultValue("auto")
            .withDescription("run heap assembly in the source's task (no shuffle); `auto` = when one subtask reads "
                    + "everything: one endpoint on a loopback/wildcard address, no `reuse-port`");
    public static final Setting<Long> LIVE_HEAP_MEMORY = Setting.key("live-heap-memory").bytes(1L << 20, 1L << 40)
            .defaultValue(DEFAULTS.liveHeapMemory())
            .withDescription("what the live heaps of one assembly subtask may hold, all streams together; new heaps "
                    + "are refused (counted) beyond 3/4 of it ([memory](memory.md))");
    public static final Setting<Integer> MAX_STREAMS = Setting.key("max-streams").intCount(1, 1 << 20)
            .defaultValue(DEFAULTS.maxStreams())
            .withDescription("senders assembled at once per endpoint; beyond, the least recently active stream is "
                    + "ended (its live heaps flushed as incomplete)");
    public static final Setting<Double> DEMO_RATE = Setting.key("demo-rate-gbps").number(0, Double.MAX_VALUE)
            .defaultValue(0.05).withDescription("rate of the `--demo` sender, Gb/s");
    public static final Setting<Long> DEMO_HEAP_SIZE = Setting.key("demo-heap-size").bytes(4, 1 << 26)
            .defaultValue(65536L).withDescription("heap size of the `--demo` sender");
    /**
     * SPEAD's hand-over is twice the transport's default: SPEAD runs at Gb/s, where 128 MiB cover
     * 0.4 s of task-thread stall at 2.5 Gb/s (see NetworkSource.Builder#handoverBytes).
     */
    static final Setting<Long> HANDOVER = NetworkKindOptions.HANDOVER.withDefaultValue(128L << 20);
    /** spead-tcp has always allowed 64 connections per endpoint (kept for existing configurations). */
    static final Setting<Integer> TCP_MAX_CONNECTIONS = NetworkKindOptions.MAX_CONNECTIONS.withDefaultValue(64);

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
    public List<Setting<?>> settings() {
        List<Setting<?>> settings = new ArrayList<>();
        for (Setting<?> shared : NetworkKindOptions.settings(udp ? 7148 : 7149, !udp)) {
            settings.add(shared.key().equals(HANDOVER.key()) ? HANDOVER
                    : shared.key().equals(TCP_MAX_CONNECTIONS.key()) ? TCP_MAX_CONNECTIONS : shared);
        }
        settings.addAll(List.of(SUBSTREAMS, MAX_HEAP_SIZE, MAX_PACKET_SIZE, MAX_LIVE_HEAPS, HEAP_TIMEOUT,
                REORDER_CAPACITY, REORDER_TIMEOUT, HEAP_CNT_STEP, INCOMPLETE_HEAPS, CHAIN, LIVE_HEAP_MEMORY, MAX_STREAMS,
                DEMO_RATE, DEMO_HEAP_SIZE));
        return settings;
    }

    @Override
    public String description() {
        return "SPEAD over " + (udp ? "UDP (one packet per datagram)" : "TCP (packets back to back)")
                + ": heaps assembled per stream and stored as SPEAD packets (the assembly settings apply to a pcap "
                + "replay of SPEAD too)";
    }

    @Override
    public List<EndpointOptions> endpoints(SourceConfig source) {
        return NetworkKindOptions.endpoints(source, !udp);
    }

    @Override
    public void validate(SourceConfig source) {
        assemblyConfig(source);
        chained(source);
    }

    /** Assembly limits and policies from the source's options. */
    public static SpeadAssemblyConfig assemblyConfig(SourceConfig source) {
        SpeadAssemblyConfig.Builder b = SpeadAssemblyConfig.builder()
                .maxHeapSize(source.get(MAX_HEAP_SIZE))
                .maxPacketSize(source.get(MAX_PACKET_SIZE))
                .maxLiveHeaps(source.get(MAX_LIVE_HEAPS))
                .heapTimeoutMillis(source.get(HEAP_TIMEOUT).toMillis())
                .reorderCapacity(source.get(REORDER_CAPACITY))
                .heapCntStep(source.get(HEAP_CNT_STEP))
                .incompletePolicy(IncompleteHeapPolicy.valueOf(source.get(INCOMPLETE_HEAPS).toUpperCase(Locale.ROOT)))
                .liveHeapMemory(source.get(LIVE_HEAP_MEMORY))
                .maxStreams(source.get(MAX_STREAMS))
                .reorderTimeoutMillis(source.get(REORDER_TIMEOUT).toMillis());
        return b.build();
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        SpeadAssemblyConfig config = assemblyConfig(source);
        int substreams = source.get(SUBSTREAMS);
        NetworkSource.Builder<SpeadPacketRecord> builder = NetworkSource.<SpeadPacketRecord>builder()
                .name(source.name())
                .protocol(new SpeadProtocol(substreams, config))
                .typeInfo(SpeadProtocol.PACKET_TYPE);
        NetworkKindOptions.configure(builder, source, endpoints(source));
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
            heaps = WriteBackKeyedOperator.apply(
                    DataStreamUtils.reinterpretAsKeyedStream(packets, SpeadPacketRecord::assemblyKey, Types.STRING),
                    new HeapAssemblyFunction(source.name(), config, HeapClock.RECEIVE_TIME), SpeadSerializers.HEAP_RECORD)
                    .setParallelism(1);
        } else {
            heaps = WriteBackKeyedOperator.apply(packets.keyBy(SpeadPacketRecord::assemblyKey, Types.STRING),
                    new HeapAssemblyFunction(source.name(), config, HeapClock.RECEIVE_TIME), SpeadSerializers.HEAP_RECORD);
        }
        heaps.name(source.name() + " heap assembly").uid(source.name() + "-heap-assembly");
        SingleOutputStreamOperator<RawMessage> messages = WriteBackKeyedOperator.apply(chain
                ? DataStreamUtils.reinterpretAsKeyedStream(heaps, SpeadHeapRecord::stream, Types.STRING)
                : heaps.keyBy(SpeadHeapRecord::stream, Types.STRING),
                new HeapOrderingFunction(source.name(), source.ioGroup(), substreams, config, HeapClock.RECEIVE_TIME),
                RawMessageTypeInfo.INSTANCE);
        if (chain) {
            messages.setParallelism(1);
        }
        return messages.name(source.name() + " heap ordering").uid(source.name() + "-heap-ordering");
    }

    /**
     * Whether heap assembly is chained to the source (see {@link #create}): auto = when one
     * subtask reads everything — one endpoint, no reuse-port, receivable on any host (an endpoint
     * bound to one host's address needs a subtask on every host, so that one of them is there).
     */
    static boolean chained(SourceConfig source) {
        String v = source.get(CHAIN);
        boolean tcp = source.type().equals(TCP_TYPE);
        boolean reusePort = !tcp && source.get(NetworkKindOptions.REUSE_PORT);
        List<EndpointOptions> endpoints = NetworkKindOptions.endpoints(source, tcp);
        boolean oneReader = !reusePort && endpoints.size() == 1 && endpoints.get(0).receivingHosts().isEmpty();
        if (v.equals("auto")) {
            return oneReader;
        }
        boolean chain = Boolean.parseBoolean(v);
        if (chain && !oneReader) {
            throw new IllegalArgumentException("source " + source.name() + ": " + CHAIN.key()
                    + " needs one subtask to read every endpoint (one endpoint on a wildcard or loopback address, no reuse-port)");
        }
        return chain;
    }

    /** The first heap counter of the demo feed's round {@code round} (from 0): 2^32 heaps per round. */
    public static long firstHeapCnt(long round) {
        return (round << 32) + 1;
    }

    /** Heaps between the demo feed's descriptor heaps: about one second of heaps (unpaced: 1000). */
    static long demoDescriptorsEvery(double rateGbps, int heapSize) {
        return rateGbps <= 0 ? 1000 : Math.max(1, Math.round(rateGbps * 1e9 / 8 / heapSize));
    }

    /**
     * Sender rounds; round r sends heap counters from {@code (r << 32) + 1} (see
     * {@link #firstHeapCnt}). Heaps are not reported to the ledger (the sender does not expose
     * them); a test bounds them by {@link DemoFeed#rounds()} and their content instead.
     */
    @Override
    public DemoFeed startDemoFeed(SourceConfig source, FeedLedger ledger) {
        int heapSize = source.get(DEMO_HEAP_SIZE).intValue() / 4 * 4;
        double rateGbps = source.get(DEMO_RATE);
        SpeadSender.Builder b = SpeadSender.builder()
                .heapSize(heapSize)
                .packetSize(udp ? 8972 : 65000)
                .flavour(SpeadFlavour.SPEAD_64_48)
                .heaps(Long.MAX_VALUE)
                .rateGbps(rateGbps)
                // The feed starts before the source listens, so its first heap is usually lost:
                // descriptors again about once a second let `inspect --decode` name the items.
                .descriptorsEvery(demoDescriptorsEvery(rateGbps, heapSize))
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
