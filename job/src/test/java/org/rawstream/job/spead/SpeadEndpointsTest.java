package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.sources.transport.EndpointOptions;
import org.rawstream.sources.transport.UdpOptions;

class SpeadEndpointsTest {

    private static SourceConfig source(String type, Map<String, String> options) {
        return JobConfig.from(SpeadJobTestSupport.settings(Path.of("out"), "sp", type, 7148, "2", options)).sources().get(0);
    }

    private static List<String> endpoints(SourceConfig s) {
        return endpointsOf(s).stream().map(e -> e.bindHost() + ":" + e.port()).collect(Collectors.toList());
    }

    private static List<EndpointOptions> endpointsOf(SourceConfig s) {
        return SourceKinds.get(s.type()).endpoints(s);
    }

    @Test
    void oneEndpointPerHostOrPerGroupJoinedOnTheHostsInterfaces() {
        SourceConfig hosts = source("spead-udp", Map.of("source.sp.host", "10.1.2.11, 10.1.2.12"));
        assertThat(endpoints(hosts)).containsExactly("10.1.2.11:7148", "10.1.2.12:7148");
        assertThat(SpeadSourceKind.chained(hosts)).isFalse();

        SourceConfig groups = source("spead-udp", Map.of("source.sp.host", "10.1.2.11,10.1.2.12",
                "source.sp.multicast-group", "239.2.1.150+3"));
        List<EndpointOptions> e = endpointsOf(groups);
        assertThat(endpoints(groups)).containsExactly("239.2.1.150:7148", "239.2.1.151:7148", "239.2.1.152:7148",
                "239.2.1.153:7148");
        assertThat(((UdpOptions) e.get(0)).multicastInterface()).isEqualTo("10.1.2.11,10.1.2.12");
        assertThat(e.get(0).receivingHosts()).containsExactlyInAnyOrder("10.1.2.11", "10.1.2.12");

        SourceConfig named = source("spead-udp", Map.of("source.sp.multicast-group", "239.2.1.150",
                "source.sp.multicast-interface", "eth1"));
        assertThat(((UdpOptions) endpointsOf(named).get(0)).multicastInterface()).isEqualTo("eth1");
        assertThat(SpeadSourceKind.chained(named)).isTrue(); // one group, joined on a name: any host

        assertThat(endpoints(source("spead-tcp", Map.of("source.sp.host", "10.1.2.11,10.1.2.12"))))
                .containsExactly("10.1.2.11:7148", "10.1.2.12:7148");
    }

    @Test
    void defaultsKeepTodaysSingleLoopbackEndpointChained() {
        SourceConfig plain = source("spead-udp", Map.of());
        assertThat(endpoints(plain)).containsExactly("127.0.0.1:7148");
        assertThat(SpeadSourceKind.chained(plain)).isTrue();
        assertThatThrownBy(() -> SpeadSourceKind.chained(source("spead-udp",
                Map.of("source.sp.host", "10.1.2.11", "source.sp.chain-assembly", "true"))))
                .hasMessageContaining("chain-assembly");
        assertThatThrownBy(() -> endpointsOf(source("spead-udp",
                Map.of("source.sp.multicast-group", "10.0.0.1")))).hasMessageContaining("source sp");
    }
}
