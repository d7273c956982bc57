package org.rawstream.sources.echo;

import java.nio.ByteBuffer;

/**
 * Validates one echo response payload against the receiver rules and decodes it; the client
 * side's counterpart of {@link EchoRequestView}.
 */
public final class EchoResponseView {
    private static final int HEADER_AND_ID = EchoFramer.HEADER_BYTES + Integer.BYTES;

    private ByteBuffer payload;
    private int start;
    private int subjectAt;
    private int bodyAt;

    /**
     * Validates {@code payload} (position to limit) as an echo response. Does not move the
     * buffer's position.
     *
     * @return null when valid, else why it is rejected
     */
    public EchoErrorKind wrap(ByteBuffer payload) {
        ByteBuffer b = EchoFields.bigEndian(payload);
        int p = b.position();
        int e = b.limit();
        this.payload = null;
        EchoErrorKind badHeader = EchoFields.header(b, p, e);
        if (badHeader != null) {
            return badHeader;
        }
        int q = EchoFields.fixed(p, HEADER_AND_ID + Long.BYTES, e);
        if (q < 0) {
            return EchoFields.kind(q);
        }
        int subject = q;
        q = EchoFields.string(b, subject, e);
        if (q < 0) {
            return EchoFields.kind(q);
        }
        int body = q;
        q = EchoFields.string(b, body, e);
        if (q < 0) {
            return EchoFields.kind(q);
        }
        if (q != e) {
            return EchoErrorKind.TRAILING_BYTES;
        }
        this.payload = b;
        this.start = p;
        this.subjectAt = subject;
        this.bodyAt = body;
        return null;
    }

    public byte sequence() {
        checkWrapped();
        return payload.get(start + 1);
    }

    public int id() {
        checkWrapped();
        return payload.getInt(start + EchoFramer.HEADER_BYTES);
    }

    /** Decodes the wrapped response into a value object (copies every field). */
    public EchoResponse toResponse() {
        checkWrapped();
        long timestamp = payload.getLong(start + HEADER_AND_ID);
        byte[] subject = EchoFields.copy(payload, subjectAt + Integer.BYTES, payload.getInt(subjectAt));
        byte[] body = EchoFields.copy(payload, bodyAt + Integer.BYTES, payload.getInt(bodyAt));
        return new EchoResponse(sequence(), id(), timestamp, subject, body);
    }

    private void checkWrapped() {
        if (payload == null) {
            throw new IllegalStateException("no valid response wrapped");
        }
    }
}
