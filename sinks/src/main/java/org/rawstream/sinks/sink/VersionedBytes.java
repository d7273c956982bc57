package org.rawstream.sinks.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** The byte plumbing shared by the sink's small versioned serializers. */
final class VersionedBytes {
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private VersionedBytes() {}

    static byte[] write(Writer writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        }
        return bytes.toByteArray();
    }

    static <T> T read(String what, int expectedVersion, int version, byte[] serialized, Reader<T> reader)
            throws IOException {
        if (version != expectedVersion) {
            throw new IOException("unknown " + what + " serializer version " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return reader.read(in);
        }
    }
}
