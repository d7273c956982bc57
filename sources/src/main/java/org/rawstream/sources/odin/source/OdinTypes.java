package org.rawstream.sources.odin.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.rawstream.core.state.VersionedSerializer;
import org.rawstream.core.state.VersionedSerializerSnapshot;
import org.rawstream.core.types.SingletonTypeInfo;
import org.rawstream.sources.odin.OdinIdentifierState;

/**
 * Explicit Flink types of everything ODIN that crosses an operator boundary or lives in state:
 * {@link OdinPacket} (source to keyed operator), {@link OdinNamedValues} (side output) and
 * {@link OdinIdentifierState} (keyed state). No Kryo, no POJO analysis.
 *
 * <p>All three are versioned ({@link VersionedSerializer}); format 0 is the layout of the first
 * release. Their snapshot class names are recorded in savepoints: never rename them.
 */
public final class OdinTypes {

    public static final TypeInformation<OdinPacket> PACKET = new SingletonTypeInfo<>(OdinPacket.class, PacketSerializer.INSTANCE);
    public static final TypeInformation<OdinNamedValues> NAMED_VALUES =
            new SingletonTypeInfo<>(OdinNamedValues.class, NamedValuesSerializer.INSTANCE);
    public static final TypeInformation<OdinIdentifierState> IDENTIFIER_STATE =
            new SingletonTypeInfo<>(OdinIdentifierState.class, IdentifierStateSerializer.INSTANCE);

    private OdinTypes() {
    }

    /** bytes (int length + bytes), received time. */
    public static final class PacketSerializer extends VersionedSerializer<OdinPacket> {
        private static final long serialVersionUID = 1L;
        public static final PacketSerializer INSTANCE = new PacketSerializer();

        @Override
        public String stateName() {
            return "ODIN packet record";
        }

        @Override
        public int currentFormat() {
            return 0;
        }

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public OdinPacket createInstance() {
            return new OdinPacket(new byte[1], 0);
        }

        @Override
        public OdinPacket copy(OdinPacket from) {
            return from;
        }

        @Override
        public void serialize(OdinPacket record, DataOutputView target) throws IOException {
            target.writeInt(record.bytes().length);
            target.write(record.bytes());
            target.writeLong(record.receivedMillis());
        }

        @Override
        public OdinPacket deserialize(int format, DataInputView source) throws IOException {
            int length = source.readInt();
            if (length < 1) {
                throw new IOException("corrupt OdinPacket: length " + length);
            }
            byte[] bytes = new byte[length];
            source.readFully(bytes);
            return new OdinPacket(bytes, source.readLong());
        }

        @Override
        public VersionedSerializerSnapshot<OdinPacket> snapshotConfiguration() {
            return new PacketSnapshot();
        }
    }

    /** Snapshot of {@link PacketSerializer}; its class name is in savepoints since the first release. */
    public static final class PacketSnapshot extends VersionedSerializerSnapshot<OdinPacket> {
        public PacketSnapshot() {
            super(() -> PacketSerializer.INSTANCE);
        }
    }

    /** identifier, timestamp, sequence, count, then name/value pairs (modified UTF-8). */
    public static final class NamedValuesSerializer extends VersionedSerializer<OdinNamedValues> {
        private static final long serialVersionUID = 1L;
        public static final NamedValuesSerializer INSTANCE = new NamedValuesSerializer();

        @Override
        public String stateName() {
            return "ODIN named values record";
        }

        @Override
        public int currentFormat() {
            return 0;
        }

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public OdinNamedValues createInstance() {
            return new OdinNamedValues(0, 0, 0, new String[0], new String[0]);
        }

        @Override
        public OdinNamedValues copy(OdinNamedValues from) {
            return from;
        }

        @Override
        public void serialize(OdinNamedValues record, DataOutputView target) throws IOException {
            target.writeShort(record.identifier());
            target.writeLong(record.timestamp());
            target.writeShort(record.sequence());
            target.writeInt(record.size());
            for (int i = 0; i < record.size(); i++) {
                target.writeUTF(record.name(i));
                writeLongUtf(target, record.value(i));
            }
        }

        @Override
        public OdinNamedValues deserialize(int format, DataInputView source) throws IOException {
            int identifier = source.readUnsignedShort();
            long timestamp = source.readLong();
            int sequence = source.readUnsignedShort();
            int n = source.readInt();
            String[] names = new String[n];
            String[] values = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = source.readUTF();
                values[i] = readLongUtf(source);
            }
            return new OdinNamedValues(identifier, timestamp, sequence, names, values);
        }

        /** Values (a large HEX or CHAR entry) may exceed writeUTF's 64 KiB limit. */
        private static void writeLongUtf(DataOutputView target, String s) throws IOException {
            byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            target.writeInt(utf8.length);
            target.write(utf8);
        }

        private static String readLongUtf(DataInputView source) throws IOException {
            byte[] utf8 = new byte[source.readInt()];
            source.readFully(utf8);
            return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public VersionedSerializerSnapshot<OdinNamedValues> snapshotConfiguration() {
            return new NamedValuesSnapshot();
        }
    }

    /** Snapshot of {@link NamedValuesSerializer}; its class name is in savepoints since the first release. */
    public static final class NamedValuesSnapshot extends VersionedSerializerSnapshot<OdinNamedValues> {
        public NamedValuesSnapshot() {
            super(() -> NamedValuesSerializer.INSTANCE);
        }
    }

    /**
     * Keyed state of one identifier, in the layout of {@link OdinIdentifierState#writeTo} behind a
     * length prefix. The state is mutable, so copies are deep (write and read back).
     */
    public static final class IdentifierStateSerializer extends VersionedSerializer<OdinIdentifierState> {
        private static final long serialVersionUID = 1L;
        public static final IdentifierStateSerializer INSTANCE = new IdentifierStateSerializer();

        @Override
        public String stateName() {
            return "ODIN identifier state";
        }

        @Override
        public int currentFormat() {
            return 0;
        }

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public OdinIdentifierState createInstance() {
            return new OdinIdentifierState(0);
        }

        @Override
        public OdinIdentifierState copy(OdinIdentifierState from) {
            try {
                return read(write(from));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void serialize(OdinIdentifierState record, DataOutputView target) throws IOException {
            byte[] bytes = write(record);
            target.writeInt(bytes.length);
            target.write(bytes);
        }

        @Override
        public OdinIdentifierState deserialize(int format, DataInputView source) throws IOException {
            byte[] bytes = new byte[source.readInt()];
            source.readFully(bytes);
            return read(bytes);
        }

        private static byte[] write(OdinIdentifierState state) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            state.writeTo(new DataOutputStream(bytes));
            return bytes.toByteArray();
        }

        private static OdinIdentifierState read(byte[] bytes) throws IOException {
            return OdinIdentifierState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        }

        @Override
        public VersionedSerializerSnapshot<OdinIdentifierState> snapshotConfiguration() {
            return new IdentifierStateSnapshot();
        }
    }

    /** Snapshot of {@link IdentifierStateSerializer}; its class name is in savepoints since the first release. */
    public static final class IdentifierStateSnapshot extends VersionedSerializerSnapshot<OdinIdentifierState> {
        public IdentifierStateSnapshot() {
            super(() -> IdentifierStateSerializer.INSTANCE);
        }
    }
}
