package org.rawstream.job;

import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.sinks.sink.RawMessage;

/**
 * Builds the job graph: every configured source into {@code RawHdf5Sink}s — by default one per
 * source, chained to the source's operators ({@link JobConfig#SINK_PER_SOURCE}), else all sources
 * unioned into one.
 *
 * <p>Why one per source: a sink with several inputs cannot be chained, so every message would be
 * serialized into network buffers by the source's task and copied out again (into a freshly
 * allocated array) by the sink's — for 1 MiB SPEAD heaps about a fifth of the job's CPU. Chained,
 * a message reaches the sink's batch by reference. Each source's files were already its own.
 */
public final class RawStreamPipeline {
    /**
     * Operator uid of the sink of a one-source job, and of the single sink with
     * {@code sink.per-source=false}: keep it stable so savepoints stay compatible. A source's own
     * sink in a job of several sources is {@code raw-hdf5-sink-<source>}.
     */
    public static final String SINK_UID = "raw-hdf5-sink";

    private RawStreamPipeline() {}

    public static void build(StreamExecutionEnvironment env, JobConfig config) {
        build(env, config, UnaryOperator.identity());
    }

    /** The job graph with {@code beforeSink} applied to each source's messages (tests insert faults there). */
    public static void build(StreamExecutionEnvironment env, JobConfig config,
            UnaryOperator<DataStream<RawMessage>> beforeSink) {
        List<SourceConfig> sources = config.sources();
        if (sources.size() == 1 || !config.sinkPerSource()) {
            sinkTo(beforeSink.apply(sources(env, config)), config);
            return;
        }
        for (SourceConfig source : sources) {
            DataStream<RawMessage> messages = beforeSink.apply(SourceKinds.get(source.type()).create(env, source));
            DataStreamSink<RawMessage> sink = messages.sinkTo(config.sink(source))
                    .name("raw-hdf5 sink " + source.name()).uid(SINK_UID + "-" + source.name());
            // Same parallelism as the source's last operator, so that the sink is chained to it.
            if (messages.getParallelism() != ExecutionConfig.PARALLELISM_DEFAULT) {
                sink.setParallelism(messages.getParallelism());
            }
        }
    }

    /** All configured sources as one stream of {@link RawMessage}s. */
    public static DataStream<RawMessage> sources(StreamExecutionEnvironment env, JobConfig config) {
        DataStream<RawMessage> all = null;
        for (SourceConfig source : config.sources()) {
            DataStream<RawMessage> stream = SourceKinds.get(source.type()).create(env, source);
            all = all == null ? stream : all.union(stream);
        }
        return all;
    }

    /** {@code messages} into one sink for every source (uid {@link #SINK_UID}). */
    public static void sinkTo(DataStream<RawMessage> messages, JobConfig config) {
        messages.sinkTo(config.sink()).name("raw-hdf5 sink").uid(SINK_UID);
    }
}
