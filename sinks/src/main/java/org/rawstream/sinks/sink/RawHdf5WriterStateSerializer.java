package org.rawstream.sinks.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Versioned serializer of {@link RawHdf5WriterState}. */
public final class RawHdf5WriterStateSerializer implements SimpleVersionedSerializer<RawHdf5WriterState> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(RawHdf5WriterState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(state.lineage());
            out.writeInt(state.subtask());
            out.writeLong(state.checkpointId());
        }
        return bytes.toByteArray();
    }

    @Override
    public RawHdf5WriterState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown RawHdf5WriterState serializer version " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return new RawHdf5WriterState(in.readUTF(), in.readInt(), in.readLong());
        }
    }
}
