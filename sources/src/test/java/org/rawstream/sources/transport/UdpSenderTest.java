package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A UDP sender behaves like a device: datagrams to a port nobody listens on are lost, not fatal. */
class UdpSenderTest {
    @Test
    void keepsSendingWhenNobodyListens() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // On loopback the ICMP port-unreachable of one datagram arrives before the next write,
        // which would throw PortUnreachableException on a connected channel.
        UdpSender.Result result = UdpSender.to("127.0.0.1", port).build().send(List.of(new byte[] {1, 2, 3}), 200);
        assertThat(result.datagrams).isEqualTo(200);
    }
}
