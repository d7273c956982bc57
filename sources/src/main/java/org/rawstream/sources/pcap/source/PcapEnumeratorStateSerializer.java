package org.rawstream.sources.pcap.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** The enumerator's state: the files not assigned yet (version 1: count, then each split). */
public final class PcapEnumeratorStateSerializer implements SimpleVersionedSerializer<List<PcapSplit>> {
    public static final PcapEnumeratorStateSerializer INSTANCE = new PcapEnumeratorStateSerializer();
    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(List<PcapSplit> pending) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(pending.size());
            for (PcapSplit s : pending) {
                PcapSplitSerializer.write(s, out);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public List<PcapSplit> deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown pcap enumerator state version " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            int n = in.readInt();
            List<PcapSplit> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                pending.add(PcapSplitSerializer.read(in));
            }
            return pending;
        }
    }
}
