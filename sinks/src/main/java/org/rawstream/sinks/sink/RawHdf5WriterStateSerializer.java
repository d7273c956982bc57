package org.rawstream.sinks.sink;

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
        return VersionedBytes.write(out -> {
            out.writeUTF(state.lineage());
            out.writeInt(state.subtask());
            out.writeLong(state.checkpointId());
        });
    }

    @Override
    public RawHdf5WriterState deserialize(int version, byte[] serialized) throws IOException {
        return VersionedBytes.read("RawHdf5WriterState", VERSION, version, serialized,
                in -> new RawHdf5WriterState(in.readUTF(), in.readInt(), in.readLong()));
    }
}
