package org.rawstream.sinks.rawhdf5;

import java.io.IOException;

/** A requested raw-HDF5 {@code version} or {@code io_version} does not match the file's. */
public final class RawFileVersionException extends IOException {
    private static final long serialVersionUID = 1L;

    public RawFileVersionException(String message) {
        super(message);
    }
}
