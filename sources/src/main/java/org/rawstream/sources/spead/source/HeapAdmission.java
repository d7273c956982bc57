package org.rawstream.sources.spead.source;

/**
 * Whole-heap load shedding for one SPEAD stream, on the receiving thread: the heap is the unit.
 * The packet that opens a heap (a counter not seen recently) is where the heap is admitted or
 * shed; every later packet of the heap follows that decision, so assembly gets either all of a
 * heap's packets or none. Heaps already started are always fed, whatever the load.
 *
 * <p>Remembers the last {@code capacity} admitted and the last {@code capacity} shed heap
 * counters (at least the assembly's live-heap window: a heap forgotten here has been evicted
 * there too). Fetcher thread only; no allocation per packet.
 */
final class HeapAdmission {
    /** What to do with a packet. */
    enum Decision { ADMIT, SHED_NEW, SHED }

    private final long[] admitted;
    private int admittedNext;
    private int admittedSize;
    private final long[] shed;
    private int shedNext;
    private int shedSize;
    private boolean hasLast;
    private long lastCnt;
    private boolean lastAdmitted;
    /** Packets shed since the last shed notice of this stream. */
    private int pendingPackets;

    HeapAdmission(int capacity) {
        this.admitted = new long[capacity];
        this.shed = new long[capacity];
    }

    /**
     * The decision for a packet of heap {@code cnt}; {@code overloaded} is asked only when the
     * packet opens a new heap. A stop packet is always admitted (it ends the stream).
     */
    Decision decide(long cnt, boolean stop, java.util.function.BooleanSupplier overloaded) {
        if (hasLast && cnt == lastCnt) {
            return lastAdmitted ? Decision.ADMIT : shedPacket();
        }
        boolean isAdmitted;
        if (contains(admitted, admittedNext, admittedSize, cnt)) {
            isAdmitted = true;
        } else if (contains(shed, shedNext, shedSize, cnt)) {
            isAdmitted = false;
        } else {
            isAdmitted = stop || !overloaded.getAsBoolean();
            if (isAdmitted) {
                admitted[admittedNext] = cnt;
                admittedNext = (admittedNext + 1) % admitted.length;
                admittedSize = Math.min(admittedSize + 1, admitted.length);
            } else {
                shed[shedNext] = cnt;
                shedNext = (shedNext + 1) % shed.length;
                shedSize = Math.min(shedSize + 1, shed.length);
            }
            hasLast = true;
            lastCnt = cnt;
            lastAdmitted = isAdmitted;
            if (!isAdmitted) {
                pendingPackets++;
                return Decision.SHED_NEW;
            }
            return Decision.ADMIT;
        }
        hasLast = true;
        lastCnt = cnt;
        lastAdmitted = isAdmitted;
        return isAdmitted ? Decision.ADMIT : shedPacket();
    }

    private Decision shedPacket() {
        pendingPackets++;
        return Decision.SHED;
    }

    /** Packets shed since the last call (reported with the next shed notice). */
    int takePendingPackets() {
        int p = pendingPackets;
        pendingPackets = 0;
        return p;
    }

    private static boolean contains(long[] ring, int next, int size, long cnt) {
        // Newest first: a packet mostly belongs to a recent heap.
        for (int k = 1; k <= size; k++) {
            int i = next - k;
            if (i < 0) {
                i += ring.length;
            }
            if (ring[i] == cnt) {
                return true;
            }
        }
        return false;
    }
}
