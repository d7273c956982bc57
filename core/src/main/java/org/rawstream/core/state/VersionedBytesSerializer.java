package org.rawstream.core.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Base of RawStream's {@link SimpleVersionedSerializer}s (source splits, enumerator state, sink
 * committables and writer state). Flink stores {@link #getVersion()} in front of every value; this
 * class reads every version from {@link #oldestReadableVersion()} to the current one, refuses any
 * other with {@link StateFormats#cannotRead}, and refuses a value with bytes left over after its
 * layout (a layout changed without a version bump would otherwise be misread silently).
 */
public abstract class VersionedBytesSerializer<T> implements SimpleVersionedSerializer<T> {

    /** What the value is, for messages: "network source split". */
    public abstract String stateName();

    /** The version written now (Flink's version integer; RawStream's first ones are 1). */
    @Override
    public abstract int getVersion();

    /** The oldest version {@link #read} still reads. */
    public int oldestReadableVersion() {
        return getVersion();
    }

    /** Writes {@code value} in {@link #getVersion()}. */
    protected abstract void write(T value, DataOutputStream out) throws IOException;

    /** Reads one value written in {@code version} (within the readable range, checked before). */
    protected abstract T read(int version, DataInputStream in) throws IOException;

    @Override
    public final byte[] serialize(T value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(value, out);
        }
        return bytes.toByteArray();
    }

    @Override
    public final T deserialize(int version, byte[] serialized) throws IOException {
        if (version < oldestReadableVersion() || version > getVersion()) {
            throw new IOException(StateFormats.cannotRead(stateName(), version, oldestReadableVersion(), getVersion()));
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            T value = read(version, in);
            int left = in.available();
            if (left != 0) {
                throw new IOException("corrupt " + stateName() + " (version " + version + "): " + left
                        + " bytes after the value");
            }
            return value;
        }
    }
}
