package org.rawstream.sinks.sink;

import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Versioned serializer of {@link RawFileCommittable} (checkpointed in the committer's state). */
public final class RawFileCommittableSerializer implements SimpleVersionedSerializer<RawFileCommittable> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(RawFileCommittable c) throws IOException {
        return VersionedBytes.write(out -> {
            out.writeUTF(c.source());
            out.writeUTF(c.hiddenName());
            out.writeUTF(c.visibleName());
            out.writeLong(c.messageCount());
            out.writeLong(c.payloadBytes());
            out.writeLong(c.closedAtMillis());
        });
    }

    @Override
    public RawFileCommittable deserialize(int version, byte[] serialized) throws IOException {
        return VersionedBytes.read("RawFileCommittable", VERSION, version, serialized, in -> new RawFileCommittable(
                in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(), in.readLong(), in.readLong()));
    }
}
