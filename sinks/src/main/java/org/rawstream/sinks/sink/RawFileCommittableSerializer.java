package org.rawstream.sinks.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(c.source());
            out.writeUTF(c.hiddenName());
            out.writeUTF(c.visibleName());
            out.writeLong(c.messageCount());
            out.writeLong(c.payloadBytes());
            out.writeLong(c.closedAtMillis());
        }
        return bytes.toByteArray();
    }

    @Override
    public RawFileCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown RawFileCommittable serializer version " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return new RawFileCommittable(
                    in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(), in.readLong(), in.readLong());
        }
    }
}
