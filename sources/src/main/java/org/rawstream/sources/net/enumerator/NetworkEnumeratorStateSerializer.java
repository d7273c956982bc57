package org.rawstream.sources.net.enumerator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rawstream.core.state.VersionedBytesSerializer;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.net.split.NetworkSplitSerializer;

/**
 * Serializes {@link NetworkEnumeratorState}; version 1: splits created, then per owning subtask
 * its unassigned splits (in the split serializer's version 1 layout).
 */
public final class NetworkEnumeratorStateSerializer extends VersionedBytesSerializer<NetworkEnumeratorState> {
    public static final NetworkEnumeratorStateSerializer INSTANCE = new NetworkEnumeratorStateSerializer();
    private static final int VERSION = 1;

    private NetworkEnumeratorStateSerializer() {
        super("network source enumerator state", VERSION);
    }

    @Override
    protected void write(NetworkEnumeratorState state, DataOutputStream out) throws IOException {
        out.writeBoolean(state.splitsCreated());
        out.writeInt(state.unassigned().size());
        for (Map.Entry<Integer, List<NetworkSplit>> e : state.unassigned().entrySet()) {
            out.writeInt(e.getKey());
            out.writeInt(e.getValue().size());
            for (NetworkSplit split : e.getValue()) {
                NetworkSplitSerializer.INSTANCE.writeNested(split, out);
            }
        }
    }

    @Override
    protected NetworkEnumeratorState read(int version, DataInputStream in) throws IOException {
        boolean created = in.readBoolean();
        int owners = in.readInt();
        Map<Integer, List<NetworkSplit>> unassigned = new TreeMap<>();
        for (int i = 0; i < owners; i++) {
            int subtask = in.readInt();
            int count = in.readInt();
            List<NetworkSplit> splits = new ArrayList<>(count);
            for (int j = 0; j < count; j++) {
                splits.add(NetworkSplitSerializer.INSTANCE.readNested(in));
            }
            unassigned.put(subtask, splits);
        }
        return new NetworkEnumeratorState(created, unassigned);
    }
}
