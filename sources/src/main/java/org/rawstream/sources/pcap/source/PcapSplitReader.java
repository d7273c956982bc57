package org.rawstream.sources.pcap.source;

import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Queue;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.pcap.CaptureReplay;
import org.rawstream.sources.transport.DecodeErrorCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fetcher thread: replays the assigned files one after another, a bounded batch per fetch. */
final class PcapSplitReader<T> implements SplitReader<ReplayedRecord<T>, PcapSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(PcapSplitReader.class);
    /** Longest one fetch waits for a paced packet, so wake-ups and shutdown stay prompt. */
    private static final long MAX_PACING_WAIT_MILLIS = 100;

    private final PcapSourceConfig config;
    private final NetworkProtocol<T> protocol;
    private final int subtaskIndex;
    private final CaptureReplay.Counters counters;
    private final NamedCounters protocolCounters;
    private final DecodeErrorCounter errors;
    private final Queue<PcapSplit> assigned = new ArrayDeque<>();
    private final Object wakeLock = new Object();
    private boolean woken;
    private PcapSplit current;
    private CaptureReplay<T> replay;
    private ReplayBatch<T> batch;

    PcapSplitReader(PcapSourceConfig config, NetworkProtocol<T> protocol, int subtaskIndex, CaptureReplay.Counters counters,
            NamedCounters protocolCounters, DecodeErrorCounter errors) {
        this.config = config;
        this.protocol = protocol;
        this.subtaskIndex = subtaskIndex;
        this.counters = counters;
        this.protocolCounters = protocolCounters;
        this.errors = errors;
    }

    @Override
    public RecordsWithSplitIds<ReplayedRecord<T>> fetch() throws IOException {
        if (current == null) {
            current = assigned.poll();
            if (current == null) {
                return ReplayBatch.empty();
            }
            replay = new CaptureReplay<>(config.name(), subtaskIndex, protocol, config.settings(), counters,
                    protocolCounters, errors);
            batch = new ReplayBatch<>(current.splitId());
            LOG.info("{}[{}]: replaying {}", config.name(), subtaskIndex, current);
            replay.open(Paths.get(current.path()), current.position(), batch);
        }
        ReplayBatch<T> out = batch;
        CaptureReplay.Progress progress = replay.advance(config.maxRecordsPerFetch(), config.maxBytesPerFetch());
        if (progress == CaptureReplay.Progress.END) {
            out.finish();
            LOG.info("{}[{}]: {} replayed", config.name(), subtaskIndex, current.path());
            replay.close();
            replay = null;
            current = null;
            batch = null;
        } else {
            batch = new ReplayBatch<>(current.splitId());
            replay.redirect(batch);
            if (progress == CaptureReplay.Progress.PACED) {
                waitMillis(Math.min(MAX_PACING_WAIT_MILLIS, Math.max(1, replay.nanosUntilDue() / 1_000_000)));
            }
        }
        return out;
    }

    private void waitMillis(long millis) {
        synchronized (wakeLock) {
            if (!woken) {
                try {
                    wakeLock.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            woken = false;
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<PcapSplit> splitsChange) {
        if (!(splitsChange instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("unsupported split change " + splitsChange.getClass().getName());
        }
        assigned.addAll(splitsChange.splits());
    }

    @Override
    public void wakeUp() {
        synchronized (wakeLock) {
            woken = true;
            wakeLock.notifyAll();
        }
    }

    @Override
    public void close() throws IOException {
        if (replay != null) {
            replay.close();
        }
    }
}
