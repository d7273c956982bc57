package org.rawstream.sources.echo;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One decoded echo request (api_key 0). Immutable: the arrays are copied in and out. Subject
 * and body are bytes (the protocol does not require UTF-8); the String accessors decode UTF-8.
 */
public final class EchoRequest {
    private final byte sequence;
    private final long timestamp;
    private final byte[] subject;
    private final short[] metadata;
    private final byte[] body;

    public EchoRequest(byte sequence, long timestamp, byte[] subject, short[] metadata, byte[] body) {
        if (metadata.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("metadata has more than " + Short.MAX_VALUE + " entries");
        }
        this.sequence = sequence;
        this.timestamp = timestamp;
        this.subject = subject.clone();
        this.metadata = metadata.clone();
        this.body = body.clone();
    }

    /** Convenience for text subject and body (encoded as UTF-8). */
    public EchoRequest(byte sequence, long timestamp, String subject, short[] metadata, String body) {
        this(sequence, timestamp, subject.getBytes(StandardCharsets.UTF_8), metadata,
                body.getBytes(StandardCharsets.UTF_8));
    }

    public byte sequence() {
        return sequence;
    }

    public long timestamp() {
        return timestamp;
    }

    public byte[] subject() {
        return subject.clone();
    }

    public String subjectText() {
        return new String(subject, StandardCharsets.UTF_8);
    }

    public short[] metadata() {
        return metadata.clone();
    }

    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    int subjectLength() {
        return subject.length;
    }

    int bodyLength() {
        return body.length;
    }

    byte[] subjectBytes() {
        return subject;
    }

    byte[] bodyBytes() {
        return body;
    }

    short[] metadataValues() {
        return metadata;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EchoRequest)) {
            return false;
        }
        EchoRequest other = (EchoRequest) o;
        return sequence == other.sequence && timestamp == other.timestamp
                && Arrays.equals(subject, other.subject) && Arrays.equals(metadata, other.metadata)
                && Arrays.equals(body, other.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, timestamp, Arrays.hashCode(subject), Arrays.hashCode(metadata),
                Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "EchoRequest{sequence=" + sequence + ", timestamp=" + timestamp + ", subject=" + subject.length
                + "B, metadata=" + metadata.length + ", body=" + body.length + "B}";
    }
}
