package org.rawstream.sources.echo;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** One decoded echo response (api_key 0). Immutable: the arrays are copied in and out. */
public final class EchoResponse {
    private final byte sequence;
    private final int id;
    private final long timestamp;
    private final byte[] subject;
    private final byte[] body;

    public EchoResponse(byte sequence, int id, long timestamp, byte[] subject, byte[] body) {
        this.sequence = sequence;
        this.id = id;
        this.timestamp = timestamp;
        this.subject = subject.clone();
        this.body = body.clone();
    }

    /** The response a server sends for {@code request}, the {@code id}-th on its connection (from 0). */
    public static EchoResponse answering(EchoRequest request, int id) {
        return new EchoResponse(request.sequence(), id, request.timestamp(), request.subjectBytes(),
                request.bodyBytes());
    }

    public byte sequence() {
        return sequence;
    }

    public int id() {
        return id;
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

    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    byte[] subjectBytes() {
        return subject;
    }

    byte[] bodyBytes() {
        return body;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EchoResponse)) {
            return false;
        }
        EchoResponse other = (EchoResponse) o;
        return sequence == other.sequence && id == other.id && timestamp == other.timestamp
                && Arrays.equals(subject, other.subject) && Arrays.equals(body, other.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, id, timestamp, Arrays.hashCode(subject), Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "EchoResponse{sequence=" + sequence + ", id=" + id + ", timestamp=" + timestamp + ", subject="
                + subject.length + "B, body=" + body.length + "B}";
    }
}
