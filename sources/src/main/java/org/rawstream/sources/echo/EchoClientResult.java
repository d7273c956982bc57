package org.rawstream.sources.echo;

/** What an {@link EchoClient} run did, summed over its connections. Immutable. */
public final class EchoClientResult {
    private final long requestsSent;
    private final long responsesReceived;
    private final long mismatchedResponses;
    private final long bytesSent;
    private final long elapsedNanos;
    private final String failure;

    EchoClientResult(long requestsSent, long responsesReceived, long mismatchedResponses, long bytesSent,
            long elapsedNanos, String failure) {
        this.requestsSent = requestsSent;
        this.responsesReceived = responsesReceived;
        this.mismatchedResponses = mismatchedResponses;
        this.bytesSent = bytesSent;
        this.elapsedNanos = elapsedNanos;
        this.failure = failure;
    }

    public long requestsSent() {
        return requestsSent;
    }

    /** Valid responses received (matching or not). */
    public long responsesReceived() {
        return responsesReceived;
    }

    /** Responses whose id, sequence, timestamp, subject or body did not answer the request in that place. */
    public long mismatchedResponses() {
        return mismatchedResponses;
    }

    /** Bytes of request frames written. */
    public long bytesSent() {
        return bytesSent;
    }

    public long elapsedNanos() {
        return elapsedNanos;
    }

    /** The first connection failure (I/O error, timeout, malformed response), or null. */
    public String failure() {
        return failure;
    }

    /** Every request sent was answered, in order, correctly, without failure. */
    public boolean complete() {
        return failure == null && mismatchedResponses == 0 && responsesReceived == requestsSent;
    }

    @Override
    public String toString() {
        double seconds = elapsedNanos / 1e9;
        return String.format(java.util.Locale.ROOT,
                "requests=%d responses=%d mismatched=%d bytes=%d elapsed=%.3fs rate=%.0f/s%s", requestsSent,
                responsesReceived, mismatchedResponses, bytesSent, seconds,
                seconds > 0 ? responsesReceived / seconds : 0.0, failure == null ? "" : " failure=" + failure);
    }
}
