package org.rawstream.sources.pcap.source;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.rawstream.core.state.VersionedBytesSerializer;

/** The enumerator's state: the files not assigned yet (version 1: count, then each split). */
public final class PcapEnumeratorStateSerializer extends VersionedBytesSerializer<List<PcapSplit>> {
    public static final PcapEnumeratorStateSerializer INSTANCE = new PcapEnumeratorStateSerializer();
    private static final int VERSION = 1;

    private PcapEnumeratorStateSerializer() {
        super("pcap source enumerator state", VERSION);
    }

    @Override
    protected void write(List<PcapSplit> pending, DataOutputStream out) throws IOException {
        out.writeInt(pending.size());
        for (PcapSplit s : pending) {
            PcapSplitSerializer.INSTANCE.writeNested(s, out);
        }
    }

    @Override
    protected List<PcapSplit> read(int version, DataInputStream in) throws IOException {
        int n = in.readInt();
        List<PcapSplit> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(PcapSplitSerializer.INSTANCE.readNested(in));
        }
        return pending;
    }
}
