package org.rawstream.sources.odin;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test output that keeps copies of everything a receiver passes on. */
final class RecordingOutput implements OdinOutput {

    /** One raw packet as the sink would store it. */
    static final class Raw {
        final OdinPacketType type;
        final int identifier;
        final byte[] bytes;

        Raw(OdinPacketType type, int identifier, byte[] bytes) {
            this.type = type;
            this.identifier = identifier;
            this.bytes = bytes;
        }
    }

    final List<Raw> raw = new ArrayList<>();
    final List<OdinDataValues> data = new ArrayList<>();
    final List<OdinEvent> events = new ArrayList<>();

    @Override
    public void packet(OdinPacketType type, int identifier, ByteBuffer packet) {
        byte[] copy = new byte[packet.remaining()];
        packet.get(copy); // moves the position on purpose: the receiver must not depend on it
        raw.add(new Raw(type, identifier, copy));
    }

    @Override
    public void data(OdinSchema schema, Map<Integer, OdinTypeDescriptor> types, ByteBuffer packet) {
        data.add(OdinDataValues.of(schema, types, packet));
        packet.position(packet.limit());
    }

    @Override
    public void event(OdinEvent event) {
        events.add(event);
    }

    List<Integer> sequences(int identifier) {
        List<Integer> sequences = new ArrayList<>();
        for (OdinDataValues values : data) {
            if (values.identifier() == identifier) {
                sequences.add(values.sequence());
            }
        }
        return sequences;
    }

    OdinDataValues data(int identifier, int sequence) {
        for (OdinDataValues values : data) {
            if (values.identifier() == identifier && values.sequence() == sequence) {
                return values;
            }
        }
        throw new AssertionError("no data released for identifier " + identifier + " sequence " + sequence);
    }
}
