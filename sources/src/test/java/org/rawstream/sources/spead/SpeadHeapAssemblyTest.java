package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sources.spead.SpeadTestPackets.addr;
import static org.rawstream.sources.spead.SpeadTestPackets.imm;
import static org.rawstream.sources.spead.SpeadTestPackets.packet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Live heaps, the live-heap table, the sequencer and their counters, one rule at a time. */
class SpeadHeapAssemblyTest {

    private final List<ReceivedHeap> out = new ArrayList<>();
    private SpeadStreamAssembler assembler;
    private long now;

    private void use(SpeadAssemblyConfig.Builder config) {
        assembler = new SpeadStreamAssembler(config.build());
    }

    private boolean send(byte[] p) {
        return assembler.acceptDatagram(ByteBuffer.wrap(p), 0, p.length, now, out::add);
    }

    private SpeadStreamStatistics stats() {
        return assembler.statistics();
    }

    private List<Long> delivered() {
        return out.stream().map(ReceivedHeap::heapCnt).toList();
    }

    @Test
    void packetsInAnyOrderCompleteAHeap() {
        use(SpeadAssemblyConfig.builder());
        send(packet(1, 30, 20, 10));
        send(packet(1, 30, 0, 10, addr(0x1000, 0)));
        assertThat(out).isEmpty();
        send(packet(1, 30, 10, 10));
        assertThat(delivered()).containsExactly(1L);
        ReceivedHeap h = out.get(0);
        assertThat(h.isComplete()).isTrue();
        assertThat(h.packets()).isEqualTo(3);
        byte[] expected = new byte[30];
        for (int i = 0; i < 30; i++) {
            expected[i] = (byte) i;
        }
        assertThat(h.items()).hasSize(1);
        assertThat(h.items().get(0).bytes()).isEqualTo(expected);
        assertThat(stats().heapsCompleted()).isEqualTo(1);
        assertThat(stats().singlePacketHeaps()).isZero();
    }

    /**
     * A gap notice sheds the live heaps whole: nothing of them is delivered, they count as shed
     * (with the packets they had), their memory is free again, and their later packets are late.
     */
    @Test
    void aGapShedsTheLiveHeapsWhole() {
        use(SpeadAssemblyConfig.builder());
        send(packet(1, 30, 0, 10));
        send(packet(1, 30, 10, 20)); // heap 1 complete
        send(packet(2, 30, 0, 10));
        send(packet(3, 30, 0, 10));
        send(packet(3, 30, 10, 10));
        assertThat(assembler.liveHeaps()).isEqualTo(2);
        assembler.gap();
        assertThat(assembler.liveHeaps()).isZero();
        assertThat(assembler.retainedBytes()).isZero();
        assertThat(stats().heapsShed()).isEqualTo(2);
        assertThat(stats().packetsShed()).isEqualTo(3);
        send(packet(3, 30, 20, 10)); // the rest of a shed heap
        assertThat(stats().latePackets()).isEqualTo(1);
        send(packet(4, 30, 0, 30));
        assembler.endOfStream(now, out::add);
        assertThat(delivered()).containsExactly(1L, 4L);
        assertThat(stats().heapsIncomplete()).isZero();
    }

    @Test
    void overlappingPacketsAreDuplicates() {
        use(SpeadAssemblyConfig.builder());
        send(packet(1, 30, 0, 10));
        send(packet(1, 30, 0, 10)); // exact repeat
        send(packet(1, 30, 5, 10)); // partial overlap
        send(packet(1, 30, 10, 20));
        send(packet(1, 30, 10, 20)); // repeat after completion
        assertThat(delivered()).containsExactly(1L);
        assertThat(stats().duplicatePackets()).isEqualTo(3);
        assertThat(stats().heapsCompleted()).isEqualTo(1);
        assembler.endOfStream(now, out::add);
        assertThat(out).hasSize(1); // no phantom heap
        assertThat(stats().heapsIncomplete()).isZero();
    }

    @Test
    void conflictingHeapSizesAreRejected() {
        use(SpeadAssemblyConfig.builder());
        send(packet(1, 30, 0, 10));
        send(packet(1, 40, 10, 10));
        assertThat(stats().invalidPackets(InvalidPacketReason.HEAP_SIZE_CONFLICT)).isEqualTo(1);
        // A heap size smaller than what already arrived (size first unknown) conflicts too.
        send(packet(2, -1, 0, 20));
        send(packet(2, 10, 0, 5));
        assertThat(stats().invalidPackets(InvalidPacketReason.HEAP_SIZE_CONFLICT)).isEqualTo(2);
        // Without HEAP_SIZE, a packet past the known heap size is rejected.
        send(packet(1, -1, 25, 10));
        assertThat(stats().invalidPackets(InvalidPacketReason.PAYLOAD_PAST_HEAP_SIZE)).isEqualTo(1);
        send(packet(1, 30, 10, 20));
        assertThat(delivered()).containsExactly(1L);
    }

    @Test
    void heapSizeAboveTheMaximumIsRejectedBeforeAllocation() {
        use(SpeadAssemblyConfig.builder().maxHeapSize(1 << 20).maxLiveHeaps(4));
        for (int i = 0; i < 3; i++) {
            send(packet(10 + i, 100, 0, 10));
        }
        send(packet(1, (1L << 40), 0, 10));
        send(packet(2, -1, 1L << 30, 10)); // size unknown, offset far beyond the maximum
        assertThat(stats().invalidPackets(InvalidPacketReason.HEAP_TOO_LARGE)).isEqualTo(2);
        assertThat(assembler.liveHeaps()).isEqualTo(3); // nothing evicted for the rejected packets
        assertThat(stats().heapsEvicted()).isZero();
        assertThat(assembler.retainedBytes()).isLessThan(10_000);
    }

    @Test
    void aHeapIsNotCompleteWhileAnAddressedItemPointsPastIt() {
        use(SpeadAssemblyConfig.builder());
        send(packet(1, 20, 0, 20, addr(0x1000, 0), addr(0x1001, 25)));
        assertThat(out).isEmpty();
        assembler.endOfStream(now, out::add);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).isComplete()).isFalse();
        assertThat(stats().heapsFlushed()).isEqualTo(1);
    }

    @Test
    void withoutHeapSizeAHeapNeverCompletes() {
        use(SpeadAssemblyConfig.builder());
        send(packet(1, -1, 0, 10));
        send(packet(1, -1, 10, 10));
        assertThat(out).isEmpty();
        assembler.endOfStream(now, out::add);
        assertThat(out.get(0).isComplete()).isFalse();
        assertThat(out.get(0).receivedRanges()).containsExactly(0, 20);
        assertThat(out.get(0).heapLength()).isEqualTo(20);
    }

    @Test
    void packetsOfAnotherFlavourInTheSameHeapAreRejected() {
        use(SpeadAssemblyConfig.builder());
        send(packet(1, 30, 0, 10));
        ByteBuffer b = ByteBuffer.allocate(8 + 32 + 10);
        SpeadFlavour f40 = SpeadFlavour.SPEAD_64_40;
        SpeadPacketWriter.writeHeader(b, f40, 4);
        SpeadPacketWriter.writePacketPointers(b, f40, 1, 30, 10, 10);
        send(b.array());
        assertThat(stats().invalidPackets(InvalidPacketReason.FLAVOUR_MISMATCH)).isEqualTo(1);
    }

    @Test
    void tooManyItemPointersAreRejected() {
        use(SpeadAssemblyConfig.builder().maxItemPointersPerHeap(3));
        send(packet(1, 30, 0, 10, imm(0x1000, 1), imm(0x1001, 2)));
        send(packet(1, 30, 10, 10, imm(0x1000, 1), imm(0x1002, 2), imm(0x1003, 3)));
        assertThat(stats().invalidPackets(InvalidPacketReason.TOO_MANY_ITEM_POINTERS)).isEqualTo(1);
        send(packet(1, 30, 10, 20, imm(0x1002, 2)));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).items()).hasSize(3);
    }

    @Test
    void theLiveHeapWindowEvictsTheOldestHeap() {
        use(SpeadAssemblyConfig.builder().maxLiveHeaps(2).reorderCapacity(0));
        send(packet(1, 30, 0, 10));
        send(packet(2, 30, 0, 10));
        send(packet(3, 30, 0, 10));
        assertThat(stats().heapsEvicted()).isEqualTo(1);
        assertThat(delivered()).containsExactly(1L);
        assertThat(out.get(0).isComplete()).isFalse();
        // A later packet of the evicted heap is late: no new heap for it.
        send(packet(1, 30, 10, 20));
        assertThat(stats().latePackets()).isEqualTo(1);
        assertThat(assembler.liveHeaps()).isEqualTo(2);
    }

    @Test
    void aFloodOfDistinctHeapCountersStaysBounded() {
        use(SpeadAssemblyConfig.builder().maxLiveHeaps(8).maxHeapSize(1 << 16).recentHeapMemory(64)
                .incompletePolicy(IncompleteHeapPolicy.DROP));
        for (int i = 0; i < 20_000; i++) {
            send(packet(1000 + i, 1 << 16, 0, 16));
            if (i % 1000 == 0) {
                assertThat(assembler.liveHeaps()).isLessThanOrEqualTo(8);
            }
        }
        assertThat(assembler.retainedBytes()).isLessThan(8L * ((1 << 16) + 4096) + 17L * ((1 << 16) + 4096));
        assertThat(stats().heapsEvicted()).isEqualTo(20_000 - 8);
        assertThat(stats().incompleteHeapsDropped()).isGreaterThan(19_000);
        assertThat(out).isEmpty();
    }

    @Test
    void idleHeapsExpireByTheClock() {
        use(SpeadAssemblyConfig.builder().heapTimeoutMillis(100).reorderTimeoutMillis(50));
        now = 1000;
        send(packet(1, 30, 0, 10));
        now = 1050;
        send(packet(2, 30, 0, 10));
        assembler.expire(1099, out::add);
        assertThat(out).isEmpty();
        assembler.expire(1100, out::add);
        assertThat(stats().heapsExpired()).isEqualTo(1);
        assertThat(delivered()).containsExactly(1L);
        assertThat(assembler.nextTimerMillis()).isEqualTo(1150);
        assembler.expire(1150, out::add);
        assertThat(delivered()).containsExactly(1L, 2L);
        assertThat(stats().incompleteHeapsDelivered()).isEqualTo(2);
    }

    @Test
    void theStopHeapFlushesLiveHeapsAndIsNotDelivered() {
        use(SpeadAssemblyConfig.builder());
        send(packet(1, 30, 0, 10));
        send(packet(2, 10, 0, 10));
        send(packet(3, 1, 0, 1, imm(SpeadItemIds.STREAM_CTRL, SpeadItemIds.CTRL_STOP), addr(0, 0)));
        assertThat(delivered()).containsExactly(1L, 2L);
        assertThat(out.get(0).isComplete()).isFalse();
        assertThat(stats().stops()).isEqualTo(1);
        assertThat(stats().heapsFlushed()).isEqualTo(1);
        assertThat(stats().heapsCompleted()).isEqualTo(1);
        assertThat(stats().singlePacketHeaps()).isEqualTo(2);
    }

    @Test
    void dropPolicyCountsButDoesNotDeliverIncompleteHeaps() {
        use(SpeadAssemblyConfig.builder().incompletePolicy(IncompleteHeapPolicy.DROP));
        send(packet(1, 30, 0, 10));
        send(packet(2, 10, 0, 10));
        assembler.endOfStream(now, out::add);
        assertThat(delivered()).containsExactly(2L);
        assertThat(stats().incompleteHeapsDropped()).isEqualTo(1);
        assertThat(stats().heapsFlushed()).isEqualTo(1);
    }

    @Test
    void heapsAreReleasedInCounterOrder() {
        use(SpeadAssemblyConfig.builder().heapCntStep(1));
        send(packet(1, 20, 0, 10));
        send(packet(2, 20, 0, 10));
        send(packet(3, 20, 0, 10));
        send(packet(3, 20, 10, 10));
        send(packet(2, 20, 10, 10));
        assertThat(out).isEmpty(); // 1 still live
        send(packet(1, 20, 10, 10));
        assertThat(delivered()).containsExactly(1L, 2L, 3L);
        send(packet(4, 10, 0, 10));
        assertThat(delivered()).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aFullReorderBufferReleasesTheSmallestAndLateHeapsAreCounted() {
        use(SpeadAssemblyConfig.builder().heapCntStep(1).reorderCapacity(2).maxLiveHeaps(64));
        send(packet(1, 20, 0, 10)); // stays live
        send(packet(2, 10, 0, 10));
        send(packet(3, 10, 0, 10));
        assertThat(out).isEmpty();
        send(packet(4, 10, 0, 10));
        // Over capacity: 2 leaves; then 3 and 4 follow on as the next counters.
        assertThat(delivered()).containsExactly(2L, 3L, 4L);
        send(packet(1, 20, 10, 10));
        assertThat(delivered()).containsExactly(2L, 3L, 4L, 1L);
        assertThat(stats().heapsOutOfOrder()).isEqualTo(1);
    }

    @Test
    void gapsInAKnownHeapCounterStepAreCountedAsMissing() {
        use(SpeadAssemblyConfig.builder().heapCntStep(7).reorderCapacity(1));
        for (long cnt : new long[] {100, 107, 128, 135}) {
            send(packet(cnt, 10, 0, 10));
        }
        assembler.endOfStream(now, out::add);
        assertThat(delivered()).containsExactly(100L, 107L, 128L, 135L);
        assertThat(stats().heapsMissing()).isEqualTo(2);
    }

    @Test
    void theStepCanBeLearnedOrLeftUnknown() {
        use(SpeadAssemblyConfig.builder().heapCntStep(0));
        for (long cnt : new long[] {1, 3, 5, 9, 11}) {
            send(packet(cnt, 10, 0, 10));
        }
        assembler.endOfStream(now, out::add);
        assertThat(stats().heapsMissing()).isEqualTo(1);
        out.clear();
        use(SpeadAssemblyConfig.builder().heapCntStep(-1));
        for (long cnt : new long[] {1, 3, 5, 9, 11}) {
            send(packet(cnt, 10, 0, 10));
        }
        assembler.endOfStream(now, out::add);
        assertThat(stats().heapsMissing()).isZero();
        assertThat(delivered()).containsExactly(1L, 3L, 5L, 9L, 11L);
    }

    @Test
    void heldHeapsWaitAtMostTheReorderTimeout() {
        use(SpeadAssemblyConfig.builder().heapCntStep(1).reorderTimeoutMillis(10));
        now = 0;
        send(packet(1, 10, 0, 10));
        send(packet(3, 10, 0, 10)); // 2 is missing: 3 waits
        assertThat(delivered()).containsExactly(1L);
        assembler.expire(9, out::add);
        assertThat(delivered()).containsExactly(1L);
        assembler.expire(10, out::add);
        assertThat(delivered()).containsExactly(1L, 3L);
        assertThat(stats().heapsMissing()).isEqualTo(1);
    }

    @Test
    void liveHeapStateRoundTripsMidHeap() throws Exception {
        SpeadAssemblyConfig config = SpeadAssemblyConfig.defaults();
        SpeadPacket p = new SpeadPacket();
        byte[] a = packet(5, 30, 20, 10, addr(0x1000, 0));
        assertThat(p.decodeDatagram(ByteBuffer.wrap(a), 0, a.length)).isTrue();
        LiveHeap heap = LiveHeap.open(p, 7);
        heap.add(p, 7, config);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        heap.writeTo(new java.io.DataOutputStream(bytes));
        LiveHeap back = LiveHeap.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        byte[] b = packet(5, 30, 0, 20);
        assertThat(p.decodeDatagram(ByteBuffer.wrap(b), 0, b.length)).isTrue();
        assertThat(back.add(p, 8, config)).isEqualTo(LiveHeap.AddResult.ADDED);
        assertThat(back.isComplete()).isTrue();
        ReceivedHeap done = back.freeze();
        assertThat(done.items().get(0).bytes()).hasSize(30);
        assertThat(done.items().get(0).bytes()[25]).isEqualTo((byte) 25);
        assertThat(back.firstPacketMillis()).isEqualTo(7);
        assertThat(back.lastPacketMillis()).isEqualTo(8);
    }
}
