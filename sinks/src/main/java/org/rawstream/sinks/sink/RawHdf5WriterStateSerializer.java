package org.rawstream.sinks.sink;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.rawstream.core.state.VersionedBytesSerializer;

/** Versioned serializer of {@link RawHdf5WriterState}; version 1: lineage, subtask, checkpoint id. */
public final class RawHdf5WriterStateSerializer extends VersionedBytesSerializer<RawHdf5WriterState> {
    static final int VERSION = 1;

    public RawHdf5WriterStateSerializer() {
        super("raw-HDF5 sink writer state", VERSION);
    }

    @Override
    protected void write(RawHdf5WriterState state, DataOutputStream out) throws IOException {
        out.writeUTF(state.lineage());
        out.writeInt(state.subtask());
        out.writeLong(state.checkpointId());
    }

    @Override
    protected RawHdf5WriterState read(int version, DataInputStream in) throws IOException {
        return new RawHdf5WriterState(in.readUTF(), in.readInt(), in.readLong());
    }
}
