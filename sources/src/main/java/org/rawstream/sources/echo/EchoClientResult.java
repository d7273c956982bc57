package org.rawstream.sources.echo;

/**
 * What an {@link EchoClient} run did, summed over its connections: requests sent, valid responses
 * received (matching or not), responses whose id, sequence, timestamp, subject or body did not
 * answer the request in that place, bytes of request frames written, the time taken, and the
 * first connection failure (I/O error, timeout, malformed response) or null.
 */
public record EchoClientResult(long requestsSent, long responsesReceived, long mismatchedResponses, long bytesSent,
        long elapsedNanos, String failure) {

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
