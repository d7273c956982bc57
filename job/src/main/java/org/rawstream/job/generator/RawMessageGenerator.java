package org.rawstream.job.generator;

import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.rawstream.sinks.sink.RawMessage;

/**
 * Maps a sequence index to the generator source's {@link RawMessage}; counts what it generated in
 * {@code rawstream.<source>.recordsGenerated|bytesGenerated} (the network sources' group).
 */
public final class RawMessageGenerator implements GeneratorFunction<Long, RawMessage> {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int ioGroup;
    private final int messageBytes;
    private transient Counter recordsGenerated;
    private transient Counter bytesGenerated;

    public RawMessageGenerator(String source, int ioGroup, int messageBytes) {
        this.source = source;
        this.ioGroup = ioGroup;
        this.messageBytes = messageBytes;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        MetricGroup group = readerContext.metricGroup().addGroup("rawstream").addGroup(source);
        recordsGenerated = group.counter("recordsGenerated");
        bytesGenerated = group.counter("bytesGenerated");
    }

    @Override
    public RawMessage map(Long index) {
        RawMessage message = new RawMessage(source, ioGroup, GeneratedMessages.message(index, messageBytes));
        if (recordsGenerated != null) { // null only when used outside a source (open not called)
            recordsGenerated.inc();
            bytesGenerated.inc(messageBytes);
        }
        return message;
    }
}
