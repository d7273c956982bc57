package org.rawstream.sources.echo;

import java.nio.ByteBuffer;

/**
 * A reusable, allocation-free view of one echo request payload: {@link #wrap} validates the
 * payload against every receiver rule of the spec and records where each field lies, so the
 * hot path can emit the payload and build the response without decoding into objects.
 *
 * <p>The view refers to the wrapped buffer: it is valid only as long as that buffer's bytes are.
 */
public final class EchoRequestView {
    /** api_key of the Echo api, the only one defined. */
    public static final int API_ECHO = 0;

    private final EchoFields fields = new EchoFields();
    private ByteBuffer payload;
    private int start;
    private int end;
    private byte sequence;
    private long timestamp;
    private int subjectOffset;
    private int subjectLength;
    private int metadataOffset;
    private int metadataCount;
    private int bodyOffset;
    private int bodyLength;

    /**
     * Validates {@code payload} (position to limit: api_key through body) as an echo request.
     * Does not move the buffer's position.
     *
     * @return null when the payload is a valid request, else why it is rejected
     */
    public EchoErrorKind wrap(ByteBuffer payload) {
        this.payload = null;
        if (!fields.start(payload)) {
            return fields.finish();
        }
        int headerAt = fields.fixed(EchoFramer.HEADER_BYTES);
        int timestampAt = fields.fixed(Long.BYTES);
        int subjectAt = fields.string();
        int metadataAt = fields.shortArray();
        int bodyAt = fields.string();
        EchoErrorKind rejected = fields.finish();
        if (rejected != null) {
            return rejected;
        }
        ByteBuffer b = fields.buffer();
        this.payload = b;
        this.start = headerAt;
        this.end = b.limit();
        this.sequence = b.get(headerAt + 1);
        this.timestamp = b.getLong(timestampAt);
        this.subjectOffset = subjectAt + Integer.BYTES;
        this.subjectLength = metadataAt - subjectOffset;
        this.metadataOffset = metadataAt + Short.BYTES;
        this.metadataCount = (bodyAt - metadataOffset) / Short.BYTES;
        this.bodyOffset = bodyAt + Integer.BYTES;
        this.bodyLength = end - bodyOffset;
        return null;
    }

    /** The wrapped buffer (big-endian); fields are at absolute offsets in it. */
    public ByteBuffer buffer() {
        checkWrapped();
        return payload;
    }

    /** Absolute offset of api_key in {@link #buffer()}. */
    public int payloadOffset() {
        checkWrapped();
        return start;
    }

    /** Payload size S (api_key through body). */
    public int payloadLength() {
        checkWrapped();
        return end - start;
    }

    public byte sequence() {
        checkWrapped();
        return sequence;
    }

    public long timestamp() {
        checkWrapped();
        return timestamp;
    }

    public int subjectOffset() {
        checkWrapped();
        return subjectOffset;
    }

    public int subjectLength() {
        checkWrapped();
        return subjectLength;
    }

    public int metadataCount() {
        checkWrapped();
        return metadataCount;
    }

    public short metadata(int index) {
        checkWrapped();
        if (index < 0 || index >= metadataCount) {
            throw new IndexOutOfBoundsException(index);
        }
        return payload.getShort(metadataOffset + index * Short.BYTES);
    }

    public int bodyOffset() {
        checkWrapped();
        return bodyOffset;
    }

    public int bodyLength() {
        checkWrapped();
        return bodyLength;
    }

    /** A copy of the whole payload (api_key through body): what RawStream stores. */
    public byte[] copyPayload() {
        checkWrapped();
        return EchoFields.copy(payload, start, end - start);
    }

    /** Decodes the wrapped request into a value object (copies every field). */
    public EchoRequest toRequest() {
        checkWrapped();
        short[] metadata = new short[metadataCount];
        for (int i = 0; i < metadataCount; i++) {
            metadata[i] = payload.getShort(metadataOffset + i * Short.BYTES);
        }
        return new EchoRequest(sequence, timestamp, EchoFields.copy(payload, subjectOffset, subjectLength),
                metadata, EchoFields.copy(payload, bodyOffset, bodyLength));
    }

    private void checkWrapped() {
        if (payload == null) {
            throw new IllegalStateException("no valid request wrapped");
        }
    }
}
