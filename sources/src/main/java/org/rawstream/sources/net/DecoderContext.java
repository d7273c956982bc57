package org.rawstream.sources.net;

import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.transport.NamedCounters;

/**
 * What a {@link NetworkProtocol} gets when it creates a decoder: which split (endpoint), which
 * subtask, and counters of its own that become Flink metrics next to the transport's
 * ({@code rawstream.<source name>.<counter name>}). Counters are shared by all decoders of the
 * subtask and must only be written on the fetcher thread (inside decoder calls).
 */
public final class DecoderContext {
    private final String sourceName;
    private final int subtaskIndex;
    private final NetworkSplit split;
    private final NamedCounters counters;

    public DecoderContext(String sourceName, int subtaskIndex, NetworkSplit split, NamedCounters counters) {
        this.sourceName = sourceName;
        this.subtaskIndex = subtaskIndex;
        this.split = split;
        this.counters = counters;
    }

    public String sourceName() {
        return sourceName;
    }

    public int subtaskIndex() {
        return subtaskIndex;
    }

    public NetworkSplit split() {
        return split;
    }

    /** Protocol counters: look each up once when the decoder is created, then just increment it. */
    public NamedCounters counters() {
        return counters;
    }

    @Override
    public String toString() {
        return sourceName + "[" + subtaskIndex + "] " + split;
    }
}
