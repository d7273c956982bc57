package org.rawstream.job.generator;

import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.rawstream.sinks.sink.RawMessage;

/** Maps a sequence index to the generator source's {@link RawMessage}. */
public final class RawMessageGenerator implements GeneratorFunction<Long, RawMessage> {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int ioGroup;
    private final int messageBytes;

    public RawMessageGenerator(String source, int ioGroup, int messageBytes) {
        this.source = source;
        this.ioGroup = ioGroup;
        this.messageBytes = messageBytes;
    }

    @Override
    public RawMessage map(Long index) {
        return new RawMessage(source, ioGroup, GeneratedMessages.message(index, messageBytes));
    }
}
