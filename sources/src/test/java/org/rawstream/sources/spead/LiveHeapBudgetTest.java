package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sources.spead.SpeadTestPackets.packet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Live-heap memory: committed as bytes arrive, bounded by the budget, held for snapshots that share it. */
class LiveHeapBudgetTest {

    private static final SpeadAssemblyConfig CONFIG = SpeadAssemblyConfig.builder().maxLiveHeaps(64).build();

    private static SpeadPacket decoded(byte[] raw) {
        SpeadPacket p = new SpeadPacket();
        assertThat(p.decodeDatagram(ByteBuffer.wrap(raw), 0, raw.length)).isTrue();
        return p;
    }

    @Test
    void aPacketClaimingAHugeHeapCostsItsBytesNotTheClaim() throws Exception {
        LiveHeapBudget budget = new LiveHeapBudget(64L << 20);
        Table table = new Table(CONFIG, budget);
        SpeadStreamStatistics stats = new SpeadStreamStatistics();
        List<ReceivedHeap> out = new ArrayList<>();
        // One byte at the start and one at the end of heaps claiming 16 MiB and the maximum (64 MiB).
        table.accept(decoded(packet(1, 16L << 20, 0, 1)), 0, CONFIG, budget, stats, (h, e) -> out.add(h));
        table.accept(decoded(packet(2, 64L << 20, (64L << 20) - 1, 1)), 0, CONFIG, budget, stats, (h, e) -> out.add(h));
        assertThat(table.liveHeaps()).isEqualTo(2);
        // One byte and the bookkeeping each (the first packet is held exactly until a second comes).
        assertThat(budget.used()).isEqualTo(table.retainedBytes()).isLessThan(2 * 1024);
        // A second packet: its bytes and bookkeeping, not the span between.
        table.accept(decoded(packet(1, 16L << 20, (16L << 20) - 100, 100)), 0, CONFIG, budget, stats, (h, e) -> out.add(h));
        assertThat(budget.used()).isEqualTo(table.retainedBytes()).isLessThan(2 * HeapPayload.CHUNK_BYTES + 3 * 1024);
        table.flush(budget, stats, (h, e) -> out.add(h));
        assertThat(budget.used()).isZero();
        // The finished heaps do not materialise what they claim either.
        assertThat(out).hasSize(2);
        assertThat(out.get(1).retainedBytes()).isLessThan(1024);
        assertThat(out.get(0).receivedRanges()).containsExactly(0, 1, (16L << 20) - 100, 16L << 20);
        assertThat(out.get(0).items()).isEmpty();
        assertThat(StoredHeapCodec.encodedLength(out.get(1))).isLessThan(100);
    }

    @Test
    void newHeapsAreRefusedWhenTheBudgetIsSpentAndHeapsAlreadyStartedComplete() throws Exception {
        // 1 MiB: new heaps below 768 KiB of live heaps.
        LiveHeapBudget budget = new LiveHeapBudget(1L << 20);
        SpeadAssemblyConfig config = SpeadAssemblyConfig.builder().maxLiveHeaps(1000).build();
        Table table = new Table(config, budget);
        SpeadStreamStatistics stats = new SpeadStreamStatistics();
        List<ReceivedHeap> done = new ArrayList<>();
        int heapSize = 128 * 1024;
        // Heaps start with their first 8000 bytes until the admission share is spent.
        int started = 0;
        for (long cnt = 1; cnt <= 200; cnt++) {
            long liveBefore = table.liveHeaps();
            table.accept(decoded(packet(cnt, heapSize, 0, 8000)), 0, config, budget, stats, (h, e) -> done.add(h));
            if (table.liveHeaps() > liveBefore) {
                started++;
            }
        }
        assertThat(stats.heapsRefused()).isPositive().isEqualTo(200 - started);
        assertThat(budget.heapsRefused()).isEqualTo(stats.heapsRefused());
        assertThat(budget.used()).isLessThanOrEqualTo((long) (LiveHeapBudget.ADMIT_FRACTION * (1 << 20)) + 16384);
        // A refused heap stays refused: its later packets are refused, never a partial heap.
        long refusedPackets = stats.packetsRefused();
        table.accept(decoded(packet(200, heapSize, 8000, 8000)), 0, config, budget, stats, (h, e) -> done.add(h));
        assertThat(stats.packetsRefused()).isEqualTo(refusedPackets + 1);
        assertThat(table.liveHeaps()).isEqualTo(started);
        // Heap 1 (started) is fed to completion while within the limit; its memory comes back.
        for (int off = 8000; off < heapSize; off += 8000) {
            table.accept(decoded(packet(1, heapSize, off, Math.min(8000, heapSize - off))), 0, config, budget, stats,
                    (h, e) -> done.add(h));
        }
        assertThat(done).hasSize(1);
        assertThat(done.get(0).isComplete()).isTrue();
        assertThat(budget.used()).isLessThanOrEqualTo(budget.limit());
        assertThat(budget.maxUsed()).isLessThanOrEqualTo(budget.limit() + 4096);
        table.flush(budget, stats, (h, e) -> done.add(h));
        assertThat(budget.used()).isZero();
        // With room again, new heaps are admitted.
        table.accept(decoded(packet(500, 100, 0, 100)), 0, config, budget, stats, (h, e) -> done.add(h));
        assertThat(done.get(done.size() - 1).isComplete()).isTrue();
    }

    @Test
    void stateCopiesDroppedWhileASnapshotIsTakenStayChargedUntilItCompletes() throws Exception {
        LiveHeapBudget budget = new LiveHeapBudget(64L << 20);
        Table table = new Table(CONFIG, budget);
        SpeadStreamStatistics stats = new SpeadStreamStatistics();
        int heapSize = 1 << 20;
        for (int off = 0; off < heapSize / 2; off += 8000) {
            table.accept(decoded(packet(7, heapSize, off, 8000)), 0, CONFIG, budget, stats, (h, e) -> { });
        }
        long usedBefore = budget.used();
        assertThat(usedBefore).isEqualTo(table.retainedBytes());
        // A heap-backend snapshot holds the payload pieces written into keyed state (not the live
        // heaps' chunks): those are charged while in state and, once dropped while a snapshot is
        // being written, until the checkpoint completes.
        budget.chargeStateCopy(500_000);
        budget.snapshotStarted();
        budget.releaseStateCopy(500_000);
        assertThat(budget.pinned()).isEqualTo(500_000);
        // Live heaps' chunks are never shared with a snapshot: a finished heap's charge comes back at once.
        List<ReceivedHeap> done = new ArrayList<>();
        table.flush(budget, stats, (h, e) -> done.add(h));
        done.forEach(ReceivedHeap::release);
        assertThat(budget.used()).isEqualTo(budget.pinned());
        budget.snapshotDone();
        assertThat(budget.used()).isZero();
        // Without a snapshot under way a dropped state copy's charge comes back at once.
        budget.chargeStateCopy(1000);
        budget.releaseStateCopy(1000);
        assertThat(budget.used()).isZero();
    }

    /** The core over an in-memory store, with the call shape these tests were written in. */
    private static final class Table {
        private final SubstreamAssembler assembler;
        private final MemoryLiveHeapStore store = new MemoryLiveHeapStore();

        Table(SpeadAssemblyConfig config, LiveHeapBudget budget) {
            assembler = new SubstreamAssembler(config, budget);
        }

        void accept(SpeadPacket p, long now, SpeadAssemblyConfig config, LiveHeapBudget budget,
                SpeadStreamStatistics stats, java.util.function.BiConsumer<ReceivedHeap, HeapEnd> out) throws Exception {
            assembler.accept(p, now, store, stats, (h, e, low) -> out.accept(h, e));
        }

        void flush(LiveHeapBudget budget, SpeadStreamStatistics stats,
                java.util.function.BiConsumer<ReceivedHeap, HeapEnd> out) throws Exception {
            assembler.flush(store, stats, (h, e, low) -> out.accept(h, e));
        }

        int liveHeaps() {
            SubstreamHeaps sub = store.substream();
            return sub == null ? 0 : sub.liveHeaps();
        }

        long retainedBytes() {
            return store.retainedBytes();
        }
    }
}
