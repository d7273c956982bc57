package org.rawstream.sources.echo;

import java.util.Locale;

/**
 * Everything a receiver of the echo protocol can reject, with what the rejection costs.
 *
 * <p>Framing errors (the size field) make the byte stream untrustworthy, so they close the
 * connection. Errors inside a frame only reject that frame: its boundary is still known.
 */
public enum EchoErrorKind {
    /** Size field S is negative. */
    FRAME_SIZE_NEGATIVE(true),
    /** Size field S is below the two header bytes (api_key, sequence). */
    FRAME_SIZE_BELOW_HEADER(true),
    /** Size field S is above the configured maximum frame size. */
    FRAME_SIZE_ABOVE_MAX(true),
    /** An inner string length or array count is negative. */
    FIELD_LENGTH_NEGATIVE(false),
    /** A field (fixed or declared length) runs past the end of its frame. */
    FIELD_PAST_FRAME(false),
    /** Bytes left inside the frame after the last field. */
    TRAILING_BYTES(false),
    /** api_key is not a known api: the frame is skipped. */
    UNKNOWN_API_KEY(false),
    /** The connection ended inside a frame: the partial frame is discarded. */
    TRUNCATED_AT_EOF(false);

    private final boolean closesConnection;
    private final String metricName;

    EchoErrorKind(boolean closesConnection) {
        this.closesConnection = closesConnection;
        this.metricName = name().toLowerCase(Locale.ROOT);
    }

    /** True when the connection must be closed because frame boundaries are lost. */
    public boolean closesConnection() {
        return closesConnection;
    }

    /** Lower-case name used as a counter/metric label. */
    public String metricName() {
        return metricName;
    }
}
