package org.rawstream.sinks.sink;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how the sink stores one configured source: its name (the output sub-directory and the
 * {@link RawMessage#source()} value that routes to it) and the {@code protocol} and
 * {@code io_version} written into each file's {@code /meta}.
 */
public final class SourceOutput implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Source names become directory names: keep them portable and free of path separators. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final String name;
    private final String protocol;
    private final String ioVersion;

    public SourceOutput(String name, String protocol, String ioVersion) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "source name must match " + NAME.pattern() + " (it names a directory), got " + name);
        }
        this.name = name;
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.ioVersion = ioVersion; // nullable: io_version is optional in the format
    }

    public String name() {
        return name;
    }

    public String protocol() {
        return protocol;
    }

    /** May be null: then no io_version attribute is written. */
    public String ioVersion() {
        return ioVersion;
    }

    @Override
    public String toString() {
        return name + "(protocol=" + protocol + ", io_version=" + ioVersion + ")";
    }
}
