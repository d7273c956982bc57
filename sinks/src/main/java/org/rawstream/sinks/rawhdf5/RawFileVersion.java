package org.rawstream.sinks.rawhdf5;

/**
 * A "major.minor" version of the raw-HDF5 format or of a message encoding, and the spec's
 * compatibility rules. Parts compare as numbers, so "0.10" is newer than "0.9".
 */
record RawFileVersion(int major, int minor) {

    static RawFileVersion parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("version is null");
        }
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1 || text.indexOf('.', dot + 1) >= 0) {
            throw new IllegalArgumentException("version '" + text + "' is not \"major.minor\"");
        }
        try {
            int major = Integer.parseInt(text.substring(0, dot));
            int minor = Integer.parseInt(text.substring(dot + 1));
            if (major < 0 || minor < 0 || !Character.isDigit(text.charAt(0)) || !Character.isDigit(text.charAt(dot + 1))) {
                throw new NumberFormatException();
            }
            return new RawFileVersion(major, minor);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("version '" + text + "' is not \"major.minor\" with numeric parts", e);
        }
    }

    /** Reading: same major, file minor >= requested minor. */
    boolean canBeReadAs(RawFileVersion requested) {
        return major == requested.major && minor >= requested.minor;
    }

    /**
     * Checks the spec's rules for appending to a file. A null request means "whatever the file has".
     */
    static void checkAppend(String file, String fileVersion, String requestedVersion,
                            String fileIoVersion, String requestedIoVersion) throws RawFileVersionException {
        if (requestedVersion != null && !parseFromFile(file, "version", fileVersion).equals(parseRequested("version", requestedVersion))) {
            throw mismatch(file, "version", fileVersion, requestedVersion, "must be equal to append");
        }
        checkIoVersion(file, fileIoVersion, requestedIoVersion, "to append");
    }

    /** Checks the spec's rules for reading a file. A null request is not checked. */
    static void checkRead(String file, String fileVersion, String requestedVersion,
                          String fileIoVersion, String requestedIoVersion) throws RawFileVersionException {
        if (requestedVersion != null
                && !parseFromFile(file, "version", fileVersion).canBeReadAs(parseRequested("version", requestedVersion))) {
            throw mismatch(file, "version", fileVersion, requestedVersion,
                    "majors must be equal and the file's minor >= the requested minor to read");
        }
        checkIoVersion(file, fileIoVersion, requestedIoVersion, "to read");
    }

    private static void checkIoVersion(String file, String fileIoVersion, String requestedIoVersion, String purpose)
            throws RawFileVersionException {
        if (requestedIoVersion == null || fileIoVersion == null) {
            return; // the spec only compares io_version when both sides have one
        }
        if (!parseFromFile(file, "io_version", fileIoVersion).canBeReadAs(parseRequested("io_version", requestedIoVersion))) {
            throw mismatch(file, "io_version", fileIoVersion, requestedIoVersion,
                    "majors must be equal and the file's minor >= the requested minor " + purpose);
        }
    }

    private static RawFileVersion parseFromFile(String file, String what, String text) throws RawFileVersionException {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new RawFileVersionException(file + ": unreadable " + what + " attribute: " + e.getMessage());
        }
    }

    private static RawFileVersion parseRequested(String what, String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("requested " + what + ": " + e.getMessage(), e);
        }
    }

    private static RawFileVersionException mismatch(String file, String what, String fileValue, String requested, String rule) {
        return new RawFileVersionException(file + ": " + what + " mismatch: file has " + what + " \"" + fileValue
                + "\", requested \"" + requested + "\" (" + rule + ")");
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
