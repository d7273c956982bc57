package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rawstream.job.config.InvalidSettingException;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Setting;
import org.rawstream.job.config.Settings;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.NetworkKindOptions;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.job.spead.SpeadSourceKind;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.transport.EndpointOptions;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.UdpOptions;

/**
 * Every network source kind has the same endpoint settings, defined once, and derives its endpoints
 * from them in one place; each kind checks its settings when the configuration is read.
 */
class NetworkEndpointsTest {
    private static final List<String> UDP = List.of("spead-udp", "odin-udp", "msgpack-udp");
    private static final List<String> TCP = List.of("spead-tcp", "odin-tcp", "echo-tcp", "msgpack-tcp");

    private static JobConfig config(String type, Map<String, String> options) {
        Settings s = JobConfig.defaults().set(JobConfig.SOURCES, "n", "test").set("source.n.type", type, "test");
        options.forEach((k, v) -> s.set("source.n." + k, v, "test"));
        return JobConfig.from(s);
    }

    private static SourceConfig source(String type, Map<String, String> options) {
        return config(type, options).sources().get(0);
    }

    private static List<EndpointOptions> endpoints(SourceConfig s) {
        return SourceKinds.get(s.type()).endpoints(s);
    }

    @Test
    void everyNetworkKindHasTheSharedEndpointSettings() {
        for (String type : UDP) {
            assertThat(keys(SourceKinds.get(type))).as(type).contains("bind-host", "port", "receive-buffer", "reuse-port",
                    "receive-mode", "multicast-group", "multicast-interface", "handover-bytes", "shed-at", "placement-timeout",
                    "stop-when-idle", "first-data-timeout").doesNotContain("host", "max-connections");
        }
        for (String type : TCP) {
            assertThat(keys(SourceKinds.get(type))).as(type).contains("bind-host", "port", "receive-buffer",
                    "max-connections", "idle-timeout", "frame-timeout", "handover-bytes", "shed-at", "placement-timeout",
                    "stop-when-idle", "first-data-timeout").doesNotContain("host", "reuse-port", "receive-mode", "multicast-group");
        }
        // One definition: the kinds' settings are the shared ones (a kind changes a default at most).
        for (String type : List.of("odin-udp", "spead-udp", "msgpack-udp")) {
            Setting<?> bindHost = SourceKinds.get(type).settings().stream()
                    .filter(s -> s.key().equals("bind-host")).findFirst().orElseThrow();
            assertThat(bindHost).isSameAs(NetworkKindOptions.BIND_HOST);
        }
    }

    @Test
    void udpEndpointsOfAnyKindComeFromTheSameSettings() {
        for (String type : UDP) {
            SourceConfig s = source(type, Map.of("bind-host", "10.1.2.11,10.1.2.12", "port", "7300",
                    "reuse-port", "true", "receive-buffer", "8mb", "receive-mode", "plain"));
            assertThat(endpoints(s)).as(type).hasSize(2).allSatisfy(e -> {
                UdpOptions udp = (UdpOptions) e;
                assertThat(udp.port()).isEqualTo(7300);
                assertThat(udp.reusePort()).isTrue();
                assertThat(udp.receiveBufferBytes()).isEqualTo(8 << 20);
                assertThat(udp.receiveMode()).isEqualTo(UdpOptions.ReceiveMode.PLAIN);
            });
            assertThat(endpoints(source(type, Map.of()))).as(type).allSatisfy(e ->
                    assertThat(((UdpOptions) e).receiveMode()).isEqualTo(UdpOptions.ReceiveMode.AUTO));
            SourceConfig groups = source(type, Map.of("multicast-group", "239.2.1.150+1", "multicast-interface", "lo"));
            assertThat(endpoints(groups)).extracting(EndpointOptions::bindHost).containsExactly("239.2.1.150", "239.2.1.151");
        }
    }

    @Test
    void tcpEndpointsOfAnyKindComeFromTheSameSettings() {
        for (String type : TCP) {
            TcpOptions plain = (TcpOptions) endpoints(source(type, Map.of())).get(0);
            assertThat(plain.bindHost()).isEqualTo("127.0.0.1");
            assertThat(plain.receiveBufferBytes()).as("unset = the system's default").isZero();
            TcpOptions tuned = (TcpOptions) endpoints(source(type, Map.of("receive-buffer", "4mb", "max-connections", "3",
                    "idle-timeout", "5s"))).get(0);
            assertThat(tuned.receiveBufferBytes()).isEqualTo(4 << 20);
            assertThat(tuned.maxConnections()).isEqualTo(3);
            assertThat(tuned.idleTimeoutMillis()).isEqualTo(5000);
        }
        assertThat(((TcpOptions) endpoints(source("spead-tcp", Map.of())).get(0)).maxConnections())
                .as("SPEAD over TCP keeps its own default").isEqualTo(64);
    }

    @Test
    void speadsHostIsAnOldNameOfBindHostWithOneWarning() {
        JobConfig config = config("spead-udp", Map.of("host", "0.0.0.0"));
        assertThat(endpoints(config.sources().get(0))).extracting(EndpointOptions::bindHost).containsExactly("0.0.0.0");
        assertThat(config.sources().get(0).options()).containsEntry("bind-host", "0.0.0.0").doesNotContainKey("host");
        assertThat(config.warnings()).containsExactly("source.n.host is deprecated: use source.n.bind-host");
        assertThatThrownBy(() -> config("spead-udp", Map.of("host", "0.0.0.0", "bind-host", "127.0.0.1")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("source.n.host and source.n.bind-host are both set");
        assertThat(config("odin-udp", Map.of("host", "0.0.0.0")).warnings()).as("every kind reads the old name")
                .hasSize(1);
    }

    @Test
    void everyKindRefusesABadSettingWhenTheConfigIsRead() {
        assertThatThrownBy(() -> config("odin-udp", Map.of("reuse-port", "yes")))
                .hasMessage("source.n.reuse-port = yes: not true or false");
        assertThatThrownBy(() -> config("echo-tcp", Map.of("ack", "later")))
                .hasMessage("source.n.ack = later: not one of received | durable");
        assertThatThrownBy(() -> config("msgpack-udp", Map.of("multicast-group", "10.0.0.1")))
                .hasMessageStartingWith("source n: multicast-group");
        assertThatThrownBy(() -> config("spead-udp", Map.of("first-data-timeout", "0s")))
                .hasMessageStartingWith("source.n.first-data-timeout = 0s: not a duration");
        assertThatThrownBy(() -> config("spead-tcp", Map.of("incomplete-heaps", "keep")))
                .hasMessage("source.n.incomplete-heaps = keep: not one of deliver | drop");
        assertThatThrownBy(() -> config("odin-tcp", Map.of("bind-host", " ,")))
                .hasMessageStartingWith("source.n.bind-host = ,");
        assertThatThrownBy(() -> config("msgpack-tcp", Map.of("max-depth", "-1")))
                .hasMessageStartingWith("source.n.max-depth = -1");
    }

    @Test
    void speadsDefaultsAreTheAssemblyLibrarysAndReorderTimeoutStaysIndependent() {
        SpeadAssemblyConfig library = SpeadAssemblyConfig.builder().build();
        SpeadAssemblyConfig job = SpeadSourceKind.assemblyConfig(source("spead-udp", Map.of()));
        assertThat(job.maxHeapSize()).isEqualTo(library.maxHeapSize());
        assertThat(job.maxLiveHeaps()).isEqualTo(library.maxLiveHeaps());
        assertThat(job.heapTimeoutMillis()).isEqualTo(library.heapTimeoutMillis());
        assertThat(job.reorderTimeoutMillis()).isEqualTo(library.reorderTimeoutMillis());
        assertThat(job.liveHeapMemory()).isEqualTo(library.liveHeapMemory());
        SourceConfig s = source("spead-udp", Map.of("heap-timeout", "5s"));
        assertThat(SpeadSourceKind.assemblyConfig(s).reorderTimeoutMillis()).as("as the job always had it").isEqualTo(2000);
        assertThat(SpeadSourceKind.assemblyConfig(source("spead-udp", Map.of("reorder-timeout", "300ms")))
                .reorderTimeoutMillis()).isEqualTo(300);
    }

    @Test
    void startupChecksSeeTheKindsEndpoints() {
        List<StartupChecks.Endpoint> endpoints = StartupChecks.endpoints(List.of(
                source("odin-udp", Map.of("bind-host", "127.0.0.1,127.0.0.2", "port", "9600", "reuse-port", "true")),
                source("msgpack-tcp", Map.of("port", "9600"))));
        assertThat(endpoints).extracting(StartupChecks.Endpoint::describe).containsExactly(
                "source.n.port = 9600 (UDP on 127.0.0.1)", "source.n.port = 9600 (UDP on 127.0.0.2)",
                "source.n.port = 9600 (TCP on 127.0.0.1)");
        assertThat(endpoints.get(0).reusePort()).isTrue();
        StartupChecks.checkPortsUnique(endpoints); // UDP and TCP on one port do not collide
        assertThat(StartupChecks.endpoints(List.of(source("generator", Map.of())))).isEmpty();
    }

    private static List<String> keys(SourceKind kind) {
        return kind.settings().stream().map(Setting::key).toList();
    }
}
