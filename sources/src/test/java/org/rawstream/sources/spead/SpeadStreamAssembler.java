package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Test driver of the SPEAD core for one stream with one substream: packets into the job's
 * {@link SubstreamAssembler} (over a {@link MemoryLiveHeapStore}), finished heaps into the job's
 * {@link HeapSequencer}, as the job's two keyed operators pass them. It adds no rule of its own;
 * it remembers the descriptors of delivered complete heaps for the tests that decode values.
 */
public final class SpeadStreamAssembler {

    private final SpeadAssemblyConfig config;
    private final SpeadPacket packet = new SpeadPacket();
    private final SubstreamAssembler assembler;
    private final MemoryLiveHeapStore store;
    private final HeapSequencer sequencer;
    private final SpeadStreamStatistics stats;
    private DescriptorTable descriptors = new DescriptorTable();

    public SpeadStreamAssembler(SpeadAssemblyConfig config) {
        this(config, new MemoryLiveHeapStore(), new HeapSequencer(), new SpeadStreamStatistics());
    }

    private SpeadStreamAssembler(SpeadAssemblyConfig config, MemoryLiveHeapStore store, HeapSequencer sequencer,
            SpeadStreamStatistics stats) {
        this.config = config;
        this.assembler = new SubstreamAssembler(config, new LiveHeapBudget(config.liveHeapMemory()));
        this.store = store;
        this.sequencer = sequencer;
        this.stats = stats;
        run(() -> assembler.chargeRestored(store));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void run(Step step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HeapConsumer remembering(HeapConsumer out) {
        return heap -> {
            if (heap.isComplete()) {
                descriptors.update(heap);
            }
            out.deliver(heap);
        };
    }

    private FinishedHeapListener toSequencer(long nowMillis, HeapConsumer out) {
        return (heap, end, low) -> sequencer.offer(heap, nowMillis, low, config, stats, remembering(out));
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
        run(() -> assembler.accept(valid, nowMillis, store, stats, toSequencer(nowMillis, out)));
    }

    /** Counts a packet that failed validation elsewhere (e.g. in a TCP framer). */
    public void invalid(InvalidPacketReason reason) {
        stats.invalid(reason);
    }

    /** Expires idle heaps and releases what waited long enough in the reorder buffer. */
    public void expire(long nowMillis, HeapConsumer out) {
        run(() -> {
            assembler.expire(nowMillis, store, stats, toSequencer(nowMillis, out));
            SubstreamHeaps sub = store.substream();
            sequencer.expire(nowMillis, sub == null ? Long.MAX_VALUE : sub.minLiveHeapCnt(), config, stats,
                    remembering(out));
        });
    }

    /** End of the stream (e.g. the TCP connection closed): flush live heaps, release everything. */
    public void endOfStream(long nowMillis, HeapConsumer out) {
        run(() -> {
            assembler.flush(store, stats, toSequencer(nowMillis, out));
            sequencer.flush(config, stats, remembering(out));
        });
    }

    /** The kernel dropped datagrams of the stream (a gap notice): live heaps are shed whole. */
    public void gap() {
        run(() -> assembler.shedLive(store, stats));
    }

    /** Earliest time {@link #expire} has work, or Long.MAX_VALUE. */
    public long nextTimerMillis() {
        long[] t = new long[1];
        run(() -> t[0] = assembler.nextExpiryMillis(store));
        return Math.min(t[0], sequencer.nextReleaseMillis(config));
    }

    public SpeadStreamStatistics statistics() {
        return stats;
    }

    public DescriptorTable descriptors() {
        return descriptors;
    }

    public int liveHeaps() {
        SubstreamHeaps sub = store.substream();
        return sub == null ? 0 : sub.liveHeaps();
    }

    public int bufferedHeaps() {
        return sequencer.buffered();
    }

    /** Memory held by live and buffered heaps. */
    public long retainedBytes() {
        return store.retainedBytes() + sequencer.retainedBytes();
    }

    public SpeadAssemblyConfig config() {
        return config;
    }

    public void writeTo(DataOutput out) throws IOException {
        store.writeTo(out);
        sequencer.writeTo(out);
        stats.writeTo(out);
        descriptors.writeTo(out);
    }

    public static SpeadStreamAssembler readFrom(DataInput in, SpeadAssemblyConfig config) throws IOException {
        MemoryLiveHeapStore store = MemoryLiveHeapStore.readFrom(in);
        HeapSequencer sequencer = HeapSequencer.readFrom(in);
        SpeadStreamStatistics stats = SpeadStreamStatistics.readFrom(in);
        SpeadStreamAssembler a = new SpeadStreamAssembler(config, store, sequencer, stats);
        a.descriptors = DescriptorTable.readFrom(in);
        return a;
    }

}
