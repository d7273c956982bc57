package org.rawstream.sinks.sink;

import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/**
 * The metrics of one sink writer subtask under {@code rawhdf5} (per source under
 * {@code rawhdf5.source.<name>}). Each counter has one writing thread: the append thread counts
 * what reaches the files and the output failures, the task thread counts its waits for the append
 * thread; {@code openFileBytes} is written by the append thread and read by the metric reporter.
 */
final class SinkWriterMetrics {
    private final MetricGroup group;
    private final Counter recordsWritten;
    private final Counter bytesWritten;
    private final Counter filesClosed;
    private final Counter numRecordsSend;
    private final Counter numBytesSend;
    private final Counter appendWaits;
    private final Counter writeFailures;
    private final Counter spaceRefusals;
    private volatile long openFileBytes;

    SinkWriterMetrics(SinkWriterMetricGroup metrics, Path outputDirectory) {
        this.group = metrics.addGroup(RawHdf5SinkWriter.METRIC_GROUP);
        this.recordsWritten = group.counter("recordsWritten");
        this.bytesWritten = group.counter("bytesWritten");
        this.filesClosed = group.counter("filesClosed");
        group.gauge("openFileBytes", (Gauge<Long>) () -> openFileBytes);
        this.appendWaits = group.counter("appendWaits");
        this.writeFailures = group.counter("writeFailures");
        this.spaceRefusals = group.counter("spaceRefusals");
        group.gauge("outputUsableBytes", (Gauge<Long>) () -> OutputFaults.usableBytes(outputDirectory));
        this.numRecordsSend = metrics.getNumRecordsSendCounter();
        this.numBytesSend = metrics.getNumBytesSendCounter();
    }

    /** Registers the {@code appendQueueBytes} gauge. */
    void watchAppendQueue(LongSupplier queuedBytes) {
        group.gauge("appendQueueBytes", (Gauge<Long>) queuedBytes::getAsLong);
    }

    /** The counters of one source. */
    SourceMetrics source(String name) {
        return new SourceMetrics(group.addGroup(RawHdf5SinkWriter.SOURCE_GROUP_KEY, name));
    }

    /** Append thread: a batch reached {@code source}'s open file. */
    void appended(SourceMetrics source, int messages, long bytes) {
        source.recordsWritten.inc(messages);
        source.bytesWritten.inc(bytes);
        recordsWritten.inc(messages);
        numRecordsSend.inc(messages);
        bytesWritten.inc(bytes);
        numBytesSend.inc(bytes);
        openFileBytes += bytes; // single writer: the append thread
    }

    /** Append thread: a file of {@code source} holding {@code bytes} was closed. */
    void fileClosed(SourceMetrics source, long bytes) {
        openFileBytes -= bytes;
        filesClosed.inc();
        source.filesClosed.inc();
    }

    /** Append thread: a file was dropped without being closed for commit (close after a failure). */
    void fileDropped(long bytes) {
        openFileBytes -= bytes;
    }

    /** Append thread: the first output failure of this writer ({@code refused}: by the space guard). */
    void outputFailed(boolean refused) {
        (refused ? spaceRefusals : writeFailures).inc();
    }

    /** Task thread: a full batch waited for room in the append queue. */
    void appendWaited() {
        appendWaits.inc();
    }

    /** One source's share of the writer's counters. */
    static final class SourceMetrics {
        private final Counter recordsWritten;
        private final Counter bytesWritten;
        private final Counter filesClosed;

        private SourceMetrics(MetricGroup group) {
            this.recordsWritten = group.counter("recordsWritten");
            this.bytesWritten = group.counter("bytesWritten");
            this.filesClosed = group.counter("filesClosed");
        }
    }
}
