package org.rawstream.sources.net.split;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Serializes {@link NetworkSplit}s: transport, host, port, replica. */
public final class NetworkSplitSerializer implements SimpleVersionedSerializer<NetworkSplit> {
    public static final NetworkSplitSerializer INSTANCE = new NetworkSplitSerializer();
    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(NetworkSplit split) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(split, out);
        }
        return bytes.toByteArray();
    }

    @Override
    public NetworkSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown NetworkSplit serializer version " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return read(in);
        }
    }

    /** Also used by the enumerator state serializer. */
    public static void write(NetworkSplit split, DataOutputStream out) throws IOException {
        out.writeByte(split.transport().ordinal());
        out.writeUTF(split.host());
        out.writeInt(split.port());
        out.writeInt(split.replica());
    }

    public static NetworkSplit read(DataInputStream in) throws IOException {
        int t = in.readUnsignedByte();
        NetworkSplit.Transport[] transports = NetworkSplit.Transport.values();
        if (t >= transports.length) {
            throw new IOException("unknown transport " + t);
        }
        return new NetworkSplit(transports[t], in.readUTF(), in.readInt(), in.readInt());
    }
}
