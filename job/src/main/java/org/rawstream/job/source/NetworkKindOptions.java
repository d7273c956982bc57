package org.rawstream.job.source;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.NetworkSource;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.UdpOptions;

/**
 * The options every socket-based source kind shares (where to listen, connection limit, the
 * bounded "stop when idle" mode) and the step from a protocol's stored bytes to
 * {@link RawMessage}s, so each kind only adds its protocol's own options.
 */
public final class NetworkKindOptions {
    public static final String BIND_HOST = "bind-host";
    public static final String PORT = "port";
    public static final String MAX_CONNECTIONS = "max-connections";
    /** TCP: close a connection on which nothing was received or sent for this long (0s = never). */
    public static final String IDLE_TIMEOUT = "idle-timeout";
    /** TCP: close a connection whose frame started and is not complete after this long (0s = never). */
    public static final String FRAME_TIMEOUT = "frame-timeout";
    /** Bounded capture: end once data came and then nothing for this long (0s = run forever). */
    public static final String STOP_WHEN_IDLE = "stop-when-idle";
    /** Bounded capture: end if no data at all arrives within this time of opening. */
    public static final String FIRST_DATA_TIMEOUT = "first-data-timeout";

    private NetworkKindOptions() {}

    /** Defaults of the shared options: loopback only, the given port, bounded connections, unbounded run. */
    public static Map<String, String> defaults(int port, boolean tcp) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(BIND_HOST, "127.0.0.1");
        options.put(PORT, Integer.toString(port));
        if (tcp) {
            options.put(MAX_CONNECTIONS, Integer.toString(TcpOptions.DEFAULT_MAX_CONNECTIONS));
            options.put(IDLE_TIMEOUT, TcpOptions.DEFAULT_IDLE_TIMEOUT.toSeconds() + "s");
            options.put(FRAME_TIMEOUT, TcpOptions.DEFAULT_FRAME_TIMEOUT.toSeconds() + "s");
        }
        options.put(STOP_WHEN_IDLE, "0s");
        options.put(FIRST_DATA_TIMEOUT, "60s");
        return options;
    }

    public static TcpOptions tcp(SourceConfig source) {
        return tcpBuilder(source).build();
    }

    /** The shared TCP endpoint settings, for a kind that adds its own (a response budget). */
    public static TcpOptions.Builder tcpBuilder(SourceConfig source) {
        return TcpOptions.builder(source.intValue(PORT, 1, 65535)).bindHost(source.string(BIND_HOST))
                .maxConnections(source.intValue(MAX_CONNECTIONS, 1, 100_000))
                .idleTimeout(source.duration(IDLE_TIMEOUT))
                .frameTimeout(source.duration(FRAME_TIMEOUT));
    }

    public static UdpOptions udp(SourceConfig source) {
        return UdpOptions.builder(source.intValue(PORT, 1, 65535)).bindHost(source.string(BIND_HOST)).build();
    }

    /** Sets the bounded mode when {@link #STOP_WHEN_IDLE} is not zero. */
    public static <T> NetworkSource.Builder<T> bounded(NetworkSource.Builder<T> builder, SourceConfig source) {
        Duration idle = source.duration(STOP_WHEN_IDLE);
        if (!idle.isZero()) {
            builder.stopWhenIdle(idle, source.duration(FIRST_DATA_TIMEOUT));
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
}
