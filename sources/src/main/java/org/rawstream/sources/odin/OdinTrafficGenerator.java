package org.rawstream.sources.odin;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Produces the packet sequence of a simulated ODIN-Stream device, without I/O: the schema
 * (identifier packet, plus its extended identifier if asked) first and again every
 * {@code schemaEvery} data packets, data packets with changing values, and an event every
 * {@code eventEvery} data packets. Used by {@link OdinSender}, benchmarks and tests. Writing a
 * data packet allocates nothing.
 *
 * <p>Data packets are numbered from {@code firstDataPacket} (default 0): the number is in every
 * U32 value, sets the F32 values, the sequence field (mod 2^16) and the event payload. A device
 * that keeps counting across reconnects (a later generator starting where the earlier stopped)
 * thus never sends the same data or event packet twice.
 */
public final class OdinTrafficGenerator {

    private final OdinSchema schema;
    private final byte[] identifierPacket;
    private final List<byte[]> extendedPackets;
    private final int schemaEvery;
    private final int eventEvery;
    private final int eventId;
    private final long firstDataPacket;
    private long dataPackets;
    private int sequence;
    /** Packets of the current schema announcement still to send (identifier, then chunks). */
    private int announcing;
    private boolean eventDue;

    /**
     * @param schema      the device's schema; if named, its extended identifier is sent with it
     * @param schemaEvery send the schema again after this many data packets (at least 1)
     * @param eventEvery  send an event after this many data packets (0: never)
     */
    public OdinTrafficGenerator(OdinSchema schema, int schemaEvery, int eventEvery) {
        this(schema, schemaEvery, eventEvery, 0);
    }

    /**
     * Like {@link #OdinTrafficGenerator(OdinSchema, int, int)}, numbering data packets from
     * {@code firstDataPacket} (0 or more).
     */
    public OdinTrafficGenerator(OdinSchema schema, int schemaEvery, int eventEvery, long firstDataPacket) {
        if (firstDataPacket < 0) {
            throw new IllegalArgumentException("firstDataPacket must not be negative");
        }
        if (schemaEvery < 1 || eventEvery < 0) {
            throw new IllegalArgumentException("schemaEvery must be >= 1 and eventEvery >= 0");
        }
        this.schema = schema;
        this.identifierPacket = OdinPacketWriter.identifier(schema);
        this.extendedPackets = schema.isNamed() ? OdinPacketWriter.extendedIdentifier(schema, 1400) : List.of();
        this.schemaEvery = schemaEvery;
        this.eventEvery = eventEvery;
        this.eventId = 1;
        this.firstDataPacket = firstDataPacket;
        this.sequence = (int) (firstDataPacket & 0xFFFF);
        this.announcing = 1 + extendedPackets.size();
    }

    /**
     * A named schema whose data packets are exactly {@code dataPacketLength} bytes (at least 11):
     * 4-byte entries alternating F32 and U32, and one smaller entry for the remainder. Its
     * identifier is the conventional CRC of its indices.
     */
    public static OdinSchema defaultSchema(int dataPacketLength) {
        int valuesLength = dataPacketLength - OdinPackets.DATA_HEADER_LENGTH;
        if (valuesLength < 1 || valuesLength > 65000) {
            throw new IllegalArgumentException("data packet length must be 11..65010, got " + dataPacketLength);
        }
        int fours = valuesLength / 4;
        int rest = valuesLength % 4;
        int n = fours + (rest > 0 ? 1 : 0);
        int[] indices = new int[n];
        long[] unsignedIndices = new long[n];
        int[] sizes = new int[n];
        String[] names = new String[n];
        OdinElementType[] types = new OdinElementType[n];
        for (int i = 0; i < n; i++) {
            indices[i] = 0x3000_0001 + i;
            unsignedIndices[i] = Integer.toUnsignedLong(indices[i]);
            if (i < fours) {
                sizes[i] = 4;
                types[i] = i % 2 == 0 ? OdinElementType.F32 : OdinElementType.U32;
                names[i] = (i % 2 == 0 ? "sim.value" : "sim.counter") + i;
            } else {
                sizes[i] = rest;
                types[i] = rest == 1 ? OdinElementType.U8 : rest == 2 ? OdinElementType.U16 : OdinElementType.CHAR;
                names[i] = "sim.tail";
            }
        }
        return OdinSchema.named(OdinPackets.conventionalIdentifier(unsignedIndices), 0x0D1F_0001L,
                indices, sizes, names, types, new int[n]);
    }

    public OdinSchema schema() {
        return schema;
    }

    /** Data packets generated so far (by this generator, whatever its first number). */
    public long dataPackets() {
        return dataPackets;
    }

    /** Whether {@link #next} will write a data packet (not a schema or an event). */
    public boolean nextIsData() {
        return announcing == 0 && !eventDue;
    }

    /**
     * Writes the next packet at {@code out}'s position (advancing it) and returns its type.
     * {@code out} must be little-endian-agnostic and have room for the largest packet.
     */
    public OdinPacketType next(ByteBuffer out, long timestamp) {
        if (announcing > 0) {
            int index = 1 + extendedPackets.size() - announcing;
            announcing--;
            if (index == 0) {
                out.put(identifierPacket);
                return OdinPacketType.IDENTIFIER;
            }
            out.put(extendedPackets.get(index - 1));
            return OdinPacketType.EXTENDED_IDENTIFIER;
        }
        if (eventDue) {
            eventDue = false;
            ByteOrder order = out.order();
            out.order(ByteOrder.LITTLE_ENDIAN)
                    .put((byte) OdinPacketType.EVENT.code()).putShort((short) eventId).put((byte) 0)
                    .putInt((int) timestamp).putShort((short) 0).putLong(firstDataPacket + dataPackets)
                    .order(order);
            return OdinPacketType.EVENT;
        }
        writeData(out, timestamp);
        dataPackets++;
        if (dataPackets % schemaEvery == 0) {
            announcing = 1 + extendedPackets.size();
        }
        if (eventEvery > 0 && dataPackets % eventEvery == 0) {
            eventDue = true;
        }
        return OdinPacketType.DATA;
    }

    private void writeData(ByteBuffer out, long timestamp) {
        OdinPacketWriter.writeDataHeader(out, schema.identifier(), timestamp, sequence);
        long number = firstDataPacket + dataPackets;
        ByteOrder order = out.order();
        out.order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < schema.entryCount(); i++) {
            int size = schema.size(i);
            OdinElementType type = schema.elementType(i);
            if (type == OdinElementType.F32 && size == 4) {
                out.putFloat((float) Math.sin((number + i) * 0.01));
            } else if (type == OdinElementType.U32 && size == 4) {
                out.putInt((int) number);
            } else {
                for (int b = 0; b < size; b++) {
                    out.put((byte) ('a' + (number + b) % 26));
                }
            }
        }
        out.order(order);
        sequence = (sequence + 1) & 0xFFFF;
    }
}
