package org.rawstream.sinks.rawhdf5;

import java.util.Map;

/**
 * The {@code /meta} attributes of a raw-HDF5 file.
 *
 * @param version    file format version, "major.minor"
 * @param ioVersion  message encoding version, or null when the file has none
 * @param created    Unix seconds when the file was created (NaN if absent)
 * @param modified   Unix seconds of the last write (NaN if absent)
 * @param attributes every other attribute of {@code /meta} (strings, numbers or arrays), by name
 */
public record RawFileMetadata(String version, String ioVersion, double created, double modified,
                              Map<String, Object> attributes) {
    public RawFileMetadata {
        attributes = Map.copyOf(attributes);
    }
}
