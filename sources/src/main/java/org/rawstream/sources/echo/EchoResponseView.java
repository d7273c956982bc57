package org.rawstream.sources.echo;

import java.nio.ByteBuffer;

/**
 * Validates one echo response payload against the receiver rules and decodes it; the client
 * side's counterpart of {@link EchoRequestView}.
 */
public final class EchoResponseView {
    private static final int HEADER_AND_ID = EchoFramer.HEADER_BYTES + Integer.BYTES;

    private final EchoFields fields = new EchoFields();
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
        this.payload = null;
        if (!fields.start(payload)) {
            return fields.finish();
        }
        int headerAt = fields.fixed(HEADER_AND_ID + Long.BYTES);
        int subject = fields.string();
        int body = fields.string();
        EchoErrorKind rejected = fields.finish();
        if (rejected != null) {
            return rejected;
        }
        this.payload = fields.buffer();
        this.start = headerAt;
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
