package org.rawstream.sources.transport;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Free {@link ReceiveArea}s of one size, shared by the UDP endpoints of the JVM: an endpoint takes
 * one when the area it received into is lent out, and an area comes back when its last loan ends.
 * Areas are allocated while all of them together stay within {@link #MAX_BYTES}; past that an
 * endpoint receives into its one area that is never lent, and its decoders copy what they keep,
 * as they would without loans. So lending only ever saves a copy, and what the areas hold is
 * bounded for the whole JVM (and kept for reuse, like {@code HeapPayloadPool}'s chunks: an
 * endpoint that went quiet leaves its areas to the busy ones).
 *
 * <p>An area whose loans are never ended (records dropped unemitted when a job fails) is not lost
 * to the budget: once the garbage collector has found it unreachable, its bytes leave the count
 * when the budget is next found used up (a weak reference per area; no thread of its own, so
 * nothing keeps a finished job's classes alive).
 *
 * <p>Thread-safe: receiving threads take, task threads give back (one short lock each).
 */
final class ReceiveAreaPool {
    /** Most direct memory the lendable areas hold together: 64 MiB, at most a 16th of the heap's maximum. */
    static final long MAX_BYTES = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16);
    private static final Map<Integer, ReceiveAreaPool> SHARED = new HashMap<>();
    /** Bytes of the shared pools' areas together. */
    private static final AtomicLong SHARED_BYTES = new AtomicLong();

    private final int areaBytes;
    private final long maxBytes;
    /** Bytes of the areas counted against {@link #maxBytes}: the shared pools' together, or this pool's own. */
    private final AtomicLong used;
    private final ArrayDeque<ReceiveArea> free = new ArrayDeque<>();
    /** One weak reference per area allocated and not known collected (guarded by this). */
    private final List<WeakReference<ReceiveArea>> allocated = new ArrayList<>();

    private ReceiveAreaPool(int areaBytes, long maxBytes, AtomicLong used) {
        this.areaBytes = areaBytes;
        this.maxBytes = maxBytes;
        this.used = used;
    }

    /** The JVM's pool of areas of {@code areaBytes}. */
    static ReceiveAreaPool shared(int areaBytes) {
        synchronized (SHARED) {
            return SHARED.computeIfAbsent(areaBytes, b -> new ReceiveAreaPool(b, MAX_BYTES, SHARED_BYTES));
        }
    }

    /** A pool of its own, with a budget of {@code maxBytes} (tests). */
    static ReceiveAreaPool withBudget(int areaBytes, long maxBytes) {
        return new ReceiveAreaPool(areaBytes, maxBytes, new AtomicLong());
    }

    /**
     * A free area (the one given back last: maybe still in the cache), a new one while the budget
     * allows — after taking the areas the garbage collector found lost out of it — else null.
     */
    ReceiveArea take() {
        synchronized (this) {
            ReceiveArea a = free.pollLast();
            if (a != null) {
                return a;
            }
        }
        if (!reserve() && (forgetCollected() == 0 || !reserve())) {
            return null;
        }
        ReceiveArea area = new ReceiveArea(areaBytes, this);
        synchronized (this) {
            allocated.add(new WeakReference<>(area));
        }
        return area;
    }

    /**
     * Areas collected without coming back (their loans never ended) leave the budget; returns how
     * many. Only when the budget is used up: a scan of at most {@code MAX_BYTES / areaBytes} references.
     */
    private synchronized int forgetCollected() {
        int before = allocated.size();
        allocated.removeIf(area -> area.refersTo(null));
        int lost = before - allocated.size();
        used.addAndGet(-(long) lost * areaBytes);
        return lost;
    }

    private boolean reserve() {
        if (used.addAndGet(areaBytes) > maxBytes) {
            used.addAndGet(-areaBytes);
            return false;
        }
        return true;
    }

    /** An area whose last loan ended (or whose reader closed): free again. */
    void giveBack(ReceiveArea area) {
        synchronized (this) {
            free.addLast(area);
        }
    }

    /** Areas allocated and not known collected (tests). */
    synchronized int areas() {
        return allocated.size();
    }

    /** Areas free (tests). */
    synchronized int freeAreas() {
        return free.size();
    }
}
