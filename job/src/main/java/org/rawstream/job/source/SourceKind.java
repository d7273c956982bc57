package org.rawstream.job.source;

import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.sinks.sink.RawMessage;

/**
 * A kind of source the job can run ({@code source.<name>.type}). Each protocol integration adds
 * one implementation and registers it in {@link SourceKinds}. A kind turns its configuration into
 * a stream of {@link RawMessage}s (including any keyed assembly it needs before the sink).
 */
public interface SourceKind {
    /** The {@code type} value, e.g. {@code generator}, {@code spead-udp}. */
    String type();

    /** {@code protocol} written to /meta unless the source overrides it. */
    String defaultProtocol();

    /** {@code io_version} written to /meta unless the source overrides it; null = none. */
    String defaultIoVersion();

    /** Kind-specific option keys (without {@code source.<name>.}) with their safe defaults. */
    Map<String, String> options();

    /**
     * The options for a source whose {@code protocol} is set to this value (null when not set);
     * a kind that serves several protocols (pcap) adds the protocol's own options.
     *
     * @throws IllegalArgumentException if the kind cannot serve that protocol
     */
    default Map<String, String> options(String protocol) {
        return options();
    }

    /** {@code io_version} for a source whose /meta protocol is {@code protocol}. */
    default String defaultIoVersion(String protocol) {
        return defaultIoVersion();
    }

    /** One line of help for the option list. */
    String description();

    /** Checks the kind-specific options (called while the config is parsed, before Flink starts). */
    default void validate(SourceConfig source) {}

    /**
     * Adds the source (and whatever it needs before the sink) to {@code env}; every message must
     * carry {@code source.name()} and {@code source.ioGroup()}. Operators get uids
     * {@code "<name>-..."} so savepoints stay compatible.
     */
    DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source);

    /**
     * For {@code --local --demo} runs: starts the built-in sender that feeds this source with demo
     * traffic (for example {@code send-spead} on a thread), or returns null when the kind needs no
     * feed (the generator). Called just before the job is submitted, so a feed must wait for its
     * endpoint (retry TCP connects with a deadline; UDP packets sent before the bind are simply
     * lost). Closing it stops the feed.
     */
    default DemoFeed startDemoFeed(SourceConfig source) throws Exception {
        return startDemoFeed(source, FeedLedger.NONE);
    }

    /**
     * {@link #startDemoFeed(SourceConfig)} that also reports what it sends to {@code ledger}
     * (tests check the committed output against it). A kind whose records the feed cannot report
     * as stored bytes reports nothing; its feed must still never send the same record twice.
     */
    default DemoFeed startDemoFeed(SourceConfig source, FeedLedger ledger) throws Exception {
        return null;
    }
}
