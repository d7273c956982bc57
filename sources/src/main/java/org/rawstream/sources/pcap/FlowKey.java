package org.rawstream.sources.pcap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One direction of a UDP or TCP flow: source and destination address and port. The replay keeps
 * one mutable instance as a lookup probe (set from each packet's headers, no allocation) and
 * stores {@link #copy() copies} as map keys.
 */
public final class FlowKey {
    private final byte[] source = new byte[16];
    private final byte[] destination = new byte[16];
    private int addressLength;
    private int sourcePort;
    private int destinationPort;
    private int hash;

    public FlowKey() {
    }

    public FlowKey(InetSocketAddress from, InetSocketAddress to) {
        byte[] s = from.getAddress().getAddress();
        byte[] d = to.getAddress().getAddress();
        if (s.length != d.length) {
            throw new IllegalArgumentException("mixed address families: " + from + " -> " + to);
        }
        set(s, d, s.length, from.getPort(), to.getPort());
    }

    /** Sets this probe to the packet's flow ({@code reversed}: the opposite direction). */
    public FlowKey set(PacketHeaders h, boolean reversed) {
        return reversed ? set(h.destination(), h.source(), h.addressLength(), h.destinationPort(), h.sourcePort())
                : set(h.source(), h.destination(), h.addressLength(), h.sourcePort(), h.destinationPort());
    }

    public FlowKey set(byte[] src, byte[] dst, int length, int srcPort, int dstPort) {
        System.arraycopy(src, 0, source, 0, length);
        System.arraycopy(dst, 0, destination, 0, length);
        Arrays.fill(source, length, 16, (byte) 0);
        Arrays.fill(destination, length, 16, (byte) 0);
        addressLength = length;
        sourcePort = srcPort;
        destinationPort = dstPort;
        int h = length;
        for (int i = 0; i < length; i++) {
            h = 31 * h + source[i];
            h = 31 * h + destination[i];
        }
        hash = 31 * (31 * h + srcPort) + dstPort;
        return this;
    }

    public FlowKey copy() {
        return new FlowKey().set(source, destination, addressLength, sourcePort, destinationPort);
    }

    public int addressLength() { return addressLength; }
    public int sourcePort() { return sourcePort; }
    public int destinationPort() { return destinationPort; }

    public byte[] sourceAddress() {
        return Arrays.copyOf(source, addressLength);
    }

    public byte[] destinationAddress() {
        return Arrays.copyOf(destination, addressLength);
    }

    public InetSocketAddress sourceSocket() {
        return new InetSocketAddress(address(source), sourcePort);
    }

    public InetSocketAddress destinationSocket() {
        return new InetSocketAddress(address(destination), destinationPort);
    }

    private InetAddress address(byte[] a) {
        try {
            return InetAddress.getByAddress(Arrays.copyOf(a, addressLength));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FlowKey)) {
            return false;
        }
        FlowKey k = (FlowKey) o;
        return hash == k.hash && addressLength == k.addressLength && sourcePort == k.sourcePort
                && destinationPort == k.destinationPort && Arrays.equals(source, k.source)
                && Arrays.equals(destination, k.destination);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return sourceSocket() + "->" + destinationSocket();
    }
}
