package org.rawstream.sources.net.reader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongConsumer;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.rawstream.sources.net.DecoderContext;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.NetworkSourceConfig;
import org.rawstream.sources.net.ReceiveTimeWatermarks;
import org.rawstream.sources.net.split.NetworkSplit;
import org.rawstream.sources.transport.DecodeErrorCounter;
import org.rawstream.sources.transport.NamedCounters;
import org.rawstream.sources.transport.SocketPoller;
import org.rawstream.sources.transport.TcpOptions;
import org.rawstream.sources.transport.TcpServer;
import org.rawstream.sources.transport.TransportStats;
import org.rawstream.sources.transport.UdpOptions;
import org.rawstream.sources.transport.UdpReceiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on the fetcher thread: owns every socket of the subtask's splits, polls them all through
 * one {@link SocketPoller} and hands the decoded records over in one batch per fetch.
 */
final class NetworkSplitReader<T> implements SplitReader<Received<T>, NetworkSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkSplitReader.class);
    private static final int MAX_FREE_BUFFERS = 16;
    /**
     * What a handed-over record costs besides its received bytes: its pooled array's rounding
     * (up to one {@link org.rawstream.sources.transport.ByteArrayPool#GRANULE}) and its objects.
     * Counted so that a flood of tiny datagrams cannot hold many times the hand-over budget.
     */
    static final long RECORD_OVERHEAD_BYTES = org.rawstream.sources.transport.ByteArrayPool.GRANULE + 128;
    /**
     * Closing: how long the fetcher keeps writing responses owed (acknowledged records) and waits
     * for peers to close before it closes the connections. Below Flink's reader close timeout.
     */
    private static final long CLOSE_FLUSH_MILLIS = 5_000;

    private final NetworkSourceConfig config;
    private final NetworkProtocol<T> protocol;
    private final TransportStats stats;
    private final DecodeErrorCounter errors;
    private final NamedCounters protocolCounters;
    private final int subtaskIndex;
    private final AcknowledgementHandOff acknowledgements;
    private final HandoverBudget budget;
    /** Task thread: told each emitted batch's receive-time progress. */
    private final LongConsumer progress;
    private final boolean trackOrdinals;
    private final boolean emissionAcknowledged;
    private final SocketPoller poller;
    private final Map<String, OpenSplit> splits = new LinkedHashMap<>();
    /**
     * Split buffers the task thread has emitted, back for reuse (their record arrays keep their
     * capacity, so a busy split does not regrow one per fetch). Bounded by what is in flight:
     * the hand-over queue's batches plus the one being filled.
     */
    private final Queue<SplitBuffer<T>> freeBuffers = new ConcurrentLinkedQueue<>();
    private int fetched;
    /** Received bytes decoders shed during the current fetch (not handed over). */
    private long shedBytes;
    /** Packets decoders shed during the current fetch. */
    private long shedPackets;
    private final SheddingLog sheddingLog;

    NetworkSplitReader(NetworkSourceConfig config, NetworkProtocol<T> protocol, int subtaskIndex, TransportStats stats,
            DecodeErrorCounter errors, NamedCounters protocolCounters, AcknowledgementHandOff acknowledgements,
            HandoverBudget budget, LongConsumer progress) {
        this.config = config;
        this.progress = progress;
        this.protocol = protocol;
        this.subtaskIndex = subtaskIndex;
        this.stats = stats;
        this.errors = errors;
        this.protocolCounters = protocolCounters;
        this.acknowledgements = acknowledgements;
        this.budget = budget;
        this.sheddingLog = new SheddingLog(config.name(), config.handoverBytes(), config.shedAt());
        this.trackOrdinals = NetworkSourceReader.tracksOrdinals(protocol);
        this.emissionAcknowledged = protocol.acknowledgesEmission();
        try {
            this.poller = SocketPoller.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acknowledgements.setWaker(poller::wakeup);
    }

    /** One open endpoint and the records it produced during the current fetch. */
    private final class OpenSplit {
        final NetworkSplit split;
        final long openedNanos = System.nanoTime();
        UdpReceiver<T> udp;
        TcpServer<T> tcp;
        SplitBuffer<T> buffer;

        OpenSplit(NetworkSplit split) {
            this.split = split;
        }

        SplitBuffer<T> buffer() {
            if (buffer == null) {
                SplitBuffer<T> free = freeBuffers.poll();
                if (free != null) {
                    free.reset(split.splitId());
                    buffer = free;
                } else {
                    buffer = new SplitBuffer<>(split.splitId(), trackOrdinals);
                }
            }
            return buffer;
        }

        void add(T record, long connectionId, long ordinal) {
            buffer().add(record, connectionId, ordinal, poller.receiveMillis());
            fetched++;
        }

        /** Bounded mode: no data for the idle time (and, for TCP, no connection open). */
        boolean idle(long now) {
            long last = udp != null ? udp.lastReceiveNanos() : tcp.lastActivityNanos();
            if (tcp != null && tcp.openConnections() > 0) {
                return false;
            }
            if (last == 0) {
                return now - openedNanos >= config.firstDataTimeoutMillis() * 1_000_000L;
            }
            return now - last >= config.stopWhenIdleMillis() * 1_000_000L;
        }

        void close() {
            try {
                if (udp != null) {
                    poller.remove(udp);
                    udp.close();
                }
                if (tcp != null) {
                    poller.remove(tcp);
                    tcp.close();
                }
            } catch (IOException e) {
                LOG.warn("{}: closing {} failed: {}", config.name(), split, e.toString());
            }
        }
    }

    @Override
    public RecordsWithSplitIds<Received<T>> fetch() throws IOException {
        deliverAcknowledgements();
        try {
            if (!budget.awaitRoom(config.pollTimeoutMillis())) {
                // The task thread is behind by the whole budget: leave the data in the kernel's
                // buffer (what overflows it is dropped there, and counted by the kernel) and hand
                // an empty batch back so the fetcher can run its other tasks.
                // No progress either: what waits in the kernel is received (stamped) later.
                budget.acquire(0);
                return new ReceivedBatch<>(this::recycle, budget, 0, ReceiveTimeWatermarks.NONE, progress);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            budget.acquire(0);
            return new ReceivedBatch<>(this::recycle, budget, 0, ReceiveTimeWatermarks.NONE, progress);
        }
        long bytesBefore = stats.bytesReceived();
        int work = poller.poll(config.pollTimeoutMillis());
        long until = System.nanoTime() + config.pollTimeoutMillis() * 1_000_000L;
        while (fetched < config.maxRecordsPerFetch()) {
            if (work > 0) {
                work = poller.poll(0);
                continue;
            }
            // Drained. While the task thread is behind, keep reading into this batch (up to the
            // poll timeout): every fetch is a batch in the hand-over queue, and small ones — the
            // sockets drained quickly, or decoders shed what came — would fill its batch
            // capacity, block this thread and leave the packets to the kernel to drop.
            long left = until - System.nanoTime();
            if (left <= 0 || !budget.behind()) {
                break;
            }
            work = poller.poll(Math.max(1, left / 1_000_000L));
        }
        deliverAcknowledgements();
        long bytes = stats.bytesReceived() - bytesBefore - shedBytes + RECORD_OVERHEAD_BYTES * fetched;
        budget.acquire(bytes);
        sheddingLog.afterFetch(shedPackets, shedBytes, budget.overloaded(), budget.inFlight(), budget.batches(),
                System.nanoTime());
        shedBytes = 0;
        shedPackets = 0;
        // The sockets were polled at the poller's last clock reading: whatever arrives later is
        // stamped no earlier (the clock only advances), so the batch carries that as its progress.
        ReceivedBatch<T> batch = new ReceivedBatch<>(this::recycle, budget, bytes, poller.receiveMillis(), progress);
        for (OpenSplit s : splits.values()) {
            if (s.buffer != null) {
                batch.add(s.buffer);
                s.buffer = null;
            }
        }
        fetched = 0;
        if (config.bounded()) {
            long now = System.nanoTime();
            Iterator<OpenSplit> it = splits.values().iterator();
            while (it.hasNext()) {
                OpenSplit s = it.next();
                if (s.idle(now)) {
                    LOG.info("{}: {} idle, finishing it (bounded mode)", config.name(), s.split);
                    s.close();
                    it.remove();
                    batch.finished(s.split.splitId());
                }
            }
        }
        return batch;
    }

    /** Task thread: a batch's split buffer was emitted. */
    private void recycle(SplitBuffer<T> buffer) {
        buffer.reset(null);
        if (freeBuffers.size() < MAX_FREE_BUFFERS) {
            freeBuffers.offer(buffer);
        }
        if (emissionAcknowledged) {
            acknowledgements.batchEmitted();
        }
    }

    private void deliverAcknowledgements() {
        AcknowledgementHandOff.Acknowledgement ack;
        while ((ack = acknowledgements.poll()) != null) {
            OpenSplit s = splits.get(ack.splitId);
            if (s == null || s.tcp == null) {
                stats.acknowledgementsDropped.increment();
                continue;
            }
            s.tcp.acknowledge(ack.connectionId, ack.durableRecords);
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<NetworkSplit> splitsChange) {
        if (!(splitsChange instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("unsupported split change " + splitsChange.getClass().getName());
        }
        List<OpenSplit> opened = new ArrayList<>();
        NetworkSplit current = null;
        try {
            for (NetworkSplit split : splitsChange.splits()) {
                if (splits.containsKey(split.splitId())) {
                    continue;
                }
                current = split;
                OpenSplit s = open(split);
                opened.add(s);
                splits.put(split.splitId(), s);
            }
        } catch (IOException e) {
            for (OpenSplit s : opened) {
                s.close();
                splits.remove(s.split.splitId());
            }
            if (e instanceof BindException) {
                // Another process holds the port (or the address is not this host's): a restart
                // cannot change that, so the job ends with this message instead of looping.
                throw new SuppressRestartsException(new UncheckedIOException(config.name() + ": cannot listen on "
                        + current.endpointKey() + ": " + e.getMessage() + " (the job stops: restarting cannot free the port)", e));
            }
            throw new UncheckedIOException(config.name() + ": cannot open " + splitsChange.splits(), e);
        }
    }

    private OpenSplit open(NetworkSplit split) throws IOException {
        OpenSplit s = new OpenSplit(split);
        DecoderContext context = new DecoderContext(config.name(), subtaskIndex, split, protocolCounters,
                budget::overloaded, bytes -> {
                    shedBytes += bytes;
                    shedPackets++;
                });
        if (split.transport() == NetworkSplit.Transport.UDP) {
            UdpOptions options = config.udpOptions(split);
            if (options == null) {
                LOG.warn("{}: restored split {} is no longer configured; opening it with default options",
                        config.name(), split);
                options = UdpOptions.builder(split.port()).bindHost(split.host()).build();
            }
            s.udp = UdpReceiver.open(options, protocol.createDatagramDecoder(context),
                    record -> s.add(record, Received.NO_CONNECTION, -1), errors, stats);
            context.lendFrom(s.udp::lendDatagram);
            poller.add(s.udp);
        } else {
            TcpOptions options = config.tcpOptions(split);
            if (options == null) {
                LOG.warn("{}: restored split {} is no longer configured; opening it with default options",
                        config.name(), split);
                options = TcpOptions.builder(split.port()).bindHost(split.host()).build();
            }
            s.tcp = TcpServer.open(options, connection -> protocol.createStreamDecoder(context, connection),
                    s::add, errors, stats);
            poller.add(s.tcp);
        }
        return s;
    }

    private void flushOwedResponses() throws IOException {
        boolean tcp = false;
        for (OpenSplit s : splits.values()) {
            if (s.tcp != null) {
                s.tcp.drain();
                tcp = true;
            }
        }
        if (!tcp) {
            return;
        }
        deliverAcknowledgements();
        for (OpenSplit s : splits.values()) {
            if (s.tcp != null) {
                s.tcp.finish();
            }
        }
        long deadline = System.nanoTime() + CLOSE_FLUSH_MILLIS * 1_000_000L;
        while (openConnections() > 0 && System.nanoTime() - deadline < 0) {
            poller.poll(10);
        }
    }

    private int openConnections() {
        int open = 0;
        for (OpenSplit s : splits.values()) {
            if (s.tcp != null) {
                open += s.tcp.openConnections();
            }
        }
        return open;
    }

    @Override
    public void wakeUp() {
        poller.wakeup();
        budget.wakeUp();
    }

    /**
     * Fetcher thread, at the end: decode nothing more, deliver the acknowledgements handed over
     * last (the final checkpoint's, or in emission mode everything emitted), write the responses
     * owed and end each connection's stream gracefully (up to {@link #CLOSE_FLUSH_MILLIS}), then
     * close every socket. So a clean stop answers every request it committed.
     */
    @Override
    public void close() throws IOException {
        try {
            flushOwedResponses();
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: writing the last responses failed: {}", config.name(), e.toString());
        }
        for (OpenSplit s : splits.values()) {
            s.close();
        }
        splits.clear();
        poller.close();
    }
}
