package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MulticastGroupsTest {

    @Test
    void parsesListsAndRangesInTheSpeadNotation() {
        assertThat(MulticastGroups.parse("")).isEmpty();
        assertThat(MulticastGroups.parse("239.2.1.150+3, 239.9.9.9")).containsExactly(
                "239.2.1.150", "239.2.1.151", "239.2.1.152", "239.2.1.153", "239.9.9.9");
        assertThat(MulticastGroups.parse("239.2.1.150+15")).hasSize(16).endsWith("239.2.1.165");
        assertThat(MulticastGroups.parse("239.0.0.255+1")).containsExactly("239.0.0.255", "239.0.1.0");
        assertThat(MulticastGroups.parse("239.1.1.1,239.1.1.1+1")).containsExactly("239.1.1.1", "239.1.1.2");
    }

    @Test
    void rejectsWhatIsNotAGroup() {
        assertThatThrownBy(() -> MulticastGroups.parse("10.0.0.1")).hasMessageContaining("not a multicast address");
        assertThatThrownBy(() -> MulticastGroups.parse("239.255.255.255+1")).hasMessageContaining("not a multicast address");
        assertThatThrownBy(() -> MulticastGroups.parse("239.1.1.1+x")).hasMessageContaining("ADDRESS+N");
        assertThatThrownBy(() -> MulticastGroups.parse("239.1.1.1+5000")).hasMessageContaining("N must be");
        assertThatThrownBy(() -> MulticastGroups.parse("group.example")).hasMessageContaining("not an IP address");
    }

    @Test
    void receivingHostsFollowTheBindAddressOrTheJoinInterfaces() {
        assertThat(UdpOptions.builder(1).build().receivingHosts()).isEmpty();
        assertThat(UdpOptions.builder(1).bindHost("0.0.0.0").build().receivingHosts()).isEmpty();
        assertThat(UdpOptions.builder(1).bindHost("::1").build().receivingHosts()).isEmpty();
        assertThat(UdpOptions.builder(1).bindHost("10.1.2.3").build().receivingHosts()).containsExactly("10.1.2.3");
        assertThat(TcpOptions.builder(1).bindHost("capture-1").build().receivingHosts()).containsExactly("capture-1");
        UdpOptions.Builder group = UdpOptions.builder(1).bindHost("239.1.1.1");
        assertThat(group.multicast("239.1.1.1", null).build().receivingHosts()).isEmpty();
        assertThat(group.multicast("239.1.1.1", "eth1").build().receivingHosts()).isEmpty();
        assertThat(group.multicast("239.1.1.1", "10.0.0.1, 10.0.0.2").build().receivingHosts())
                .isEqualTo(Set.of("10.0.0.1", "10.0.0.2"));
        assertThat(HostAddresses.list(" a, ,b ")).isEqualTo(List.of("a", "b"));
    }
}
