package org.rawstream.sources.spead.source;

/**
 * Whole-heap load shedding for one SPEAD stream, on the receiving thread: the heap is the unit.
 * The packet that opens a heap (a counter not seen recently) is where the heap is admitted or
 * shed; every later packet of the heap follows that decision, so assembly gets either all of a
 * heap's packets or none. Heaps already started are always fed, whatever the load.
 *
 * <p>Where the kernel dropped datagrams of the endpoint ({@link #gap}), every heap admitted so far
 * may have lost packets: they all become shed (assembly sheds what it holds of them on the gap
 * notice), and until a heap opens at its first byte again, a new heap whose first packet is not
 * its start is shed too (it began in the gap).
 *
 * <p>Remembers the last {@code capacity} admitted and the last {@code capacity} shed heap
 * counters (at least the assembly's live-heap window: a heap forgotten here has been evicted
 * there too). Fetcher thread only; no allocation per packet.
 */
final class HeapAdmission {
    /** What to do with a packet. */
    enum Decision { ADMIT, SHED_NEW, SHED }

    private final long[] admitted;
    /** Per admitted counter, its admission number: those below {@link #cutBelow} were cut by a gap. */
    private final long[] admissionNumber;
    private long admissions;
    private long cutBelow;
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
    /** A gap came and no heap has opened at its start since. */
    private boolean afterGap;

    HeapAdmission(int capacity) {
        this.admitted = new long[capacity];
        this.admissionNumber = new long[capacity];
        this.shed = new long[capacity];
    }

    /**
     * The decision for a packet of heap {@code cnt} ({@code heapStart}: it holds the heap's first
     * byte); {@code overloaded} is asked only when the packet opens a new heap. A stop packet is
     * always admitted (it ends the stream).
     */
    Decision decide(long cnt, boolean stop, boolean heapStart, java.util.function.BooleanSupplier overloaded) {
        if (hasLast && cnt == lastCnt) {
            return lastAdmitted ? Decision.ADMIT : shedPacket();
        }
        boolean isAdmitted;
        int at = indexOf(admitted, admittedNext, admittedSize, cnt);
        if (at >= 0) {
            isAdmitted = admissionNumber[at] >= cutBelow;
        } else if (indexOf(shed, shedNext, shedSize, cnt) >= 0) {
            isAdmitted = false;
        } else {
            if (heapStart) {
                afterGap = false;
            }
            isAdmitted = stop || (!afterGap && !overloaded.getAsBoolean());
            if (isAdmitted) {
                admitted[admittedNext] = cnt;
                admissionNumber[admittedNext] = admissions++;
                admittedNext = (admittedNext + 1) % admitted.length;
                admittedSize = Math.min(admittedSize + 1, admitted.length);
            } else {
                rememberShed(cnt);
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

    /**
     * The kernel dropped datagrams of the endpoint before the next packet: the heaps admitted so
     * far are shed from now on, and new heaps that do not start at their first byte too, until one
     * does. Returns whether a heap was admitted since the previous gap (else assembly holds nothing
     * of this stream that the gap could have cut, and needs no notice).
     */
    boolean gap() {
        boolean admittedSince = admissions > cutBelow;
        cutBelow = admissions;
        lastAdmitted = false;
        afterGap = true;
        return admittedSince;
    }

    private void rememberShed(long cnt) {
        shed[shedNext] = cnt;
        shedNext = (shedNext + 1) % shed.length;
        shedSize = Math.min(shedSize + 1, shed.length);
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

    /** Where {@code cnt} is in the ring, or -1. */
    private static int indexOf(long[] ring, int next, int size, long cnt) {
        // Newest first: a packet mostly belongs to a recent heap.
        for (int k = 1; k <= size; k++) {
            int i = next - k;
            if (i < 0) {
                i += ring.length;
            }
            if (ring[i] == cnt) {
                return i;
            }
        }
        return -1;
    }
}
