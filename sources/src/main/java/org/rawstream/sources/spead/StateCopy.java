package org.rawstream.sources.spead;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Deep copies of the assembly state classes through their own byte serialisation. */
final class StateCopy {

    /** Writes a value. */
    interface Writer {
        void writeTo(DataOutput out) throws IOException;
    }

    /** Reads a value back. */
    interface Reader<T> {
        T readFrom(DataInput in) throws IOException;
    }

    private StateCopy() {
    }

    static <T> T of(Writer value, Reader<T> reader) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            value.writeTo(new DataOutputStream(bytes));
            return reader.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
