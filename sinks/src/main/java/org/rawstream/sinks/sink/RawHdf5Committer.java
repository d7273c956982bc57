package org.rawstream.sinks.sink;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes closed part files visible: an atomic rename of the hidden file to its final name in the
 * same directory. Idempotent: when a retry (after a failure between rename and checkpoint) finds
 * the final file present and the hidden one gone, the file was already committed. A final name
 * is never overwritten.
 */
public final class RawHdf5Committer implements Committer<RawFileCommittable> {
    private static final Logger LOG = LoggerFactory.getLogger(RawHdf5Committer.class);
    private static final int MAX_RETRIES = 3;

    private final Path outputDirectory;
    private final boolean sync;
    private final Counter filesCommitted;
    private final Counter messagesCommitted;
    private final Histogram commitLatencyMillis;
    private volatile long lastCommitLatencyMillis;
    /** Per source: files and messages committed ({@code rawhdf5.source.<name>.*Committed}). */
    private final Map<String, Counter[]> perSource = new HashMap<>();

    RawHdf5Committer(Path outputDirectory, boolean sync, MetricGroup metrics, Collection<String> sources) {
        this.outputDirectory = outputDirectory;
        this.sync = sync;
        MetricGroup group = metrics.addGroup(RawHdf5SinkWriter.METRIC_GROUP);
        for (String source : sources) {
            MetricGroup g = group.addGroup(RawHdf5SinkWriter.SOURCE_GROUP_KEY, source);
            perSource.put(source, new Counter[] {g.counter("filesCommitted"), g.counter("messagesCommitted")});
        }
        this.filesCommitted = group.counter("filesCommitted");
        this.messagesCommitted = group.counter("messagesCommitted");
        this.commitLatencyMillis = group.histogram("commitLatencyMs", new DescriptiveStatisticsHistogram(256));
        group.gauge("lastCommitLatencyMs", (Gauge<Long>) () -> lastCommitLatencyMillis);
    }

    @Override
    public void commit(Collection<CommitRequest<RawFileCommittable>> requests) throws IOException {
        Set<Path> touchedDirs = new LinkedHashSet<>();
        for (CommitRequest<RawFileCommittable> request : requests) {
            RawFileCommittable c = request.getCommittable();
            Path dir = outputDirectory.resolve(c.source());
            Path hidden = dir.resolve(c.hiddenName());
            Path visible = dir.resolve(c.visibleName());
            try {
                if (Files.exists(hidden)) {
                    if (Files.exists(visible)) {
                        // Never overwrite a committed file; leave the hidden one for inspection.
                        LOG.error("Not committing {}: {} already exists", hidden, visible);
                        request.signalFailedWithKnownReason(new FileAlreadyExistsException(visible.toString()));
                        continue;
                    }
                    if (sync) {
                        force(hidden);
                    }
                    Files.move(hidden, visible, StandardCopyOption.ATOMIC_MOVE);
                    touchedDirs.add(dir);
                    filesCommitted.inc();
                    messagesCommitted.inc(c.messageCount());
                    Counter[] source = perSource.get(c.source());
                    if (source != null) {
                        source[0].inc();
                        source[1].inc(c.messageCount());
                    }
                    long latency = Math.max(0, System.currentTimeMillis() - c.closedAtMillis());
                    commitLatencyMillis.update(latency);
                    lastCommitLatencyMillis = latency;
                    LOG.debug("Committed {} ({} messages)", visible, c.messageCount());
                } else if (Files.exists(visible)) {
                    request.signalAlreadyCommitted();
                } else {
                    LOG.error("Cannot commit {}: neither it nor {} exists", visible, hidden);
                    request.signalFailedWithKnownReason(new FileNotFoundException(hidden.toString()));
                }
            } catch (IOException e) {
                if (request.getNumberOfRetries() < MAX_RETRIES) {
                    LOG.warn("Commit of {} failed, will retry: {}", visible, e.toString());
                    request.retryLater();
                } else {
                    request.signalFailedWithUnknownReason(e);
                }
            }
        }
        if (sync) {
            for (Path dir : touchedDirs) {
                force(dir); // make the renames themselves durable
            }
        }
    }

    private static void force(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public void close() {}
}
