package org.rawstream.job.odin;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.rawstream.sources.odin.source.OdinNamedValues;

/**
 * Where the job puts the decoded, named values of its ODIN sources: counts them
 * ({@code rawstream.<source>.valuesDecoded}) and logs one of them every {@code logIntervalMillis}
 * (0: never), so the log shows live values without growing with the packet rate.
 */
final class OdinValuesLogSink implements Sink<OdinNamedValues> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OdinValuesLogSink.class);

    private final String sourceName;
    private final long logIntervalMillis;

    OdinValuesLogSink(String sourceName, long logIntervalMillis) {
        this.sourceName = sourceName;
        this.logIntervalMillis = logIntervalMillis;
    }

    @Override
    public SinkWriter<OdinNamedValues> createWriter(WriterInitContext context) {
        Counter decoded = context.metricGroup().addGroup("rawstream").addGroup(sourceName).counter("valuesDecoded");
        return new SinkWriter<>() {
            private long nextLog;

            @Override
            public void write(OdinNamedValues values, Context ctx) {
                decoded.inc();
                if (logIntervalMillis > 0) {
                    long now = System.currentTimeMillis();
                    if (now >= nextLog) {
                        nextLog = now + logIntervalMillis;
                        LOG.info("{}: {} (values decoded so far: {})", sourceName, values, decoded.getCount());
                    }
                }
            }

            @Override
            public void flush(boolean endOfInput) {
            }

            @Override
            public void close() {
            }
        };
    }
}
