package org.rawstream.sources.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OdinSequenceTrackerTest {

    private final List<Integer> released = new ArrayList<>();
    private final OdinSequenceTracker.Release release = p -> released.add(OdinPackets.sequence(p));
    private final OdinStatistics stats = new OdinStatistics();
    private OdinSequenceTracker tracker = new OdinSequenceTracker(8, 100);

    private void offer(int... sequences) {
        for (int s : sequences) {
            tracker.offer(ByteBuffer.wrap(OdinPacketWriter.data(1, 0, s, new byte[2])), 0, release, stats);
        }
    }

    @Test
    void inOrderThroughTheWrap() {
        offer(65533, 65534, 65535, 0, 1);
        assertThat(released).containsExactly(65533, 65534, 65535, 0, 1);
        assertThat(tracker.waiting()).isZero();
        assertThat(stats.gaps()).isZero();
        assertThat(tracker.nextExpected()).isEqualTo(2);
    }

    @Test
    void reordersWithinTheWindow() {
        offer(65535, 1, 2, 0, 3);
        assertThat(released).containsExactly(65535, 0, 1, 2, 3);
        assertThat(stats.gaps()).isZero();
        assertThat(stats.lost()).isZero();
    }

    @Test
    void duplicatesWaitingOrReleasedAreCounted() {
        offer(10, 12, 12, 10, 11, 11);
        assertThat(released).containsExactly(10, 11, 12);
        assertThat(stats.duplicates()).isEqualTo(3);
        assertThat(stats.late()).isZero();
    }

    @Test
    void aPacketBeyondTheWindowPushesItAndCountsTheGap() {
        offer(100, 103, 110);
        // window 8 from 101: 110 needs next >= 103, so 101 and 102 are given up
        assertThat(released).containsExactly(100, 103);
        assertThat(stats.gaps()).isEqualTo(1);
        assertThat(stats.lost()).isEqualTo(2);
        tracker.flush(release, stats);
        assertThat(released).containsExactly(100, 103, 110);
        assertThat(stats.gaps()).isEqualTo(2);
        assertThat(stats.lost()).isEqualTo(8);
        // a late one, given up before, is counted as late (not duplicate) and not released
        offer(102);
        assertThat(stats.late()).isEqualTo(1);
        assertThat(released).hasSize(3);
    }

    @Test
    void farBeyondTheRingLosesWithoutSlots() {
        offer(0, 50);
        assertThat(released).containsExactly(0);
        assertThat(stats.lost()).isEqualTo(42);
        assertThat(stats.gaps()).isEqualTo(1);
        tracker.flush(release, stats);
        assertThat(released).containsExactly(0, 50);
        assertThat(stats.lost()).isEqualTo(49);
        assertThat(stats.gaps()).isEqualTo(1);
    }

    @Test
    void gapAcrossTheWrap() {
        offer(65534, 1);
        tracker.flush(release, stats);
        assertThat(released).containsExactly(65534, 1);
        assertThat(stats.lost()).isEqualTo(2);
        assertThat(stats.gaps()).isEqualTo(1);
    }

    @Test
    void timeoutGivesUpOnMissingPackets() {
        tracker.offer(packet(5), 0, release, stats);
        tracker.offer(packet(7), 10, release, stats);
        tracker.offer(packet(8), 20, release, stats);
        assertThat(tracker.oldestArrival()).isEqualTo(10);
        tracker.expire(500, 1000, release, stats);
        assertThat(released).containsExactly(5);
        tracker.expire(1010, 1000, release, stats);
        assertThat(released).containsExactly(5, 7, 8);
        assertThat(stats.lost()).isEqualTo(1);
        assertThat(tracker.oldestArrival()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void rejectedPacketsFillTheirSlotWithoutCountingLoss() {
        offer(1);
        tracker.reject(3, 0, release, stats);
        offer(4);
        tracker.reject(2, 0, release, stats);
        assertThat(released).containsExactly(1, 4);
        assertThat(stats.lost()).isZero();
        assertThat(stats.gaps()).isZero();
        tracker.reject(2, 0, release, stats);
        assertThat(stats.duplicates()).isEqualTo(1);
    }

    @Test
    void senderRestartResynchronises() {
        offer(5000, 5001, 7, 8);
        assertThat(released).containsExactly(5000, 5001, 7, 8);
        assertThat(stats.sequenceResets()).isEqualTo(1);
        assertThat(stats.lost()).isZero();
        offer(40000);
        assertThat(stats.sequenceResets()).isEqualTo(2);
    }

    @Test
    void stateRoundTripKeepsWaitingPacketsAndHistory() throws Exception {
        offer(20, 22, 23);
        tracker.reject(25, 0, release, stats);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        tracker.writeTo(new DataOutputStream(bytes));
        tracker = OdinSequenceTracker.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(tracker.waiting()).isEqualTo(3);
        offer(20); // duplicate per history
        assertThat(stats.duplicates()).isEqualTo(1);
        offer(21);
        assertThat(released).containsExactly(20, 21, 22, 23);
        offer(26);
        tracker.flush(release, stats);
        assertThat(released).containsExactly(20, 21, 22, 23, 26);
        assertThat(stats.lost()).isEqualTo(1); // 24
    }

    @Test
    void windowOfOneReleasesImmediately() {
        tracker = new OdinSequenceTracker(1, 10);
        offer(3, 5, 4, 6);
        assertThat(released).containsExactly(3, 5, 6);
        assertThat(stats.late()).isEqualTo(1);
        assertThat(stats.lost()).isEqualTo(1);
    }

    private static ByteBuffer packet(int sequence) {
        return ByteBuffer.wrap(OdinPacketWriter.data(1, 0, sequence, new byte[2]));
    }
}
