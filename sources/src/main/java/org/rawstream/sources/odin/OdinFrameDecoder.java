package org.rawstream.sources.odin;

import java.nio.ByteBuffer;

/**
 * ODIN-Stream's TCP framing, receiving side: a streaming COBS decoder fed arbitrary chunks of one
 * connection. Each 0x00 ends a frame; a complete frame is checked against its trailing
 * CRC-16/CCITT-FALSE (big-endian) and handed on without the CRC. A broken frame (bad CRC, bad
 * COBS, too long, too short) is reported and dropped, and decoding resynchronises at the next
 * 0x00. Empty frames (0x00 0x00) are skipped silently: they carry nothing. One decoder per
 * connection; not thread-safe; no allocation after construction.
 */
public final class OdinFrameDecoder {

    /** Receives what the decoder finds. */
    public interface Handler {
        /** A packet whose CRC matched; the buffer is a view valid only during the call. */
        void packet(ByteBuffer packet);

        /** A frame that was dropped, and why. */
        void invalid(OdinInvalidReason reason);
    }

    private final byte[] frame;
    private final ByteBuffer view;
    private int length;
    /** Data bytes still expected in the current COBS block; 0 means the next byte is a code byte. */
    private int remaining;
    /** Whether the current block ended short of 0xFF, so a 0x00 precedes the next block's data. */
    private boolean pendingZero;
    private boolean inFrame;
    private boolean overflow;

    /** @param maxPacketLength the longest packet accepted (without its 2-byte CRC) */
    public OdinFrameDecoder(int maxPacketLength) {
        if (maxPacketLength < 1) {
            throw new IllegalArgumentException("maxPacketLength must be positive");
        }
        this.frame = new byte[maxPacketLength + 2];
        this.view = ByteBuffer.wrap(frame);
    }

    /** Decodes all remaining bytes of {@code chunk} (consuming them). */
    public void feed(ByteBuffer chunk, Handler handler) {
        while (chunk.hasRemaining()) {
            int b = chunk.get() & 0xFF;
            if (b == 0) {
                endFrame(handler);
            } else if (overflow) {
                continue;
            } else if (remaining == 0) {
                inFrame = true;
                if (pendingZero) {
                    append(0);
                }
                pendingZero = b != 0xFF;
                remaining = b - 1;
            } else {
                append(b);
                remaining--;
            }
        }
    }

    /** The connection ended: a frame in progress is dropped and reported as partial. */
    public void endOfStream(Handler handler) {
        if (inFrame || overflow) {
            handler.invalid(OdinInvalidReason.PARTIAL_FRAME);
        }
        reset();
    }

    /** Whether bytes of an unfinished frame are buffered. */
    public boolean inFrame() {
        return inFrame || overflow;
    }

    private void append(int b) {
        if (length == frame.length) {
            overflow = true;
            return;
        }
        frame[length++] = (byte) b;
    }

    private void endFrame(Handler handler) {
        try {
            if (overflow) {
                handler.invalid(OdinInvalidReason.FRAME_TOO_LARGE);
            } else if (!inFrame) {
                return; // empty frame
            } else if (remaining != 0) {
                handler.invalid(OdinInvalidReason.BAD_COBS);
            } else if (length < 2) {
                handler.invalid(OdinInvalidReason.FRAME_TOO_SHORT);
            } else {
                int packetLength = length - 2;
                int expected = (frame[packetLength] & 0xFF) << 8 | (frame[packetLength + 1] & 0xFF);
                if (OdinCrc16.compute(frame, 0, packetLength) != expected) {
                    handler.invalid(OdinInvalidReason.BAD_CRC);
                } else {
                    view.limit(packetLength).position(0);
                    handler.packet(view);
                }
            }
        } finally {
            reset();
        }
    }

    private void reset() {
        length = 0;
        remaining = 0;
        pendingZero = false;
        inFrame = false;
        overflow = false;
    }
}
