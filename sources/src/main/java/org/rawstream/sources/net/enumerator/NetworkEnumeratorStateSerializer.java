package org.rawstream.sources.net.enumerator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.net.split.NetworkSplitSerializer;

/** Serializes {@link NetworkEnumeratorState}. */
public final class NetworkEnumeratorStateSerializer implements SimpleVersionedSerializer<NetworkEnumeratorState> {
    public static final NetworkEnumeratorStateSerializer INSTANCE = new NetworkEnumeratorStateSerializer();
    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(NetworkEnumeratorState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeBoolean(state.splitsCreated());
            out.writeInt(state.unassigned().size());
            for (Map.Entry<Integer, List<NetworkSplit>> e : state.unassigned().entrySet()) {
                out.writeInt(e.getKey());
                out.writeInt(e.getValue().size());
                for (NetworkSplit split : e.getValue()) {
                    NetworkSplitSerializer.write(split, out);
                }
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public NetworkEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown NetworkEnumeratorState serializer version " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            boolean created = in.readBoolean();
            int owners = in.readInt();
            Map<Integer, List<NetworkSplit>> unassigned = new TreeMap<>();
            for (int i = 0; i < owners; i++) {
                int subtask = in.readInt();
                int count = in.readInt();
                List<NetworkSplit> splits = new ArrayList<>(count);
                for (int j = 0; j < count; j++) {
                    splits.add(NetworkSplitSerializer.read(in));
                }
                unassigned.put(subtask, splits);
            }
            return new NetworkEnumeratorState(created, unassigned);
        }
    }
}
