package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Everything one SPEAD stream needs, in one place: packet validation, the live-heap table, the
 * sequencer (ordered release, policy, descriptors, gaps) and the statistics. Plain Java; its
 * state serialises with {@link #writeTo}/{@link #readFrom} (the configuration is not state).
 */
public final class SpeadStreamAssembler implements FinishedHeapListener {

    private final SpeadAssemblyConfig config;
    private final SpeadPacket packet = new SpeadPacket();
    private final LiveHeapBudget budget;
    private LiveHeapTable table;
    private HeapSequencer sequencer;
    private SpeadStreamStatistics stats;
    private HeapConsumer currentOut;
    private long currentNow;

    public SpeadStreamAssembler(SpeadAssemblyConfig config) {
        this(config, new LiveHeapTable(config), new HeapSequencer(), new SpeadStreamStatistics());
    }

    private SpeadStreamAssembler(SpeadAssemblyConfig config, LiveHeapTable table, HeapSequencer sequencer,
            SpeadStreamStatistics stats) {
        this.config = config;
        this.budget = new LiveHeapBudget(config.liveHeapMemory());
        table.charge(budget);
        this.table = table;
        this.sequencer = sequencer;
        this.stats = stats;
    }

    /** One UDP datagram (exactly one packet). Returns false when it was invalid (and counted). */
    public boolean acceptDatagram(ByteBuffer buf, int offset, int length, long nowMillis, HeapConsumer out) {
        if (!packet.decodeDatagram(buf, offset, length)) {
            stats.invalid(packet.invalidReason());
            return false;
        }
        accept(packet, nowMillis, out);
        return true;
    }

    /** One already validated packet. */
    public void accept(SpeadPacket valid, long nowMillis, HeapConsumer out) {
        currentOut = out;
        currentNow = nowMillis;
        try {
            table.accept(valid, nowMillis, config, budget, stats, this);
        } finally {
            currentOut = null;
        }
    }

    /** Counts a packet that failed validation elsewhere (e.g. in a TCP framer). */
    public void invalid(InvalidPacketReason reason) {
        stats.invalid(reason);
    }

    /** Expires idle heaps and releases what waited long enough in the reorder buffer. */
    public void expire(long nowMillis, HeapConsumer out) {
        currentOut = out;
        currentNow = nowMillis;
        try {
            table.expire(nowMillis, config, budget, stats, this);
            sequencer.expire(nowMillis, table.minLiveHeapCnt(), config, stats, out);
        } finally {
            currentOut = null;
        }
    }

    /** End of the stream (e.g. the TCP connection closed): flush live heaps, release everything. */
    public void endOfStream(long nowMillis, HeapConsumer out) {
        currentOut = out;
        currentNow = nowMillis;
        try {
            table.flush(budget, stats, this);
            sequencer.flush(config, stats, out);
        } finally {
            currentOut = null;
        }
    }

    @Override
    public void heapFinished(ReceivedHeap heap, HeapEnd end) {
        sequencer.offer(heap, currentNow, table.minLiveHeapCnt(), config, stats, currentOut);
    }

    /** Earliest time {@link #expire} has work, or Long.MAX_VALUE. */
    public long nextTimerMillis() {
        return Math.min(table.nextExpiryMillis(config), sequencer.nextReleaseMillis(config));
    }

    public SpeadStreamStatistics statistics() {
        return stats;
    }

    public DescriptorTable descriptors() {
        return sequencer.descriptors();
    }

    public int liveHeaps() {
        return table.liveHeaps();
    }

    public int bufferedHeaps() {
        return sequencer.buffered();
    }

    /** Memory held by live and buffered heaps. */
    public long retainedBytes() {
        return table.retainedBytes() + sequencer.retainedBytes();
    }

    public SpeadAssemblyConfig config() {
        return config;
    }

    public void writeTo(DataOutput out) throws IOException {
        table.writeTo(out);
        sequencer.writeTo(out);
        stats.writeTo(out);
    }

    public static SpeadStreamAssembler readFrom(DataInput in, SpeadAssemblyConfig config) throws IOException {
        LiveHeapTable table = LiveHeapTable.readFrom(in);
        HeapSequencer sequencer = HeapSequencer.readFrom(in);
        SpeadStreamStatistics stats = SpeadStreamStatistics.readFrom(in);
        return new SpeadStreamAssembler(config, table, sequencer, stats);
    }
}
