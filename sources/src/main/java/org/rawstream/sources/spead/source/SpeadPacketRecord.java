package org.rawstream.sources.spead.source;

import java.util.Objects;

/**
 * One SPEAD packet (or an end-of-stream marker) on its way from the source to heap assembly:
 * the stream it belongs to (UDP: local endpoint + sender; TCP: one connection), the substream
 * (heap counter hashed over the configured substream count) and the packet's bytes. Immutable.
 */
public final class SpeadPacketRecord {

    private final String stream;
    private final int substream;
    private final byte[] packet;
    private String assemblyKey;

    private SpeadPacketRecord(String stream, int substream, byte[] packet) {
        this.stream = Objects.requireNonNull(stream);
        this.substream = substream;
        this.packet = packet;
    }

    /** A packet whose assembly key the caller already has (decoders cache one per stream and substream). */
    public static SpeadPacketRecord packet(String stream, int substream, String assemblyKey, byte[] packet) {
        SpeadPacketRecord r = new SpeadPacketRecord(stream, substream, Objects.requireNonNull(packet));
        r.assemblyKey = assemblyKey;
        return r;
    }

    public static SpeadPacketRecord packet(String stream, int substream, byte[] packet) {
        return new SpeadPacketRecord(stream, substream, Objects.requireNonNull(packet));
    }

    /** The stream ended (TCP connection closed): its substream flushes its live heaps. */
    public static SpeadPacketRecord endOfStream(String stream, int substream) {
        return new SpeadPacketRecord(stream, substream, null);
    }

    public String stream() {
        return stream;
    }

    public int substream() {
        return substream;
    }

    /** The packet bytes, or null for an end-of-stream marker. */
    public byte[] bytes() {
        return packet;
    }

    public boolean isEndOfStream() {
        return packet == null;
    }

    /** The key of heap assembly: {@code <stream>|<substream>} ('|' never occurs in stream names). */
    public String assemblyKey() {
        String k = assemblyKey;
        if (k == null) {
            k = keyOf(stream, substream);
            assemblyKey = k; // racy but idempotent: the same string every time
        }
        return k;
    }

    public static String keyOf(String stream, int substream) {
        return stream + "|" + substream;
    }

    /** The stream of an assembly key. */
    public static String streamOfKey(String assemblyKey) {
        return assemblyKey.substring(0, assemblyKey.lastIndexOf('|'));
    }

    /** The substream of an assembly key. */
    public static int substreamOfKey(String assemblyKey) {
        return Integer.parseInt(assemblyKey.substring(assemblyKey.lastIndexOf('|') + 1));
    }

    @Override
    public String toString() {
        return "SpeadPacketRecord{" + stream + "#" + substream + (packet == null ? ", end" : ", " + packet.length + " B") + "}";
    }
}
