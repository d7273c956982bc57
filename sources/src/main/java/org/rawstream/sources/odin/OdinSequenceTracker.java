package org.rawstream.sources.odin;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Sequence tracking of one identifier's data packets, with the 16-bit wrap, and a bounded reorder
 * window that releases packets in sequence order.
 *
 * <p>All distances are taken modulo 65536: a sequence up to {@code window-1} ahead of the next
 * expected one waits in a ring of {@code window} slots; one further ahead (within
 * {@code resyncDistance}) pushes the window forward, releasing what it passes and counting the
 * holes as lost; one behind is a duplicate if a 64-bit history says it was seen, else late (its
 * slot was given up). Further than {@code resyncDistance} either way is taken as a sender restart:
 * the window is flushed and tracking restarts at the new sequence. A packet waits at most the
 * reorder timeout (see {@link #expire}). Packets rejected by length still fill their slot, so an
 * invalid packet is not also counted as lost.
 */
public final class OdinSequenceTracker {

    /** Receives released packets (views valid only during the call). */
    public interface Release {
        void release(ByteBuffer packet);
    }

    private static final int HISTORY_BITS = 64;

    private final int window;
    private final int resyncDistance;
    private boolean started;
    /** The next sequence expected (0..65535); slot {@code head} stands for it. */
    private int next;
    private int head;
    private final byte[][] packets;
    private final long[] arrivals;
    private final boolean[] rejected;
    private int occupied;
    /** Bit k: sequence next-1-k was received (released or rejected) rather than given up. */
    private long history;
    /** Whether the last sequence passed was given up, so a further missing one extends that gap. */
    private boolean inGap;

    public OdinSequenceTracker(int window, int resyncDistance) {
        this.window = window;
        this.resyncDistance = resyncDistance;
        this.packets = new byte[window][];
        this.arrivals = new long[window];
        this.rejected = new boolean[window];
    }

    /** Offers a valid data packet; releases it and whatever it unblocks, in sequence order. */
    public void offer(ByteBuffer packet, long now, Release out, OdinStatistics stats) {
        int sequence = OdinPackets.sequence(packet);
        int slot = admit(sequence, out, stats);
        if (slot < 0) {
            return;
        }
        if (slot == head) {
            out.release(packet);
            stats.released();
            advance(true);
            drain(out, stats);
        } else {
            byte[] copy = new byte[packet.remaining()];
            packet.get(packet.position(), copy);
            packets[slot] = copy;
            arrivals[slot] = now;
            occupied++;
        }
    }

    /** Records a data packet of this identifier that was rejected (wrong length): its slot is used. */
    public void reject(int sequence, long now, Release out, OdinStatistics stats) {
        int slot = admit(sequence, out, stats);
        if (slot < 0) {
            return;
        }
        if (slot == head) {
            advance(true);
            drain(out, stats);
        } else {
            rejected[slot] = true;
            arrivals[slot] = now;
            occupied++;
        }
    }

    /** Gives up on sequences whose successors waited {@code timeoutMillis}; releases what follows. */
    public void expire(long now, long timeoutMillis, Release out, OdinStatistics stats) {
        int last = -1;
        for (int d = 0; d < window; d++) {
            int slot = (head + d) % window;
            if (isOccupied(slot) && now - arrivals[slot] >= timeoutMillis) {
                last = d;
            }
        }
        for (int d = 0; d <= last; d++) {
            skipOne(out, stats);
        }
        drain(out, stats);
    }

    /** Releases everything waiting, giving up on the holes before it (end of input, schema change). */
    public void flush(Release out, OdinStatistics stats) {
        while (occupied > 0) {
            skipOne(out, stats);
        }
    }

    /** Earliest arrival time of a waiting packet, or {@code Long.MAX_VALUE} when none waits. */
    public long oldestArrival() {
        long oldest = Long.MAX_VALUE;
        for (int slot = 0; slot < window; slot++) {
            if (isOccupied(slot)) {
                oldest = Math.min(oldest, arrivals[slot]);
            }
        }
        return oldest;
    }

    /** Packets (and rejection marks) waiting in the window. */
    public int waiting() {
        return occupied;
    }

    /** The next sequence expected, or -1 before the first packet. */
    public int nextExpected() {
        return started ? next : -1;
    }

    /**
     * Places {@code sequence}: returns its slot (possibly {@code head}), or -1 when the packet is a
     * duplicate or late (counted here).
     */
    private int admit(int sequence, Release out, OdinStatistics stats) {
        if (!started) {
            started = true;
            next = sequence;
            return head;
        }
        int ahead = (sequence - next) & 0xFFFF;
        if (ahead >= 0x8000) {
            int behind = 0x10000 - ahead;
            if (behind <= HISTORY_BITS && (history >>> (behind - 1) & 1) != 0) {
                stats.duplicate();
                return -1;
            }
            if (behind <= resyncDistance) {
                stats.arrivedLate();
                return -1;
            }
            restart(sequence, out, stats);
            return head;
        }
        if (ahead > resyncDistance) {
            restart(sequence, out, stats);
            return head;
        }
        if (ahead >= window) {
            int passes = ahead - window + 1;
            int slotted = Math.min(passes, window);
            for (int i = 0; i < slotted; i++) {
                skipOne(out, stats);
            }
            if (passes > slotted) {
                // Beyond the ring: all missing, none waiting.
                loseMany(passes - slotted, stats);
            }
            drain(out, stats);
            ahead = (sequence - next) & 0xFFFF;
            if (ahead == 0) {
                return head;
            }
        }
        int slot = (head + ahead) % window;
        if (isOccupied(slot)) {
            stats.duplicate();
            return -1;
        }
        return slot;
    }

    private void restart(int sequence, Release out, OdinStatistics stats) {
        flush(out, stats);
        stats.sequenceReset();
        next = sequence;
        history = 0;
        inGap = false;
    }

    /** Releases the packets now at the head of the window, as long as there is no hole. */
    private void drain(Release out, OdinStatistics stats) {
        while (occupied > 0 && isOccupied(head)) {
            skipOne(out, stats);
        }
    }

    /** Passes the head slot: releases its packet, or skips its rejection, or counts it lost. */
    private void skipOne(Release out, OdinStatistics stats) {
        byte[] packet = packets[head];
        boolean received = packet != null || rejected[head];
        if (packet != null) {
            out.release(ByteBuffer.wrap(packet));
            stats.released();
        }
        if (received) {
            occupied--;
        } else {
            if (!inGap) {
                stats.gap();
            }
            stats.lost(1);
        }
        packets[head] = null;
        rejected[head] = false;
        advance(received);
    }

    private void loseMany(int count, OdinStatistics stats) {
        if (!inGap) {
            stats.gap();
        }
        stats.lost(count);
        inGap = true;
        next = (next + count) & 0xFFFF;
        head = (head + count) % window;
        history = count >= HISTORY_BITS ? 0 : history << count;
    }

    private void advance(boolean received) {
        history = history << 1 | (received ? 1 : 0);
        inGap = !received;
        next = (next + 1) & 0xFFFF;
        head = (head + 1) % window;
    }

    private boolean isOccupied(int slot) {
        return packets[slot] != null || rejected[slot];
    }

    // ---- keyed state -----------------------------------------------------------------------------

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(window);
        out.writeInt(resyncDistance);
        out.writeBoolean(started);
        out.writeShort(next);
        out.writeLong(history);
        out.writeBoolean(inGap);
        out.writeInt(occupied);
        for (int d = 0; d < window; d++) {
            int slot = (head + d) % window;
            if (isOccupied(slot)) {
                out.writeInt(d);
                out.writeLong(arrivals[slot]);
                out.writeBoolean(rejected[slot]);
                if (!rejected[slot]) {
                    out.writeInt(packets[slot].length);
                    out.write(packets[slot]);
                }
            }
        }
    }

    public static OdinSequenceTracker readFrom(DataInput in) throws IOException {
        OdinSequenceTracker t = new OdinSequenceTracker(in.readInt(), in.readInt());
        t.started = in.readBoolean();
        t.next = in.readUnsignedShort();
        t.history = in.readLong();
        t.inGap = in.readBoolean();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            int slot = in.readInt();
            t.arrivals[slot] = in.readLong();
            if (in.readBoolean()) {
                t.rejected[slot] = true;
            } else {
                byte[] packet = new byte[in.readInt()];
                in.readFully(packet);
                t.packets[slot] = packet;
            }
        }
        t.occupied = n;
        return t;
    }
}
