package org.rawstream.sources.odin;

/**
 * A packet that breaks the spec. Thrown only by the parsers of the rare packet types (schemas,
 * type descriptors); the receiver catches it and counts {@link #reason()}. Carries no stack trace:
 * a flood of bad packets must stay cheap.
 */
public final class OdinFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    private final OdinInvalidReason reason;

    public OdinFormatException(OdinInvalidReason reason) {
        super(reason.name(), null, false, false);
        this.reason = reason;
    }

    public OdinInvalidReason reason() {
        return reason;
    }
}
