package org.rawstream.job.source;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.Setting;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.transport.EndpointOptions;

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

    /**
     * {@code io_version} written to /meta unless the source overrides it; null = none. "1.0", the
     * first version of a protocol's stored layout, unless the kind says otherwise.
     */
    default String defaultIoVersion() {
        return "1.0";
    }

    /**
     * The kind's settings (keys without {@code source.<name>.}), each defined once with its type,
     * range, safe default and description: the parser, {@code --list-source-types} and the
     * reference in docs/configuration.md are made from these.
     */
    List<Setting<?>> settings();

    /**
     * The settings of a source whose {@code protocol} is set to this value (null when not set);
     * a kind that serves several protocols (pcap) adds the protocol's own settings.
     *
     * @throws IllegalArgumentException if the kind cannot serve that protocol
     */
    default List<Setting<?>> settings(String protocol) {
        return settings();
    }

    /** The settings' keys and defaults as users write them (empty = no default). */
    default Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        settings().forEach(s -> options.put(s.key(), s.defaultText()));
        return options;
    }

    /** {@code io_version} for a source whose /meta protocol is {@code protocol}. */
    default String defaultIoVersion(String protocol) {
        return defaultIoVersion();
    }

    /** One line of help for the option list. */
    String description();

    /**
     * Checks what the single settings cannot: how they combine, and that the protocol's own
     * configuration objects accept them. Called while the config is parsed, after every setting
     * was parsed against its range, before Flink starts; throws {@link IllegalArgumentException}
     * (one line naming the source and key).
     */
    default void validate(SourceConfig source) {}

    /**
     * The sockets the source listens on (none for a file or a generator): the start-up checks
     * refuse a port given twice or in use before anything runs.
     */
    default List<EndpointOptions> endpoints(SourceConfig source) {
        return List.of();
    }

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
