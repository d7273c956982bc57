package org.rawstream.job.config;

/**
 * A setting that cannot be used: unknown key, unreadable or out-of-range value, a port given twice.
 * The message is the one line the user sees (key, value, what is allowed); no stack trace.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidSettingException(String message) {
        super(message);
    }
}
