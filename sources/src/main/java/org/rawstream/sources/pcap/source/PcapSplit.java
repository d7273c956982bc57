package org.rawstream.sources.pcap.source;

import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;
import org.rawstream.sources.pcap.ReplayPosition;

/** One capture file and how far it has been replayed ({@link ReplayPosition}). */
public final class PcapSplit implements SourceSplit {
    private final String path;
    private final ReplayPosition position;

    public PcapSplit(String path, ReplayPosition position) {
        this.path = Objects.requireNonNull(path, "path");
        this.position = Objects.requireNonNull(position, "position");
    }

    public String path() {
        return path;
    }

    public ReplayPosition position() {
        return position;
    }

    public PcapSplit at(ReplayPosition newPosition) {
        return new PcapSplit(path, newPosition);
    }

    /** The file's path: a file is replayed once per job. */
    @Override
    public String splitId() {
        return path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PcapSplit && path.equals(((PcapSplit) o).path) && position.equals(((PcapSplit) o).position);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return path + " @ " + position;
    }
}
