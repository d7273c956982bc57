package org.rawstream.sources.echo;

/**
 * Everything a receiver of the echo protocol can reject, with what the rejection costs.
 *
 * <p>Framing errors (the size field) make the byte stream untrustworthy, so they close the
 * connection. Errors inside a frame only reject that frame: its boundary is still known.
 */
public enum EchoErrorKind {
    /** Size field S is negative. */
    FRAME_SIZE_NEGATIVE(true, "frameSizeNegative"),
    /** Size field S is below the two header bytes (api_key, sequence). */
    FRAME_SIZE_BELOW_HEADER(true, "frameSizeBelowHeader"),
    /** Size field S is above the configured maximum frame size. */
    FRAME_SIZE_ABOVE_MAX(true, "frameSizeAboveMax"),
    /** An inner string length or array count is negative. */
    FIELD_LENGTH_NEGATIVE(false, "fieldLengthNegative"),
    /** A field (fixed or declared length) runs past the end of its frame. */
    FIELD_PAST_FRAME(false, "fieldPastFrame"),
    /** Bytes left inside the frame after the last field. */
    TRAILING_BYTES(false, "trailingBytes"),
    /** api_key is not a known api: the frame is skipped. */
    UNKNOWN_API_KEY(false, "unknownApiKey"),
    /** The connection ended inside a frame: the partial frame is discarded. */
    TRUNCATED_AT_EOF(false, "truncatedAtEof");

    private final boolean closesConnection;
    private final String metricName;

    EchoErrorKind(boolean closesConnection, String metricName) {
        this.closesConnection = closesConnection;
        this.metricName = metricName;
    }

    /** True when the connection must be closed because frame boundaries are lost. */
    public boolean closesConnection() {
        return closesConnection;
    }

    /** camelCase name used as the error counter's metric name, e.g. {@code truncatedAtEof}. */
    public String metricName() {
        return metricName;
    }
}
