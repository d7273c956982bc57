package org.rawstream.sources.echo;

import java.nio.ByteBuffer;

/**
 * Appends echo frames (size field + payload) to an output buffer and hands the buffer back.
 *
 * <p>{@code out} is in write mode (data up to its position); when it is too small a larger
 * buffer holding the same data is returned instead, so always continue with the returned
 * buffer: {@code out = EchoBuilder.appendRequest(out, request)}. A null {@code out} starts a
 * new heap buffer.
 */
public final class EchoBuilder {
    private static final int RESPONSE_FIXED = EchoFramer.HEADER_BYTES + Integer.BYTES + Long.BYTES
            + Integer.BYTES + Integer.BYTES;
    private static final int REQUEST_FIXED = EchoFramer.HEADER_BYTES + Long.BYTES + Integer.BYTES
            + Short.BYTES + Integer.BYTES;

    private EchoBuilder() {
    }

    /** Payload size S of {@code request}'s frame. */
    public static int requestPayloadSize(EchoRequest request) {
        return checkedSize(REQUEST_FIXED + (long) request.subjectLength()
                + (long) request.metadataValues().length * Short.BYTES + request.bodyLength());
    }

    /** Payload size S of the response to a request with these subject and body lengths. */
    public static int responsePayloadSize(int subjectLength, int bodyLength) {
        return checkedSize(RESPONSE_FIXED + (long) subjectLength + bodyLength);
    }

    public static ByteBuffer appendRequest(ByteBuffer out, EchoRequest request) {
        int size = requestPayloadSize(request);
        ByteBuffer b = ensureRoom(out, EchoFramer.SIZE_FIELD_BYTES + size);
        b.putInt(size).put((byte) EchoRequestView.API_ECHO).put(request.sequence()).putLong(request.timestamp());
        putString(b, request.subjectBytes());
        short[] metadata = request.metadataValues();
        b.putShort((short) metadata.length);
        for (short m : metadata) {
            b.putShort(m);
        }
        putString(b, request.bodyBytes());
        return b;
    }

    /**
     * The payload of {@code request}'s frame (api_key through body, without the size field):
     * what a server that stores requests stores for it.
     */
    public static byte[] requestPayload(EchoRequest request) {
        ByteBuffer frame = appendRequest(null, request);
        return java.util.Arrays.copyOfRange(frame.array(), EchoFramer.SIZE_FIELD_BYTES, frame.position());
    }

    public static ByteBuffer appendResponse(ByteBuffer out, EchoResponse response) {
        int size = responsePayloadSize(response.subjectBytes().length, response.bodyBytes().length);
        ByteBuffer b = ensureRoom(out, EchoFramer.SIZE_FIELD_BYTES + size);
        b.putInt(size).put((byte) EchoRequestView.API_ECHO).put(response.sequence()).putInt(response.id())
                .putLong(response.timestamp());
        putString(b, response.subjectBytes());
        putString(b, response.bodyBytes());
        return b;
    }

    /**
     * Appends the response to a wrapped (valid) request without decoding it: the server's
     * path. {@code id} is the request's ordinal on its connection, from 0.
     */
    public static ByteBuffer appendResponse(ByteBuffer out, EchoRequestView request, int id) {
        int subjectLength = request.subjectLength();
        int bodyLength = request.bodyLength();
        int size = responsePayloadSize(subjectLength, bodyLength);
        ByteBuffer b = ensureRoom(out, EchoFramer.SIZE_FIELD_BYTES + size);
        ByteBuffer src = request.buffer();
        b.putInt(size).put((byte) EchoRequestView.API_ECHO).put(request.sequence()).putInt(id)
                .putLong(request.timestamp()).putInt(subjectLength);
        b.put(b.position(), src, request.subjectOffset(), subjectLength);
        b.position(b.position() + subjectLength).putInt(bodyLength);
        b.put(b.position(), src, request.bodyOffset(), bodyLength);
        b.position(b.position() + bodyLength);
        return b;
    }

    private static void putString(ByteBuffer b, byte[] bytes) {
        b.putInt(bytes.length).put(bytes);
    }

    private static int checkedSize(long size) {
        if (size > Integer.MAX_VALUE - EchoFramer.SIZE_FIELD_BYTES) {
            throw new IllegalArgumentException("frame too large: " + size + " bytes");
        }
        return (int) size;
    }

    private static ByteBuffer ensureRoom(ByteBuffer out, int bytes) {
        if (out == null) {
            return ByteBuffer.allocate(Math.max(bytes, 256));
        }
        if (out.order() != java.nio.ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("echo frames are big-endian; out is " + out.order());
        }
        if (out.remaining() >= bytes) {
            return out;
        }
        long wanted = Math.max((long) out.capacity() * 2, (long) out.position() + bytes);
        ByteBuffer bigger = out.isDirect()
                ? ByteBuffer.allocateDirect((int) Math.min(wanted, Integer.MAX_VALUE - 8))
                : ByteBuffer.allocate((int) Math.min(wanted, Integer.MAX_VALUE - 8));
        out.flip();
        bigger.put(out);
        return bigger;
    }
}
