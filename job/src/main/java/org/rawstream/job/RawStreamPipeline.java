package org.rawstream.job;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.sinks.sink.RawMessage;

/** Builds the job graph: every configured source, unioned, into one {@code RawHdf5Sink}. */
public final class RawStreamPipeline {
    /** Operator uid of the sink: keep it stable so savepoints stay compatible. */
    public static final String SINK_UID = "raw-hdf5-sink";

    private RawStreamPipeline() {}

    public static void build(StreamExecutionEnvironment env, JobConfig config) {
        sinkTo(sources(env, config), config);
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

    public static void sinkTo(DataStream<RawMessage> messages, JobConfig config) {
        messages.sinkTo(config.sink()).name("raw-hdf5 sink").uid(SINK_UID);
    }
}
