package org.rawstream.sources.odin;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/** An event packet (0x0B): event id, timestamp, sequence (often unused by senders) and payload. */
public final class OdinEvent {

    private final int eventId;
    private final long timestamp;
    private final int sequence;
    private final byte[] payload;

    public OdinEvent(int eventId, long timestamp, int sequence, byte[] payload) {
        this.eventId = eventId;
        this.timestamp = timestamp;
        this.sequence = sequence;
        this.payload = payload.clone();
    }

    public int eventId() {
        return eventId;
    }

    /** Timestamp (u32). */
    public long timestamp() {
        return timestamp;
    }

    public int sequence() {
        return sequence;
    }

    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeShort(eventId);
        out.writeInt((int) timestamp);
        out.writeShort(sequence);
        out.writeInt(payload.length);
        out.write(payload);
    }

    public static OdinEvent readFrom(DataInput in) throws IOException {
        int eventId = in.readUnsignedShort();
        long timestamp = Integer.toUnsignedLong(in.readInt());
        int sequence = in.readUnsignedShort();
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return new OdinEvent(eventId, timestamp, sequence, payload);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OdinEvent)) {
            return false;
        }
        OdinEvent e = (OdinEvent) o;
        return eventId == e.eventId && timestamp == e.timestamp && sequence == e.sequence
                && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * eventId + Long.hashCode(timestamp)) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "OdinEvent{id=" + eventId + ", timestamp=" + timestamp + ", sequence=" + sequence
                + ", payload=" + payload.length + " bytes}";
    }
}
