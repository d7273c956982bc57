package org.rawstream.sources.net.enumerator;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * No TaskManager of the job can receive an endpoint: its address belongs to a host without a
 * reader of the source. Restarting cannot help (the same subtasks come back on the same hosts),
 * so the job fails instead of restarting in a loop.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class EndpointPlacementException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EndpointPlacementException(String message) {
        super(message);
    }
}
