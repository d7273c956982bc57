package org.rawstream.sources.net.split;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.rawstream.core.state.VersionedBytesSerializer;

/** Serializes {@link NetworkSplit}s; version 1: transport, host, port, replica. */
public final class NetworkSplitSerializer extends VersionedBytesSerializer<NetworkSplit> {
    public static final NetworkSplitSerializer INSTANCE = new NetworkSplitSerializer();
    private static final int VERSION = 1;

    private NetworkSplitSerializer() {
        super("network source split", VERSION);
    }

    @Override
    protected void write(NetworkSplit split, DataOutputStream out) throws IOException {
        out.writeByte(split.transport().ordinal());
        out.writeUTF(split.host());
        out.writeInt(split.port());
        out.writeInt(split.replica());
    }

    @Override
    protected NetworkSplit read(int version, DataInputStream in) throws IOException {
        int t = in.readUnsignedByte();
        NetworkSplit.Transport[] transports = NetworkSplit.Transport.values();
        if (t >= transports.length) {
            throw new IOException("unknown transport " + t);
        }
        return new NetworkSplit(transports[t], in.readUTF(), in.readInt(), in.readInt());
    }
}
