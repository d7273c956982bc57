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
    private final String stateName;
    private final int version;
    private final int oldestReadableVersion;

    /**
     * @param stateName what the value is, for messages: "network source split"
     * @param version the version written now (Flink's version integer; RawStream's first ones are 1)
     * @param oldestReadableVersion the oldest version {@link #read} still reads
     */
    protected VersionedBytesSerializer(String stateName, int version, int oldestReadableVersion) {
        if (oldestReadableVersion < 1 || oldestReadableVersion > version) {
            throw new IllegalArgumentException(stateName + ": oldest readable version " + oldestReadableVersion
                    + " outside [1, " + version + "]");
        }
        this.stateName = stateName;
        this.version = version;
        this.oldestReadableVersion = oldestReadableVersion;
    }

    /** A serializer that reads only the version it writes. */
    protected VersionedBytesSerializer(String stateName, int version) {
        this(stateName, version, version);
    }

    /** What the value is, for messages: "network source split". */
    public final String stateName() {
        return stateName;
    }

    /** The version written now. */
    @Override
    public final int getVersion() {
        return version;
    }

    /** The oldest version {@link #read} still reads. */
    public final int oldestReadableVersion() {
        return oldestReadableVersion;
    }

    /** Writes {@code value} in {@link #getVersion()}. */
    protected abstract void write(T value, DataOutputStream out) throws IOException;

    /** Reads one value written in {@code version} (within the readable range, checked before). */
    protected abstract T read(int version, DataInputStream in) throws IOException;

    /**
     * Writes {@code value} in the current version as part of another value's layout (an enumerator
     * state holding splits); the enclosing serializer's version must change whenever this one's does.
     */
    public final void writeNested(T value, DataOutputStream out) throws IOException {
        write(value, out);
    }

    /** Reads a value that {@link #writeNested} wrote in the current version. */
    public final T readNested(DataInputStream in) throws IOException {
        return read(getVersion(), in);
    }

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
