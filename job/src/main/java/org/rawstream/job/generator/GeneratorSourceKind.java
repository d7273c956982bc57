package org.rawstream.job.generator;

import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rawstream.job.config.Setting;
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
    public static final Setting<Double> RATE = Setting.key("rate").number(0, Double.MAX_VALUE).defaultValue(1000.0)
            .withDescription("messages per second over all subtasks; `0` = unlimited");
    public static final Setting<Long> COUNT = Setting.key("count").count(0, Long.MAX_VALUE).defaultValue(0L)
            .withDescription("messages in all; `0` = unbounded");
    public static final Setting<Integer> MESSAGE_BYTES = Setting.key("message-bytes")
            .intCount(GeneratedMessages.MIN_SIZE, 16 << 20).defaultValue(256)
            .withDescription("size of each message");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String defaultProtocol() {
        return "generator";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(RATE, COUNT, MESSAGE_BYTES);
    }

    @Override
    public String description() {
        return "built-in generator of deterministic messages; checkpointed, so a restart replays exactly";
    }

    @Override
    public DataStream<RawMessage> create(StreamExecutionEnvironment env, SourceConfig source) {
        double rate = source.get(RATE);
        long count = source.get(COUNT);
        int size = source.get(MESSAGE_BYTES);
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
