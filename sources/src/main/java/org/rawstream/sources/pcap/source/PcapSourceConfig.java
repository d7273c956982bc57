package org.rawstream.sources.pcap.source;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rawstream.sources.pcap.ReplaySettings;

/** Everything a {@link PcapSource} is configured with; immutable, built by {@link PcapSource.Builder}. */
public final class PcapSourceConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final List<String> paths;
    private final ReplaySettings settings;
    private final int maxRecordsPerFetch;
    private final long maxBytesPerFetch;

    PcapSourceConfig(String name, List<String> paths, ReplaySettings settings, int maxRecordsPerFetch,
            long maxBytesPerFetch) {
        this.name = name;
        this.paths = Collections.unmodifiableList(new ArrayList<>(paths));
        this.settings = settings;
        this.maxRecordsPerFetch = maxRecordsPerFetch;
        this.maxBytesPerFetch = maxBytesPerFetch;
    }

    /** Metric group and log name. */
    public String name() { return name; }
    /** Files, directories and globs, as configured (expanded when the job starts). */
    public List<String> paths() { return paths; }
    public ReplaySettings settings() { return settings; }
    public int maxRecordsPerFetch() { return maxRecordsPerFetch; }
    public long maxBytesPerFetch() { return maxBytesPerFetch; }

    @Override
    public String toString() {
        return "PcapSourceConfig{name=" + name + ", paths=" + paths + ", " + settings + ", maxRecordsPerFetch="
                + maxRecordsPerFetch + ", maxBytesPerFetch=" + maxBytesPerFetch + "}";
    }
}
