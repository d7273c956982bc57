package org.rawstream.job.generator;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.SourceKind;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;

/**
 * {@code type: generator}: deterministic raw messages ({@link GeneratedMessages}) from Flink's
 * FLIP-27 {@link DataGeneratorSource}, rate-limited, unbounded unless {@code count} is set. Its
 * checkpointed position makes replays exact, so it also serves the exactly-once tests.
 */
public final class GeneratorSourceKind implements SourceKind {
    public static final String TYPE = "generator";
    public static final String RATE = "rate";
    public static final String COUNT = "count";
    public static final String MESSAGE_BYTES = "message-bytes";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String defaultProtocol() {
        return "generator";
    }

    @Override
    public String defaultIoVersion() {
        return "1.0";
    }

    @Override
    public Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(RATE, "1000");
        options.put(COUNT, "0");
        options.put(MESSAGE_BYTES, "256");
        return options;
    }

    @Override
    public String description() {
        return "built-in generator: rate (messages/s over all subtasks, 0 = unlimited), count (0 = unbounded), "
                + "message-bytes (8..16777216)";
    }

    @Override
    public void validate(SourceConfig source) {
        rate(source);
        count(source);
        size(source);
    }

    private static double rate(SourceConfig source) {
        return source.doubleValue(RATE, 0);
    }

    private static long count(SourceConfig source) {
        return source.longValue(COUNT, 0, Long.MAX_VALUE);
    }

    private static int size(SourceConfig source) {
        return source.intValue(MESSAGE_BYTES, GeneratedMessages.MIN_SIZE, 16 << 20);
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        double rate = rate(source);
        long count = count(source);
        int size = size(source);
        DataGeneratorSource<RawMessage> generator = new DataGeneratorSource<>(
                new RawMessageGenerator(source.name(), source.ioGroup(), size),
                count == 0 ? Long.MAX_VALUE : count,
                rate == 0 ? RateLimiterStrategy.noOp() : RateLimiterStrategy.perSecond(rate),
                RawMessageTypeInfo.INSTANCE);
        return env.fromSource(generator, WatermarkStrategy.noWatermarks(), source.name() + " (generator)",
                        RawMessageTypeInfo.INSTANCE)
                .uid(source.name() + "-generator");
    }
}
