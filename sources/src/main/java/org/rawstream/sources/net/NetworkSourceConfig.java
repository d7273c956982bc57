package org.rawstream.sources.net;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.transport.EndpointOptions;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.UdpOptions;

/** Everything a {@link NetworkSource} is configured with; immutable, built by {@link NetworkSource.Builder}. */
public final class NetworkSourceConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final List<UdpOptions> udpEndpoints;
    private final List<TcpOptions> tcpEndpoints;
    private final long pollTimeoutMillis;
    private final int maxRecordsPerFetch;
    private final long handoverBytes;
    private final double shedAt;
    private final long stopWhenIdleMillis;
    private final long firstDataTimeoutMillis;
    private final long placementTimeoutMillis;

    NetworkSourceConfig(String name, List<UdpOptions> udp, List<TcpOptions> tcp, long pollTimeoutMillis,
            int maxRecordsPerFetch, long handoverBytes, double shedAt, long stopWhenIdleMillis, long firstDataTimeoutMillis,
            long placementTimeoutMillis) {
        this.name = name;
        this.udpEndpoints = Collections.unmodifiableList(new ArrayList<>(udp));
        this.tcpEndpoints = Collections.unmodifiableList(new ArrayList<>(tcp));
        this.pollTimeoutMillis = pollTimeoutMillis;
        this.maxRecordsPerFetch = maxRecordsPerFetch;
        this.handoverBytes = handoverBytes;
        this.shedAt = shedAt;
        this.stopWhenIdleMillis = stopWhenIdleMillis;
        this.firstDataTimeoutMillis = firstDataTimeoutMillis;
        this.placementTimeoutMillis = placementTimeoutMillis;
    }

    /** Metric group and log name. */
    public String name() { return name; }
    public List<UdpOptions> udpEndpoints() { return udpEndpoints; }
    public List<TcpOptions> tcpEndpoints() { return tcpEndpoints; }
    /** Longest the fetcher blocks in one poll when no data arrives. */
    public long pollTimeoutMillis() { return pollTimeoutMillis; }
    /** Records handed over per fetch at most (bounds the batch, not the rate). */
    public int maxRecordsPerFetch() { return maxRecordsPerFetch; }
    /** Received bytes the fetcher may have handed over that the task thread has not emitted yet. */
    public long handoverBytes() { return handoverBytes; }
    /** Hand-over fill (fraction of {@link #handoverBytes()}) from which new units are shed; 1 = never. */
    public double shedAt() { return shedAt; }
    /** 0 = unbounded; else a split ends after this long without data (see the builder). */
    public long stopWhenIdleMillis() { return stopWhenIdleMillis; }
    public long firstDataTimeoutMillis() { return firstDataTimeoutMillis; }
    /** How long a host-bound endpoint may find no reader on its host (all readers registered) before the job fails. */
    public long placementTimeoutMillis() { return placementTimeoutMillis; }

    public boolean bounded() {
        return stopWhenIdleMillis > 0;
    }

    /** The options of a split's endpoint; null if the configuration no longer has it. */
    public UdpOptions udpOptions(NetworkSplit split) {
        return find(udpEndpoints, NetworkSplit.Transport.UDP, split);
    }

    public TcpOptions tcpOptions(NetworkSplit split) {
        return find(tcpEndpoints, NetworkSplit.Transport.TCP, split);
    }

    private static <O extends EndpointOptions> O find(List<O> endpoints, NetworkSplit.Transport transport,
            NetworkSplit split) {
        for (O o : endpoints) {
            if (NetworkSplit.endpointKey(transport, o.bindHost(), o.port()).equals(split.endpointKey())) {
                return o;
            }
        }
        return null;
    }

    /** The hosts a split's endpoint can be received on (see {@link EndpointOptions#receivingHosts()}); empty = any. */
    public Set<String> receivingHosts(NetworkSplit split) {
        EndpointOptions o = split.transport() == NetworkSplit.Transport.UDP ? udpOptions(split) : tcpOptions(split);
        return o == null ? Set.of() : o.receivingHosts();
    }

    /**
     * Splits by preferred subtask (where they go when it may receive them, see
     * {@link org.rawstream.sources.net.enumerator.NetworkSplitEnumerator}): endpoint {@code i} (UDP first, then TCP) goes to subtask
     * {@code i % parallelism}; a UDP endpoint with SO_REUSEPORT gets one split per subtask.
     */
    public Map<Integer, List<NetworkSplit>> planSplits(int parallelism) {
        Map<Integer, List<NetworkSplit>> plan = new TreeMap<>();
        int index = 0;
        for (UdpOptions o : udpEndpoints) {
            if (o.reusePort()) {
                for (int r = 0; r < parallelism; r++) {
                    plan.computeIfAbsent(r, s -> new ArrayList<>())
                            .add(new NetworkSplit(NetworkSplit.Transport.UDP, o.bindHost(), o.port(), r));
                }
            } else {
                plan.computeIfAbsent(index % parallelism, s -> new ArrayList<>())
                        .add(new NetworkSplit(NetworkSplit.Transport.UDP, o.bindHost(), o.port(), 0));
            }
            index++;
        }
        for (TcpOptions o : tcpEndpoints) {
            plan.computeIfAbsent(index % parallelism, s -> new ArrayList<>())
                    .add(new NetworkSplit(NetworkSplit.Transport.TCP, o.bindHost(), o.port(), 0));
            index++;
        }
        return plan;
    }

    /** For the start-up log: every setting, defaults included. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", name);
        d.put("udp", udpEndpoints);
        d.put("tcp", tcpEndpoints);
        d.put("pollTimeoutMillis", pollTimeoutMillis);
        d.put("maxRecordsPerFetch", maxRecordsPerFetch);
        d.put("handoverBytes", handoverBytes);
        d.put("shedAt", shedAt);
        d.put("stopWhenIdleMillis", stopWhenIdleMillis);
        d.put("firstDataTimeoutMillis", firstDataTimeoutMillis);
        d.put("placementTimeoutMillis", placementTimeoutMillis);
        return d;
    }

    @Override
    public String toString() {
        return "NetworkSourceConfig" + describe();
    }
}
