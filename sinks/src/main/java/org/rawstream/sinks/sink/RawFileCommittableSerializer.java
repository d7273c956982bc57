package org.rawstream.sinks.sink;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.rawstream.core.state.VersionedBytesSerializer;

/**
 * Versioned serializer of {@link RawFileCommittable} (checkpointed in the committer's state);
 * version 1: source, hidden name, visible name, message count, payload bytes, closed-at millis.
 */
public final class RawFileCommittableSerializer extends VersionedBytesSerializer<RawFileCommittable> {
    static final int VERSION = 1;

    public RawFileCommittableSerializer() {
        super("raw-HDF5 sink committable", VERSION);
    }

    @Override
    protected void write(RawFileCommittable c, DataOutputStream out) throws IOException {
        out.writeUTF(c.source());
        out.writeUTF(c.hiddenName());
        out.writeUTF(c.visibleName());
        out.writeLong(c.messageCount());
        out.writeLong(c.payloadBytes());
        out.writeLong(c.closedAtMillis());
    }

    @Override
    protected RawFileCommittable read(int version, DataInputStream in) throws IOException {
        return new RawFileCommittable(in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(), in.readLong(), in.readLong());
    }
}
