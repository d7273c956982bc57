package org.rawstream.sinks.sink;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.rawstream.core.state.VersionedSerializer;
import org.rawstream.core.state.VersionedSerializerSnapshot;

/**
 * Explicit serializer for {@link RawMessage}: modified-UTF-8 source name, one unsigned byte
 * io group, int length, the bytes (format 0). Stateless, so one instance serves every thread.
 */
public final class RawMessageSerializer extends VersionedSerializer<RawMessage> {
    private static final long serialVersionUID = 1L;

    public static final RawMessageSerializer INSTANCE = new RawMessageSerializer();

    private static final byte[] EMPTY = new byte[0];

    private RawMessageSerializer() {}

    @Override
    public String stateName() {
        return "RawMessage record";
    }

    @Override
    public int currentFormat() {
        return 0;
    }

    @Override
    public boolean isImmutableType() {
        // A leased RawMessage stops being readable when its producer releases it (see its class
        // comment): copies are real for those. Owned messages never change, so they are their own copy.
        return false;
    }

    @Override
    public RawMessage createInstance() {
        return new RawMessage("", 0, EMPTY);
    }

    @Override
    public RawMessage copy(RawMessage from) {
        return from.copy();
    }

    @Override
    public RawMessage copy(RawMessage from, RawMessage reuse) {
        return from.copy();
    }

    @Override
    public void serialize(RawMessage record, DataOutputView target) throws IOException {
        target.writeUTF(record.source());
        target.writeByte(record.ioGroup());
        // A leased message is encoded into a temporary array here: the chained path (the job's
        // default) never serializes messages.
        byte[] bytes = record.bytes();
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public RawMessage deserialize(int format, DataInputView source) throws IOException {
        String name = source.readUTF();
        int ioGroup = source.readUnsignedByte();
        int length = source.readInt();
        if (length < 0) {
            throw new IOException("corrupt RawMessage: negative length " + length);
        }
        byte[] bytes = new byte[length];
        source.readFully(bytes);
        return new RawMessage(name, ioGroup, bytes);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        target.writeUTF(source.readUTF());
        target.writeByte(source.readUnsignedByte());
        int length = source.readInt();
        if (length < 0) {
            throw new IOException("corrupt RawMessage: negative length " + length);
        }
        target.writeInt(length);
        // Through a buffer: write(DataInputView, int) does not grow every DataOutputView.
        byte[] bytes = new byte[length];
        source.readFully(bytes);
        target.write(bytes);
    }

    @Override
    public VersionedSerializerSnapshot<RawMessage> snapshotConfiguration() {
        return new RawMessageSerializerSnapshot();
    }
}
