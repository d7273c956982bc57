package org.rawstream.sources.odin.source;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.rawstream.sources.odin.OdinPacketType;
import org.rawstream.sources.odin.OdinPackets;

/**
 * One received ODIN-Stream packet whose header is valid (the source checks it), as it travels
 * from the source to the keyed operator: its exact bytes and the time it was received.
 * Immutable by contract: nobody changes the array.
 */
public final class OdinPacket {

    /** Keys of event packets are set apart from schema identifiers by this bit. */
    public static final int EVENT_KEY_BIT = 0x1_0000;

    private final byte[] bytes;
    private final long receivedMillis;

    public OdinPacket(byte[] bytes, long receivedMillis) {
        this.bytes = Objects.requireNonNull(bytes);
        this.receivedMillis = receivedMillis;
    }

    /** The packet's exact bytes (not copied: do not modify). */
    public byte[] bytes() {
        return bytes;
    }

    /** Wall-clock time the source received it. */
    public long receivedMillis() {
        return receivedMillis;
    }

    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes);
    }

    public int typeCode() {
        return bytes[0] & 0xFF;
    }

    public int identifier() {
        return OdinPackets.identifier(ByteBuffer.wrap(bytes));
    }

    /**
     * The key the job partitions by: the identifier, so a schema and its data meet in one keyed
     * state; events (whose identifier is an event id, another number space) get
     * {@link #EVENT_KEY_BIT} added so they never share a key with a schema.
     */
    public int key() {
        int identifier = identifier();
        return typeCode() == OdinPacketType.EVENT.code() ? identifier | EVENT_KEY_BIT : identifier;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OdinPacket && receivedMillis == ((OdinPacket) o).receivedMillis
                && Arrays.equals(bytes, ((OdinPacket) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "OdinPacket{type=0x" + Integer.toHexString(typeCode()) + ", id=" + identifier() + ", " + bytes.length + " bytes}";
    }
}
