package org.rawstream.sources.spead;

import java.nio.ByteBuffer;

/**
 * Cuts a SPEAD byte stream (TCP: packets back to back) into packets. Complete packets are
 * decoded in place in the caller's chunk; only a packet split across chunks is copied into a
 * buffer bounded by the maximum packet size. A framing error (bad magic, version, widths,
 * oversize packet) cannot be resynchronised: {@link #feed} returns false and the connection
 * should be closed.
 */
public final class SpeadByteStreamDecoder {

    /** Receives the packets of the stream. */
    public interface PacketHandler {
        /** A valid packet; the view is valid only during the call. */
        void packet(SpeadPacket packet);

        /** A framed packet that failed validation (dropped), or the reason the stream broke. */
        void invalid(InvalidPacketReason reason);
    }

    private final SpeadFramer framer;
    private final SpeadPacket packet = new SpeadPacket();
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private boolean broken;

    public SpeadByteStreamDecoder(int maxPacketSize) {
        this.framer = new SpeadFramer(maxPacketSize);
    }

    /** Feeds the next chunk (any size, consumed entirely). Returns false on a framing error. */
    public boolean feed(ByteBuffer chunk, PacketHandler handler) {
        if (broken) {
            chunk.position(chunk.limit());
            return false;
        }
        if (pending.position() > 0) {
            if (!completePending(chunk, handler)) {
                return !broken;
            }
        }
        while (chunk.hasRemaining()) {
            int pos = chunk.position();
            int len = framer.nextPacketLength(chunk, pos, chunk.remaining());
            if (len == SpeadFramer.FRAMING_ERROR) {
                return breakStream(handler, chunk);
            }
            if (len == SpeadFramer.NEED_MORE) {
                stash(chunk);
                return true;
            }
            if (len > chunk.remaining()) {
                stash(chunk);
                return true;
            }
            deliver(chunk, pos, len, handler);
            chunk.position(pos + len);
        }
        return true;
    }

    /** Moves bytes from the chunk into the pending packet; true when it was completed and handled. */
    private boolean completePending(ByteBuffer chunk, PacketHandler handler) {
        while (true) {
            int have = pending.position();
            int len = framer.nextPacketLength(pending, 0, have);
            if (len == SpeadFramer.FRAMING_ERROR) {
                breakStream(handler, chunk);
                return false;
            }
            int want = len;
            if (len == SpeadFramer.NEED_MORE) {
                // Header first, then the item pointers (the framer has checked they fit the limit).
                want = have < SpeadPacket.HEADER_BYTES ? SpeadPacket.HEADER_BYTES
                        : SpeadPacket.HEADER_BYTES + SpeadPacket.POINTER_BYTES
                                * (((pending.get(6) & 0xFF) << 8) | (pending.get(7) & 0xFF));
            }
            if (have >= want && len > 0) {
                deliver(pending, 0, len, handler);
                pending.clear();
                return true;
            }
            if (!chunk.hasRemaining()) {
                return false;
            }
            ensurePending(want);
            int n = Math.min(want - have, chunk.remaining());
            ByteBuffer part = chunk.duplicate();
            part.limit(part.position() + n);
            pending.put(part);
            chunk.position(chunk.position() + n);
        }
    }

    private void stash(ByteBuffer chunk) {
        ensurePending(chunk.remaining());
        pending.put(chunk);
    }

    private void ensurePending(int size) {
        if (pending.capacity() < size) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(framer.maxPacketSize(), Math.max(size, 2 * pending.capacity())));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
    }

    private void deliver(ByteBuffer buf, int pos, int len, PacketHandler handler) {
        if (packet.decodeDatagram(buf, pos, len)) {
            handler.packet(packet);
        } else {
            handler.invalid(packet.invalidReason());
        }
    }

    private boolean breakStream(PacketHandler handler, ByteBuffer chunk) {
        broken = true;
        chunk.position(chunk.limit());
        pending = ByteBuffer.allocate(0);
        handler.invalid(framer.error());
        return false;
    }

    /** Bytes of a packet started but not complete. */
    public int partialBytes() {
        return pending.position();
    }

    /** End of the stream: a partial packet is discarded; returns true when there was one. */
    public boolean endOfStream() {
        boolean partial = pending.position() > 0;
        pending = ByteBuffer.allocate(0);
        return partial;
    }

    public boolean isBroken() {
        return broken;
    }
}
