package org.rawstream.sources.pcap.source;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rawstream.core.state.VersionedBytesSerializer;
import org.rawstream.sources.pcap.FlowKey;
import org.rawstream.sources.pcap.ReplayPosition;

/**
 * Version 1: path (UTF), anchor offset, connections before, record count after the anchor, then
 * the UDP senders (count; each: address length, source and destination address, ports).
 */
public final class PcapSplitSerializer extends VersionedBytesSerializer<PcapSplit> {
    public static final PcapSplitSerializer INSTANCE = new PcapSplitSerializer();
    private static final int VERSION = 1;

    private PcapSplitSerializer() {
        super("pcap source split", VERSION);
    }

    @Override
    protected void write(PcapSplit split, DataOutputStream out) throws IOException {
        ReplayPosition p = split.position();
        out.writeUTF(split.path());
        out.writeLong(p.anchorOffset());
        out.writeLong(p.connectionsBefore());
        out.writeLong(p.recordsAfterAnchor());
        out.writeInt(p.udpSenders().size());
        for (FlowKey k : p.udpSenders()) {
            out.writeByte(k.addressLength());
            out.write(k.sourceAddress());
            out.write(k.destinationAddress());
            out.writeShort(k.sourcePort());
            out.writeShort(k.destinationPort());
        }
    }

    @Override
    protected PcapSplit read(int version, DataInputStream in) throws IOException {
        String path = in.readUTF();
        long anchor = in.readLong();
        long connections = in.readLong();
        long records = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > 1 << 20) {
            throw new IOException("corrupt pcap split: " + n + " udp senders");
        }
        List<FlowKey> senders = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = in.readUnsignedByte();
            if (len != 4 && len != 16) {
                throw new IOException("corrupt pcap split: address length " + len);
            }
            byte[] src = new byte[len];
            byte[] dst = new byte[len];
            in.readFully(src);
            in.readFully(dst);
            int sport = in.readUnsignedShort();
            int dport = in.readUnsignedShort();
            senders.add(new FlowKey(new InetSocketAddress(InetAddress.getByAddress(src), sport),
                    new InetSocketAddress(InetAddress.getByAddress(dst), dport)));
        }
        return new PcapSplit(path, new ReplayPosition(anchor, connections, Collections.unmodifiableList(senders), records));
    }
}
