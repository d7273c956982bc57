package org.rawstream.sources.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.junit.jupiter.api.Test;
import org.rawstream.sources.net.enumerator.NetworkEnumeratorState;
import org.rawstream.sources.net.enumerator.NetworkEnumeratorStateSerializer;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.net.split.NetworkSplitSerializer;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.UdpOptions;

// Flink's closeables declare "throws Exception"; try-with-resources on them is intended.
@SuppressWarnings("try")
class NetworkSplitEnumeratorTest {

    private static NetworkSource.Builder<String> builder() {
        return NetworkSource.<String>builder().protocol(new LineProtocol(false)).typeInfo(Types.STRING);
    }

    private static NetworkSplit udp(int port, int replica) {
        return new NetworkSplit(NetworkSplit.Transport.UDP, "127.0.0.1", port, replica);
    }

    private static NetworkSplit tcp(int port) {
        return new NetworkSplit(NetworkSplit.Transport.TCP, "127.0.0.1", port, 0);
    }

    @Test
    void plansOneSplitPerEndpointRoundRobinAndOnePerSubtaskForReusePort() {
        NetworkSourceConfig config = builder()
                .udp("127.0.0.1", 9000)
                .udp(UdpOptions.builder(9001).reusePort(true).build())
                .tcp("127.0.0.1", 9002)
                .tcp(TcpOptions.builder(9003).build())
                .build().config();
        Map<Integer, List<NetworkSplit>> plan = config.planSplits(3);
        assertThat(plan.get(0)).containsExactly(udp(9000, 0), udp(9001, 0), tcp(9003));
        assertThat(plan.get(1)).containsExactly(udp(9001, 1));
        assertThat(plan.get(2)).containsExactly(udp(9001, 2), tcp(9002));
        assertThat(config.udpOptions(udp(9001, 2)).reusePort()).isTrue();
        assertThat(config.tcpOptions(tcp(9002))).isNotNull();
        assertThat(config.tcpOptions(tcp(1))).isNull();
        assertThat(config.bounded()).isFalse();
    }

    @Test
    void assignsStaticallyWhenReadersRegisterAndReassignsSplitsHandedBack() throws Exception {
        NetworkSource<String> source = builder().udp("127.0.0.1", 9000).tcp("127.0.0.1", 9001).build();
        try (MockSplitEnumeratorContext<NetworkSplit> context = new MockSplitEnumeratorContext<>(2)) {
            SplitEnumerator<NetworkSplit, NetworkEnumeratorState> enumerator = source.createEnumerator(context);
            enumerator.start();
            assertThat(context.getSplitsAssignmentSequence()).isEmpty();

            register(context, enumerator, 1);
            assertThat(assigned(context)).containsExactly(tcp(9001));
            assertThat(context.hasNoMoreSplits(1)).isFalse(); // unbounded: idle readers stay idle
            register(context, enumerator, 0);
            assertThat(assigned(context)).containsExactly(tcp(9001), udp(9000, 0));

            // Checkpoint, then a failure of subtask 0 hands its split back.
            NetworkEnumeratorState state = enumerator.snapshotState(1);
            assertThat(state.unassigned()).isEmpty();
            context.unregisterReader(0);
            enumerator.addSplitsBack(List.of(udp(9000, 0)), 0);
            assertThat(enumerator.snapshotState(2).unassigned()).containsEntry(0, List.of(udp(9000, 0)));
            register(context, enumerator, 0);
            assertThat(assigned(context)).containsExactly(tcp(9001), udp(9000, 0), udp(9000, 0));

            // Restoring from a checkpoint never re-creates splits the readers already own.
            SplitEnumerator<NetworkSplit, NetworkEnumeratorState> restored = source.restoreEnumerator(context, state);
            restored.start();
            assertThat(restored.snapshotState(3).unassigned()).isEmpty();
        }
    }

    @Test
    void boundedModeSignalsNoMoreSplits() throws Exception {
        NetworkSource<String> source = builder().tcp("127.0.0.1", 9001)
                .stopWhenIdle(Duration.ofSeconds(1), Duration.ofSeconds(5)).build();
        try (MockSplitEnumeratorContext<NetworkSplit> context = new MockSplitEnumeratorContext<>(2)) {
            SplitEnumerator<NetworkSplit, NetworkEnumeratorState> enumerator = source.createEnumerator(context);
            enumerator.start();
            register(context, enumerator, 0);
            register(context, enumerator, 1);
            assertThat(context.hasNoMoreSplits(0)).isTrue();
            assertThat(context.hasNoMoreSplits(1)).isTrue();
            assertThat(assigned(context)).containsExactly(tcp(9001));
        }
    }

    @Test
    void endpointsBoundToAHostGoToTheReaderOnThatHostOnceEveryReaderIsKnown() throws Exception {
        NetworkSource<String> source = builder()
                .udp("10.213.0.11", 9000).udp("10.213.0.12", 9000).udp("0.0.0.0", 9001).build();
        try (MockSplitEnumeratorContext<NetworkSplit> context = new MockSplitEnumeratorContext<>(2)) {
            SplitEnumerator<NetworkSplit, NetworkEnumeratorState> enumerator = source.createEnumerator(context);
            enumerator.start();
            // Subtask 0 runs on the second host: it is not the first endpoint's host, so that
            // endpoint waits (its own host's reader may still come); the wildcard endpoint
            // (preferred subtask 0) goes as today.
            register(context, enumerator, 0, "10.213.0.12");
            assertThat(assigned(context)).containsExactly(split("0.0.0.0", 9001, 0));
            register(context, enumerator, 1, "10.213.0.11");
            assertThat(assignedTo(context, 1)).containsExactly(split("10.213.0.11", 9000, 0));
            assertThat(assignedTo(context, 0)).containsExactlyInAnyOrder(split("0.0.0.0", 9001, 0),
                    split("10.213.0.12", 9000, 0));

            // Subtask 1 fails; its replacement lands on the same host and gets the endpoint back.
            context.unregisterReader(1);
            enumerator.addSplitsBack(List.of(split("10.213.0.11", 9000, 0)), 1);
            register(context, enumerator, 1, "10.213.0.11");
            assertThat(assignedTo(context, 1)).containsExactly(split("10.213.0.11", 9000, 0), split("10.213.0.11", 9000, 0));
        }
    }

    @Test
    void splitsARecoveredReaderReportsArePlacedAgainOnTheirHost() throws Exception {
        NetworkSource<String> source = builder().udp("10.213.0.11", 9000).udp("10.213.0.12", 9000).build();
        NetworkSplit h1 = split("10.213.0.11", 9000, 0);
        NetworkSplit h2 = split("10.213.0.12", 9000, 0);
        // Restored from a checkpoint in which subtask 0 read h1's endpoint and subtask 1 h2's; after
        // the loss of a TaskManager the subtasks came back on swapped hosts.
        NetworkEnumeratorState checkpoint = new NetworkEnumeratorState(true, Map.of());
        try (MockSplitEnumeratorContext<NetworkSplit> context = new MockSplitEnumeratorContext<>(2)) {
            SplitEnumerator<NetworkSplit, NetworkEnumeratorState> enumerator = source.restoreEnumerator(context, checkpoint);
            enumerator.start();
            context.registerReader(ReaderInfo.createReaderInfo(0, "10.213.0.12", List.of(h1)));
            enumerator.addReader(0);
            assertThat(assigned(context)).isEmpty(); // not its host: wait for every reader
            context.registerReader(ReaderInfo.createReaderInfo(1, "10.213.0.11", List.of(h2)));
            enumerator.addReader(1);
            assertThat(assignedTo(context, 0)).containsExactly(h2);
            assertThat(assignedTo(context, 1)).containsExactly(h1);
            assertThat(enumerator.snapshotState(5).unassigned()).isEmpty();
        }
    }

    @Test
    void multicastGroupsAndReusePortReplicasSpreadOverTheSubtasksOfTheirHosts() throws Exception {
        NetworkSource.Builder<String> b = builder();
        for (int g = 0; g < 4; g++) {
            String group = "239.2.1." + (150 + g);
            b.udp(UdpOptions.builder(9000).bindHost(group).multicast(group, "10.213.0.11,10.213.0.12").build());
        }
        NetworkSource<String> source = b.udp(UdpOptions.builder(9001).bindHost("10.213.0.11").reusePort(true).build())
                .build();
        try (MockSplitEnumeratorContext<NetworkSplit> context = new MockSplitEnumeratorContext<>(4)) {
            SplitEnumerator<NetworkSplit, NetworkEnumeratorState> enumerator = source.createEnumerator(context);
            enumerator.start();
            register(context, enumerator, 0, "10.213.0.11");
            register(context, enumerator, 1, "10.213.0.12");
            register(context, enumerator, 2, "10.213.0.99"); // a host that receives none of them
            register(context, enumerator, 3, "10.213.0.12");
            Map<Integer, List<NetworkSplit>> bySubtask = new java.util.TreeMap<>();
            for (int s = 0; s < 4; s++) {
                bySubtask.put(s, assignedTo(context, s));
            }
            assertThat(bySubtask.get(2)).isEmpty();
            // Four replicas of the reuse-port endpoint, all on its one host (subtask 0).
            assertThat(bySubtask.get(0)).filteredOn(sp -> sp.port() == 9001).hasSize(4);
            // Four groups, each on exactly one subtask, none on the foreign host, every subtask of
            // the two hosts holding at least one.
            List<NetworkSplit> groups = new ArrayList<>();
            bySubtask.values().forEach(l -> l.stream().filter(sp -> sp.port() == 9000).forEach(groups::add));
            assertThat(groups).hasSize(4).doesNotHaveDuplicates();
            for (int s : List.of(0, 1, 3)) {
                assertThat(bySubtask.get(s)).filteredOn(sp -> sp.port() == 9000).isNotEmpty();
            }
        }
    }

    @Test
    void anEndpointNoTaskManagerOwnsFailsTheJobAfterThePlacementTimeout() throws Exception {
        NetworkSource<String> source = builder().udp("10.213.0.77", 9000).placementTimeout(Duration.ZERO).build();
        try (MockSplitEnumeratorContext<NetworkSplit> context = new MockSplitEnumeratorContext<>(2)) {
            SplitEnumerator<NetworkSplit, NetworkEnumeratorState> enumerator = source.createEnumerator(context);
            enumerator.start();
            register(context, enumerator, 0, "10.213.0.11");
            register(context, enumerator, 1, "10.213.0.12"); // every reader known: the timeout runs
            assertThat(assigned(context)).isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> context.runPeriodicCallable(0))
                    .isInstanceOf(org.rawstream.sources.net.enumerator.EndpointPlacementException.class)
                    .hasMessageContaining("udp://10.213.0.77:9000")
                    .hasMessageContaining("taskmanager.host: 10.213.0.77");
        }
    }

    private static NetworkSplit split(String host, int port, int replica) {
        return new NetworkSplit(NetworkSplit.Transport.UDP, host, port, replica);
    }

    private static List<NetworkSplit> assignedTo(MockSplitEnumeratorContext<NetworkSplit> context, int subtask) {
        List<NetworkSplit> all = new ArrayList<>();
        for (SplitsAssignment<NetworkSplit> a : context.getSplitsAssignmentSequence()) {
            all.addAll(a.assignment().getOrDefault(subtask, List.of()));
        }
        return all;
    }

    private static void register(MockSplitEnumeratorContext<NetworkSplit> context,
            SplitEnumerator<NetworkSplit, NetworkEnumeratorState> enumerator, int subtask, String host) {
        context.registerReader(new ReaderInfo(subtask, host));
        enumerator.addReader(subtask);
    }

    @Test
    void serializersRoundTrip() throws Exception {
        NetworkSplit split = new NetworkSplit(NetworkSplit.Transport.UDP, "::1", 65535, 7);
        NetworkSplitSerializer s = NetworkSplitSerializer.INSTANCE;
        assertThat(s.deserialize(s.getVersion(), s.serialize(split))).isEqualTo(split);
        assertThat(split.splitId()).isEqualTo("udp://::1:65535#7");

        NetworkEnumeratorState state = new NetworkEnumeratorState(true, Map.of(0, List.of(split, tcp(1)), 3, List.of()));
        NetworkEnumeratorStateSerializer es = NetworkEnumeratorStateSerializer.INSTANCE;
        assertThat(es.deserialize(es.getVersion(), es.serialize(state))).isEqualTo(state);
        NetworkEnumeratorState initial = NetworkEnumeratorState.initial();
        assertThat(es.deserialize(es.getVersion(), es.serialize(initial))).isEqualTo(initial);
    }

    private static void register(MockSplitEnumeratorContext<NetworkSplit> context,
            SplitEnumerator<NetworkSplit, NetworkEnumeratorState> enumerator, int subtask) {
        context.registerReader(new ReaderInfo(subtask, "localhost"));
        enumerator.addReader(subtask);
    }

    private static List<NetworkSplit> assigned(MockSplitEnumeratorContext<NetworkSplit> context) {
        List<NetworkSplit> all = new ArrayList<>();
        for (SplitsAssignment<NetworkSplit> a : context.getSplitsAssignmentSequence()) {
            a.assignment().values().forEach(all::addAll);
        }
        return all;
    }
}
