package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sources.spead.SpeadTestPackets.packet;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Live-heap memory: committed as bytes arrive, bounded by the budget, not doubled by snapshot copies. */
class LiveHeapBudgetTest {

    private static final SpeadAssemblyConfig CONFIG = SpeadAssemblyConfig.builder().maxLiveHeaps(64).build();

    private static SpeadPacket decoded(byte[] raw) {
        SpeadPacket p = new SpeadPacket();
        assertThat(p.decodeDatagram(ByteBuffer.wrap(raw), 0, raw.length)).isTrue();
        return p;
    }

    @Test
    void aPacketClaimingAHugeHeapCostsItsBytesNotTheClaim() {
        LiveHeapBudget budget = new LiveHeapBudget(64L << 20);
        LiveHeapTable table = new LiveHeapTable(CONFIG);
        SpeadStreamStatistics stats = new SpeadStreamStatistics();
        List<ReceivedHeap> out = new ArrayList<>();
        // One byte at the start and one at the end of heaps claiming 16 MiB and the maximum (64 MiB).
        table.accept(decoded(packet(1, 16L << 20, 0, 1)), 0, CONFIG, budget, stats, (h, e) -> out.add(h));
        table.accept(decoded(packet(2, 64L << 20, (64L << 20) - 1, 1)), 0, CONFIG, budget, stats, (h, e) -> out.add(h));
        assertThat(table.liveHeaps()).isEqualTo(2);
        // One byte and the bookkeeping each (the first packet is held exactly until a second comes).
        assertThat(budget.used()).isEqualTo(table.retainedBytes()).isLessThan(2 * 1024);
        // A second packet moves a heap into chunks: one chunk each for its start and its end.
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
    void newHeapsAreRefusedWhenTheBudgetIsSpentAndHeapsAlreadyStartedComplete() {
        // 1 MiB: new heaps below 768 KiB of live heaps.
        LiveHeapBudget budget = new LiveHeapBudget(1L << 20);
        SpeadAssemblyConfig config = SpeadAssemblyConfig.builder().maxLiveHeaps(1000).build();
        LiveHeapTable table = new LiveHeapTable(config);
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
    void aSnapshotCopySharesChunksAndStaysIntactWhileTheLiveTableGoesOn() throws Exception {
        LiveHeapBudget budget = new LiveHeapBudget(64L << 20);
        LiveHeapTable table = new LiveHeapTable(CONFIG);
        SpeadStreamStatistics stats = new SpeadStreamStatistics();
        int heapSize = 1 << 20;
        for (int off = 0; off < heapSize / 2; off += 8000) {
            table.accept(decoded(packet(7, heapSize, off, 8000)), 0, CONFIG, budget, stats, (h, e) -> { });
        }
        long usedBefore = budget.used();
        // What the copy-on-write backend does while a snapshot is written: the copy goes on, the
        // original is serialised later.
        LiveHeapTable original = table;
        LiveHeapTable live = table.copy();
        byte[] expected = serialise(original);
        List<ReceivedHeap> done = new ArrayList<>();
        for (int off = heapSize / 2 - (heapSize / 2) % 8000 + 8000; off < heapSize; off += 8000) {
            live.accept(decoded(packet(7, heapSize, off, Math.min(8000, heapSize - off))), 0, CONFIG, budget, stats,
                    (h, e) -> done.add(h));
        }
        // Heap 7 has a gap (offsets skipped above), so complete it through a flush and release it.
        live.flush(budget, stats, (h, e) -> done.add(h));
        done.forEach(ReceivedHeap::release);
        // Fresh heaps may reuse pooled chunks: the snapshot must still read what it held.
        for (long cnt = 100; cnt < 140; cnt++) {
            live.accept(decoded(packet(cnt, 65536, 0, 8000)), 0, CONFIG, budget, stats, (h, e) -> { });
        }
        assertThat(serialise(original)).isEqualTo(expected);
        // Heap 7's chunks were shared with the snapshot: charged until the checkpoint completes.
        assertThat(budget.pinned()).isPositive();
        assertThat(budget.used()).isEqualTo(live.retainedBytes() + budget.pinned());
        budget.snapshotDone();
        assertThat(budget.used()).isEqualTo(live.retainedBytes());
        assertThat(usedBefore).isPositive();
        LiveHeapTable back = LiveHeapTable.readFrom(new DataInputStream(new ByteArrayInputStream(expected)));
        assertThat(back.retainedBytes()).isLessThan(heapSize); // half a heap arrived: about half is held
    }

    private static byte[] serialise(LiveHeapTable t) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        t.writeTo(new DataOutputStream(b));
        return b.toByteArray();
    }
}
