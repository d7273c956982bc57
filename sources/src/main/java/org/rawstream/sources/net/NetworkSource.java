package org.rawstream.sources.net;

import static org.rawstream.core.config.ConfigChecks.atLeast;
import static org.rawstream.core.config.ConfigChecks.notNegative;
import static org.rawstream.core.config.ConfigChecks.positive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SupportsSplitReassignmentOnRecovery;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.rawstream.sources.net.enumerator.NetworkEnumeratorState;
import org.rawstream.sources.net.enumerator.NetworkEnumeratorStateSerializer;
import org.rawstream.sources.net.enumerator.NetworkSplitEnumerator;
import org.rawstream.sources.net.reader.NetworkSourceReader;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.net.split.NetworkSplitSerializer;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.UdpOptions;

/**
 * A FLIP-27 source that listens on UDP and/or TCP endpoints and decodes what arrives with a
 * {@link NetworkProtocol}. One split per endpoint (one per subtask for SO_REUSEPORT UDP
 * endpoints), statically assigned, each to a reader on a host that can receive it; after a
 * recovery a reader's splits go back to the enumerator, which places them again (the subtask may
 * now run on another host — see {@link NetworkSplitEnumerator}). Nothing can be replayed after a failure — what the network
 * delivered while the job was down is lost, and records emitted after the last completed
 * checkpoint are not sent again.
 *
 * <pre>{@code
 * NetworkSource<Line> source = NetworkSource.<Line>builder()
 *     .name("lines")
 *     .protocol(new LineProtocol())
 *     .typeInfo(LineTypeInfo.INSTANCE)
 *     .udp(UdpOptions.builder(9000).build())
 *     .tcp(TcpOptions.builder(9001).maxConnections(16).build())
 *     .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "lines");
 * }</pre>
 */
public final class NetworkSource<T> extends ProtocolSource<T, NetworkSourceConfig>
        implements Source<T, NetworkSplit, NetworkEnumeratorState>, SupportsSplitReassignmentOnRecovery {
    private static final long serialVersionUID = 1L;

    private NetworkSource(NetworkSourceConfig config, NetworkProtocol<T> protocol, TypeInformation<T> typeInfo) {
        super(config, protocol, typeInfo);
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    @Override
    public Boundedness getBoundedness() {
        return config().bounded() ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, NetworkSplit> createReader(SourceReaderContext readerContext) {
        return NetworkSourceReader.create(config(), protocol(), readerContext);
    }

    @Override
    public SplitEnumerator<NetworkSplit, NetworkEnumeratorState> createEnumerator(
            SplitEnumeratorContext<NetworkSplit> enumContext) {
        return restoreEnumerator(enumContext, NetworkEnumeratorState.initial());
    }

    @Override
    public SplitEnumerator<NetworkSplit, NetworkEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<NetworkSplit> enumContext, NetworkEnumeratorState checkpoint) {
        return new NetworkSplitEnumerator(enumContext, config().name(), config()::planSplits, config()::receivingHosts,
                config().placementTimeoutMillis(), config().bounded(), checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<NetworkSplit> getSplitSerializer() {
        return NetworkSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<NetworkEnumeratorState> getEnumeratorCheckpointSerializer() {
        return NetworkEnumeratorStateSerializer.INSTANCE;
    }

    /** Builds a {@link NetworkSource}; protocol, type information and at least one endpoint are required. */
    public static final class Builder<T> extends ProtocolSourceBuilder<T, Builder<T>> {
        public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
        public static final int DEFAULT_MAX_RECORDS_PER_FETCH = 4096;
        /** Default hand-over between the receiving thread and the task thread (see {@link #handoverBytes}). */
        public static final long DEFAULT_HANDOVER_BYTES = 64L << 20;
        /** Default hand-over fill at which new units are shed (see {@link #shedAt}). */
        public static final double DEFAULT_SHED_AT = 0.5;
        /** Default of {@link #placementTimeout}. */
        public static final Duration DEFAULT_PLACEMENT_TIMEOUT = Duration.ofSeconds(30);

        private final List<UdpOptions> udp = new ArrayList<>();
        private final List<TcpOptions> tcp = new ArrayList<>();
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private int maxRecordsPerFetch = DEFAULT_MAX_RECORDS_PER_FETCH;
        private long handoverBytes = DEFAULT_HANDOVER_BYTES;
        private double shedAt = DEFAULT_SHED_AT;
        private Duration stopWhenIdle = Duration.ZERO;
        private Duration firstDataTimeout = Duration.ZERO;
        private Duration placementTimeout = DEFAULT_PLACEMENT_TIMEOUT;

        private Builder() {
        }

        @Override
        protected Builder<T> self() {
            return this;
        }

        /** A UDP endpoint; with {@link UdpOptions#reusePort()} every subtask opens its own socket on it. */
        public Builder<T> udp(UdpOptions options) {
            udp.add(Objects.requireNonNull(options, "options"));
            return this;
        }

        /** A UDP endpoint with default options. */
        public Builder<T> udp(String host, int port) {
            return udp(UdpOptions.builder(port).bindHost(host).build());
        }

        public Builder<T> tcp(TcpOptions options) {
            tcp.add(Objects.requireNonNull(options, "options"));
            return this;
        }

        /** A TCP endpoint with default options. */
        public Builder<T> tcp(String host, int port) {
            return tcp(TcpOptions.builder(port).bindHost(host).build());
        }

        /** Longest a fetch blocks without data (bounds wake-up latency for idle checks). */
        public Builder<T> pollTimeout(Duration timeout) {
            this.pollTimeout = positive(timeout, "pollTimeout");
            return this;
        }

        public Builder<T> maxRecordsPerFetch(int max) {
            this.maxRecordsPerFetch = atLeast(max, 1, "maxRecordsPerFetch");
            return this;
        }

        /**
         * How many received bytes may wait between the receiving (fetcher) thread and the task
         * thread. The fetcher keeps draining the sockets while the task thread is busy — a GC
         * pause, a checkpoint, the sink closing a file — so those stalls cost memory, up to this
         * bound, instead of packets: at 2.5 Gb/s, 128 MiB cover 0.4 s (the socket's receive
         * buffer comes on top). Beyond it the fetcher waits and the kernel's buffer fills.
         */
        public Builder<T> handoverBytes(long bytes) {
            this.handoverBytes = atLeast(bytes, 1, "handoverBytes");
            return this;
        }

        /**
         * Load shedding: once the hand-over holds this fraction of {@link #handoverBytes}, the
         * pipeline behind the receiving thread is not keeping up (the task thread, the operators
         * chained to it and everything that back-pressures it: assembly, the sink's append
         * queue). Decoders that ask ({@link DecoderContext#overloaded()},
         * {@link DecoderContext#admitUnit(int)}) then drop whole new units of their protocol — a
         * SPEAD heap, a datagram, a frame — and keep feeding the units already started, which
         * the rest of the hand-over is left for. 1 = never shed (the receiving thread waits when
         * the hand-over is full, and the kernel drops whatever packets overflow its buffer).
         */
        public Builder<T> shedAt(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("shedAt must be in (0, 1]: " + fraction);
            }
            this.shedAt = fraction;
            return this;
        }

        /**
         * Bounded mode (tests, one-shot captures): a split ends once it has received data and then
         * nothing for {@code idle} (a TCP split also needs no connection open), or when it has
         * received nothing at all within {@code firstDataTimeout} of opening. The job ends when
         * every split has. The first-data timeout keeps a slow-starting sender from being cut off
         * by the idle time while still ending a job whose sender never came.
         */
        public Builder<T> stopWhenIdle(Duration idle, Duration firstDataTimeout) {
            this.stopWhenIdle = positive(idle, "idle");
            this.firstDataTimeout = positive(firstDataTimeout, "firstDataTimeout");
            return this;
        }

        /**
         * An endpoint bound to one host's address is received by a reader on that host (the
         * TaskManager whose {@code taskmanager.host} it is). When every reader has registered and
         * none runs there for this long, the job fails with a message naming the endpoint (it
         * does not restart: the same subtasks would come back on the same hosts).
         */
        public Builder<T> placementTimeout(Duration timeout) {
            this.placementTimeout = notNegative(timeout, "placementTimeout");
            return this;
        }

        public NetworkSource<T> build() {
            NetworkProtocol<T> protocol = requiredProtocol();
            if (udp.isEmpty() && tcp.isEmpty()) {
                throw new IllegalStateException("at least one UDP or TCP endpoint is required");
            }
            Set<String> keys = new HashSet<>();
            for (UdpOptions o : udp) {
                if (!keys.add(NetworkSplit.endpointKey(NetworkSplit.Transport.UDP, o.bindHost(), o.port()))) {
                    throw new IllegalStateException("duplicate UDP endpoint " + o);
                }
            }
            for (TcpOptions o : tcp) {
                if (!keys.add(NetworkSplit.endpointKey(NetworkSplit.Transport.TCP, o.bindHost(), o.port()))) {
                    throw new IllegalStateException("duplicate TCP endpoint " + o);
                }
            }
            NetworkSourceConfig config = new NetworkSourceConfig(sourceName(), udp, tcp,
                    pollTimeout.toMillis(), maxRecordsPerFetch, handoverBytes, shedAt, stopWhenIdle.toMillis(),
                    firstDataTimeout.toMillis(), placementTimeout.toMillis());
            return new NetworkSource<>(config, protocol, requiredTypeInfo());
        }
    }
}
