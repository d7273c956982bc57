package org.rawstream.job.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.InvalidSettingException;
import org.rawstream.job.config.Setting;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.NetworkSource;
import org.rawstream.sources.transport.EndpointOptions;
import org.rawstream.sources.transport.HostAddresses;
import org.rawstream.sources.transport.MulticastGroups;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.UdpOptions;

/**
 * The settings every socket-based source kind shares — where to listen, socket options,
 * connection limits, the hand-over to the task thread, the bounded "stop when idle" mode — defined
 * once here with the transport library's defaults, and the one derivation of a source's endpoints
 * from them. Each kind adds only its protocol's own settings (and its own port).
 */
public final class NetworkKindOptions {
    private static final Duration FOREVER = Duration.ofDays(36500);

    public static final Setting<String> BIND_HOST = Setting.key("bind-host")
            .text("address or comma-separated addresses", NetworkKindOptions::hostList)
            .defaultValue(EndpointOptions.DEFAULT_BIND_HOST)
            .withDeprecatedKeys("host")
            .withDescription("address to listen on; a comma-separated list = one endpoint each. `0.0.0.0` = every "
                    + "interface. An address other than loopback/wildcard is received on the TaskManager whose "
                    + "`taskmanager.host` it is ([multi-host](multi-host.md)). SPEAD's older name `host` is still "
                    + "accepted (deprecated)");
    /** No default: every kind sets its own port. */
    public static final Setting<Integer> PORT = Setting.key("port").intCount(1, 65535).noDefaultValue()
            .withDescription("port to listen on");
    public static final Setting<Long> RECEIVE_BUFFER = Setting.key("receive-buffer")
            .bytes(4096, Integer.MAX_VALUE).defaultValue((long) UdpOptions.DEFAULT_RECEIVE_BUFFER_BYTES)
            .withDescription("socket receive buffer (SO_RCVBUF) to request; the kernel caps it at "
                    + "`net.core.rmem_max` — raise that to 64 MiB for Gb/s (`sysctl -w net.core.rmem_max=67108864`). "
                    + "TCP: unset = the system's default");
    public static final Setting<Boolean> REUSE_PORT = Setting.key("reuse-port").bool().defaultValue(false)
            .withDescription("UDP: every subtask binds the port (SO_REUSEPORT) and the kernel spreads the senders "
                    + "over them");
    public static final Setting<String> RECEIVE_MODE = Setting.key("receive-mode").choice("auto", "recvmmsg", "plain")
            .defaultValue("auto")
            .withDescription("UDP: how the receiving thread reads the socket. `recvmmsg` = Linux's batch receive with "
                    + "UDP GRO (several datagrams per system call; x86-64 or aarch64), failing where unavailable; "
                    + "`plain` = Java's one call per datagram; `auto` = `recvmmsg` where available, else `plain` "
                    + "(the log says why) ([UDP receive](udp-receive.md))");
    public static final Setting<String> MULTICAST_GROUP = Setting.key("multicast-group")
            .text("groups or ranges, comma-separated", v -> v).noDefaultValue()
            .withDescription("UDP: multicast groups or ranges (`239.2.1.150+15` = 16 groups), one endpoint each, "
                    + "bound to the group address and spread over the subtasks; replaces the `bind-host` endpoints. "
                    + "Unset = unicast");
    public static final Setting<String> MULTICAST_INTERFACE = Setting.key("multicast-interface")
            .text("names or addresses, comma-separated", v -> v).noDefaultValue()
            .withDescription("UDP: interfaces to join the groups on, names and/or addresses; each host joins on the "
                    + "first it has. Unset = the `bind-host` addresses");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.key("max-connections").intCount(1, 1 << 20)
            .defaultValue(TcpOptions.DEFAULT_MAX_CONNECTIONS)
            .withDescription("TCP: concurrent connections per endpoint; more are refused and counted");
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.key("idle-timeout").duration(Duration.ZERO, FOREVER)
            .defaultValue(TcpOptions.DEFAULT_IDLE_TIMEOUT)
            .withDescription("TCP: close a connection on which nothing was received or sent for this long; `0s` = "
                    + "never ([TCP sources](tcp-sources.md))");
    public static final Setting<Duration> FRAME_TIMEOUT = Setting.key("frame-timeout").duration(Duration.ZERO, FOREVER)
            .defaultValue(TcpOptions.DEFAULT_FRAME_TIMEOUT)
            .withDescription("TCP: close a connection whose frame started and is not complete after this long; "
                    + "`0s` = never");
    public static final Setting<Long> HANDOVER = Setting.key("handover-bytes").bytes(1, 64L << 30)
            .defaultValue(NetworkSource.Builder.DEFAULT_HANDOVER_BYTES)
            .withDescription("received bytes that may wait between the receiving thread and the task thread, so a "
                    + "stall of the task thread (GC, a checkpoint, a file closing) costs memory instead of packets");
    public static final Setting<Double> SHED_AT = Setting.key("shed-at").number(0.001, 1)
            .defaultValue(NetworkSource.Builder.DEFAULT_SHED_AT)
            .withDescription("hand-over fill from which the receiving thread sheds whole new units (a heap, "
                    + "a datagram, a frame) when the pipeline is behind; `1` = never: the receiving thread stops "
                    + "reading when the hand-over is full and the kernel drops (SPEAD sheds the heaps each gap cut; "
                    + "[memory](memory.md#whole-heap-shedding-under-overload))");
    public static final Setting<Duration> PLACEMENT_TIMEOUT = Setting.key("placement-timeout")
            .duration(Duration.ZERO, FOREVER).defaultValue(NetworkSource.Builder.DEFAULT_PLACEMENT_TIMEOUT)
            .withDescription("how long an endpoint bound to one host's address may find no TaskManager on that host "
                    + "(all subtasks registered) before the job fails — without restarting");
    public static final Setting<Duration> STOP_WHEN_IDLE = Setting.key("stop-when-idle").duration(Duration.ZERO, FOREVER)
            .defaultValue(Duration.ZERO)
            .withDescription("`0s` = run until stopped; otherwise the source ends once data came and then nothing "
                    + "for this long (no connection open) — a bounded, one-shot capture");
    public static final Setting<Duration> FIRST_DATA_TIMEOUT = Setting.key("first-data-timeout")
            .duration(Duration.ofMillis(1), FOREVER).defaultValue(Duration.ofSeconds(60))
            .withDescription("with `stop-when-idle`: end if no data at all arrives within this time of opening");

    /** The settings that say where and how to listen: they mean nothing for a capture file's replay. */
    public static final Set<String> LISTENING_KEYS = Set.of(BIND_HOST.key(), PORT.key(), RECEIVE_BUFFER.key(),
            REUSE_PORT.key(), RECEIVE_MODE.key(), MULTICAST_GROUP.key(), MULTICAST_INTERFACE.key(), MAX_CONNECTIONS.key(),
            IDLE_TIMEOUT.key(), FRAME_TIMEOUT.key(), HANDOVER.key(), SHED_AT.key(), PLACEMENT_TIMEOUT.key(),
            STOP_WHEN_IDLE.key(), FIRST_DATA_TIMEOUT.key());

    private NetworkKindOptions() {}

    /** The shared settings of a UDP or TCP kind listening on {@code port} by default. */
    public static List<Setting<?>> settings(int port, boolean tcp) {
        List<Setting<?>> s = new ArrayList<>();
        s.add(BIND_HOST);
        s.add(PORT.withDefaultValue(port));
        if (tcp) {
            s.add(MAX_CONNECTIONS);
            s.add(IDLE_TIMEOUT);
            s.add(FRAME_TIMEOUT);
            s.add(RECEIVE_BUFFER.withoutDefaultValue());
        } else {
            s.add(RECEIVE_BUFFER);
            s.add(REUSE_PORT);
            s.add(RECEIVE_MODE);
            s.add(MULTICAST_GROUP);
            s.add(MULTICAST_INTERFACE);
        }
        s.add(HANDOVER);
        s.add(SHED_AT);
        s.add(PLACEMENT_TIMEOUT);
        s.add(STOP_WHEN_IDLE);
        s.add(FIRST_DATA_TIMEOUT);
        return s;
    }

    /**
     * The source's endpoints: one per {@code bind-host} address, or (UDP) one per multicast group,
     * bound to the group's address and joined on {@code multicast-interface} (default: the
     * {@code bind-host} addresses, so each host joins on its own interface). TCP endpoints come as
     * {@link TcpOptions} builders' results with the shared settings; a kind needing more (a
     * response budget) adjusts them with {@link TcpOptions#toBuilder()}.
     */
    public static List<EndpointOptions> endpoints(SourceConfig source, boolean tcp) {
        List<String> hosts = HostAddresses.list(source.get(BIND_HOST));
        int port = source.get(PORT);
        List<EndpointOptions> endpoints = new ArrayList<>();
        if (tcp) {
            for (String host : hosts) {
                TcpOptions.Builder b = TcpOptions.builder(port).bindHost(host)
                        .maxConnections(source.get(MAX_CONNECTIONS))
                        .idleTimeout(source.get(IDLE_TIMEOUT))
                        .frameTimeout(source.get(FRAME_TIMEOUT));
                source.optional(RECEIVE_BUFFER.withoutDefaultValue()).ifPresent(bytes -> b.receiveBufferBytes(bytes.intValue()));
                endpoints.add(b.build());
            }
            return endpoints;
        }
        boolean reusePort = source.get(REUSE_PORT);
        int receiveBuffer = source.get(RECEIVE_BUFFER).intValue();
        UdpOptions.ReceiveMode receiveMode = receiveMode(source);
        List<String> groups;
        try {
            groups = MulticastGroups.parse(source.optional(MULTICAST_GROUP).orElse(""));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("source " + source.name() + ": " + MULTICAST_GROUP.key() + ": " + e.getMessage());
        }
        String joinOn = source.optional(MULTICAST_INTERFACE).orElse(String.join(",", hosts));
        for (String bind : groups.isEmpty() ? hosts : groups) {
            UdpOptions.Builder o = UdpOptions.builder(port).bindHost(bind).reusePort(reusePort)
                    .receiveBufferBytes(receiveBuffer).receiveMode(receiveMode);
            if (!groups.isEmpty()) {
                o.multicast(bind, joinOn);
            }
            endpoints.add(o.build());
        }
        return endpoints;
    }

    /** The UDP {@code receive-mode} of {@code source}. */
    public static UdpOptions.ReceiveMode receiveMode(SourceConfig source) {
        return UdpOptions.ReceiveMode.valueOf(source.get(RECEIVE_MODE).toUpperCase(Locale.ROOT));
    }

    /** Adds {@code endpoints} and the shared receiving settings (hand-over, shedding, placement, bounded mode). */
    public static <T> NetworkSource.Builder<T> configure(NetworkSource.Builder<T> builder, SourceConfig source,
            List<EndpointOptions> endpoints) {
        for (EndpointOptions e : endpoints) {
            if (e instanceof UdpOptions udp) {
                builder.udp(udp);
            } else {
                builder.tcp((TcpOptions) e);
            }
        }
        builder.handoverBytes(source.get(HANDOVER)).shedAt(source.get(SHED_AT))
                .placementTimeout(source.get(PLACEMENT_TIMEOUT));
        Duration idle = source.get(STOP_WHEN_IDLE);
        if (!idle.isZero()) {
            builder.stopWhenIdle(idle, source.get(FIRST_DATA_TIMEOUT));
        }
        return builder;
    }

    /**
     * A network source (sockets or a capture replay) whose records are the exact bytes to store, turned into the sink's
     * {@link RawMessage}s (name and io_groups of {@code source}). Operator uids
     * {@code <name>-<protocol>-source} and {@code <name>-to-raw}.
     */
    public static DataStream<RawMessage> storedBytes(StreamExecutionEnvironment env, SourceConfig source,
            Source<byte[], ?, ?> network, NetworkProtocol<byte[]> protocol) {
        return storedBytes(env, source, network, protocol, 0);
    }

    /** {@link #storedBytes(StreamExecutionEnvironment, SourceConfig, Source, NetworkProtocol)} with the source at {@code parallelism} (0 = the job's). */
    public static DataStream<RawMessage> storedBytes(StreamExecutionEnvironment env, SourceConfig source,
            Source<byte[], ?, ?> network, NetworkProtocol<byte[]> protocol, int parallelism) {
        String name = source.name();
        int ioGroup = source.ioGroup();
        SingleOutputStreamOperator<byte[]> bytes = env.fromSource(network, WatermarkStrategy.noWatermarks(),
                        name + " (" + source.type() + ")", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                .uid(name + "-" + protocol.name() + "-source");
        if (parallelism > 0) {
            bytes.setParallelism(parallelism);
        }
        return bytes.map(b -> new RawMessage(name, ioGroup, b), RawMessageTypeInfo.INSTANCE)
                .name(name + " messages")
                .uid(name + "-to-raw");
    }

    /** A network source builder for byte-record protocols with this source's name. */
    public static NetworkSource.Builder<byte[]> builder(SourceConfig source, NetworkProtocol<byte[]> protocol) {
        return NetworkSource.<byte[]>builder().name(source.name()).protocol(protocol)
                .typeInfo(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    private static String hostList(String value) {
        if (HostAddresses.list(value).isEmpty()) {
            throw new IllegalArgumentException("give an address (127.0.0.1, 0.0.0.0, ...)");
        }
        return value;
    }

}
