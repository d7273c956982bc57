package org.rawstream.sources.spead;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of one SPEAD stream (all exposed as metrics later): packets, bytes, invalid packets
 * by reason, duplicates, heaps completed / incomplete (evicted, expired, flushed), single-packet
 * heaps, descriptors, stops and heaps missing entirely (gaps in a known counter step).
 */
public final class SpeadStreamStatistics {

    private long packets;
    private long bytes;
    private final long[] invalid = new long[InvalidPacketReason.values().length];
    private long duplicatePackets;
    private long latePackets;
    private long heapsCompleted;
    private long heapsEvicted;
    private long heapsExpired;
    private long heapsFlushed;
    private long singlePacketHeaps;
    private long heapsDelivered;
    private long incompleteHeapsDelivered;
    private long incompleteHeapsDropped;
    private long heapsOutOfOrder;
    private long heapsMissing;
    private long descriptorsSeen;
    private long descriptorsInvalid;
    private long stops;
    private long heapsRefused;
    private long packetsRefused;
    private long heapsShed;
    private long packetsShed;

    public void packet(int length) {
        packets++;
        bytes += length;
    }

    public void invalid(InvalidPacketReason reason) {
        invalid[reason.ordinal()]++;
    }

    public void duplicate() {
        duplicatePackets++;
    }

    public void late() {
        latePackets++;
    }

    /** A packet refused by the live-heap memory budget ({@code newHeap}: it would have opened a heap). */
    public void refused(boolean newHeap) {
        packetsRefused++;
        if (newHeap) {
            heapsRefused++;
        }
    }

    /** Whole heaps (and their packets) the receiving thread shed because the pipeline was behind. */
    public void shed(long heaps, long packetCount) {
        heapsShed += heaps;
        packetsShed += packetCount;
    }

    public long heapsRefused() {
        return heapsRefused;
    }

    public long packetsRefused() {
        return packetsRefused;
    }

    public long heapsShed() {
        return heapsShed;
    }

    public long packetsShed() {
        return packetsShed;
    }

    public void heapFinished(HeapEnd end, int packetCount) {
        switch (end) {
            case COMPLETE:
                heapsCompleted++;
                if (packetCount == 1) {
                    singlePacketHeaps++;
                }
                break;
            case EVICTED:
                heapsEvicted++;
                break;
            case EXPIRED:
                heapsExpired++;
                break;
            default:
                heapsFlushed++;
        }
    }

    /** A stop heap completed in assembly: (like spead2) a single-packet heap when it was one. */
    public void stopHeap(int packetCount) {
        if (packetCount == 1) {
            singlePacketHeaps++;
        }
    }

    /** The stream stopped (counted once per stop heap, however many substreams saw it). */
    public void stop() {
        stops++;
    }

    public void delivered(boolean complete) {
        heapsDelivered++;
        if (!complete) {
            incompleteHeapsDelivered++;
        }
    }

    public void incompleteDropped() {
        incompleteHeapsDropped++;
    }

    public void outOfOrder() {
        heapsOutOfOrder++;
    }

    public void missing(long heaps) {
        heapsMissing += heaps;
    }

    public void descriptors(int seen, int invalidCount) {
        descriptorsSeen += seen;
        descriptorsInvalid += invalidCount;
    }

    /** Packets that passed validation (duplicates included). */
    public long packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }

    public long invalidPackets(InvalidPacketReason reason) {
        return invalid[reason.ordinal()];
    }

    public long invalidPackets() {
        long n = 0;
        for (long v : invalid) {
            n += v;
        }
        return n;
    }

    public long duplicatePackets() {
        return duplicatePackets;
    }

    /** Packets of heaps that had already left the live set incomplete (dropped). */
    public long latePackets() {
        return latePackets;
    }

    public long heapsCompleted() {
        return heapsCompleted;
    }

    public long heapsEvicted() {
        return heapsEvicted;
    }

    public long heapsExpired() {
        return heapsExpired;
    }

    public long heapsFlushed() {
        return heapsFlushed;
    }

    public long heapsIncomplete() {
        return heapsEvicted + heapsExpired + heapsFlushed;
    }

    public long singlePacketHeaps() {
        return singlePacketHeaps;
    }

    public long heapsDelivered() {
        return heapsDelivered;
    }

    public long incompleteHeapsDelivered() {
        return incompleteHeapsDelivered;
    }

    public long incompleteHeapsDropped() {
        return incompleteHeapsDropped;
    }

    /** Heaps released after a heap with a higher counter (the reorder buffer could not wait). */
    public long heapsOutOfOrder() {
        return heapsOutOfOrder;
    }

    /** Heaps never seen at all: gaps in the heap counter when its step is known. */
    public long heapsMissing() {
        return heapsMissing;
    }

    public long descriptorsSeen() {
        return descriptorsSeen;
    }

    public long descriptorsInvalid() {
        return descriptorsInvalid;
    }

    public long stops() {
        return stops;
    }

    /** Adds another stream part's counters (e.g. substreams of one stream). */
    public void add(SpeadStreamStatistics o) {
        packets += o.packets;
        bytes += o.bytes;
        for (int i = 0; i < invalid.length; i++) {
            invalid[i] += o.invalid[i];
        }
        duplicatePackets += o.duplicatePackets;
        latePackets += o.latePackets;
        heapsCompleted += o.heapsCompleted;
        heapsEvicted += o.heapsEvicted;
        heapsExpired += o.heapsExpired;
        heapsFlushed += o.heapsFlushed;
        singlePacketHeaps += o.singlePacketHeaps;
        heapsDelivered += o.heapsDelivered;
        incompleteHeapsDelivered += o.incompleteHeapsDelivered;
        incompleteHeapsDropped += o.incompleteHeapsDropped;
        heapsOutOfOrder += o.heapsOutOfOrder;
        heapsMissing += o.heapsMissing;
        descriptorsSeen += o.descriptorsSeen;
        descriptorsInvalid += o.descriptorsInvalid;
        stops += o.stops;
        heapsRefused += o.heapsRefused;
        packetsRefused += o.packetsRefused;
        heapsShed += o.heapsShed;
        packetsShed += o.packetsShed;
    }

    /** All counters by metric name (invalid ones as {@code invalid_<reason>}). */
    public Map<String, Long> asMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("packets", packets);
        m.put("bytes", bytes);
        m.put("invalid_packets", invalidPackets());
        for (InvalidPacketReason r : InvalidPacketReason.values()) {
            m.put("invalid_" + r.metricName(), invalid[r.ordinal()]);
        }
        m.put("duplicate_packets", duplicatePackets);
        m.put("late_packets", latePackets);
        m.put("heaps_completed", heapsCompleted);
        m.put("heaps_incomplete", heapsIncomplete());
        m.put("heaps_incomplete_evicted", heapsEvicted);
        m.put("heaps_incomplete_expired", heapsExpired);
        m.put("heaps_incomplete_flushed", heapsFlushed);
        m.put("single_packet_heaps", singlePacketHeaps);
        m.put("heaps_delivered", heapsDelivered);
        m.put("incomplete_heaps_delivered", incompleteHeapsDelivered);
        m.put("incomplete_heaps_dropped", incompleteHeapsDropped);
        m.put("heaps_out_of_order", heapsOutOfOrder);
        m.put("heaps_missing", heapsMissing);
        m.put("descriptors_seen", descriptorsSeen);
        m.put("descriptors_invalid", descriptorsInvalid);
        m.put("stops", stops);
        m.put("heaps_refused", heapsRefused);
        m.put("packets_refused", packetsRefused);
        m.put("heaps_shed", heapsShed);
        m.put("packets_shed", packetsShed);
        return m;
    }

    /** Invalid-packet counters by reason. */
    public Map<InvalidPacketReason, Long> invalidByReason() {
        Map<InvalidPacketReason, Long> m = new EnumMap<>(InvalidPacketReason.class);
        for (InvalidPacketReason r : InvalidPacketReason.values()) {
            m.put(r, invalid[r.ordinal()]);
        }
        return m;
    }

    public void writeTo(DataOutput out) throws IOException {
        long[] all = toArray();
        out.writeInt(all.length);
        for (long v : all) {
            out.writeLong(v);
        }
    }

    public static SpeadStreamStatistics readFrom(DataInput in) throws IOException {
        long[] all = new long[in.readInt()];
        for (int i = 0; i < all.length; i++) {
            all[i] = in.readLong();
        }
        SpeadStreamStatistics s = new SpeadStreamStatistics();
        s.fromArray(all);
        return s;
    }

    private long[] toArray() {
        long[] a = new long[21 + invalid.length];
        int i = 0;
        a[i++] = packets;
        a[i++] = bytes;
        a[i++] = duplicatePackets;
        a[i++] = latePackets;
        a[i++] = heapsCompleted;
        a[i++] = heapsEvicted;
        a[i++] = heapsExpired;
        a[i++] = heapsFlushed;
        a[i++] = singlePacketHeaps;
        a[i++] = heapsDelivered;
        a[i++] = incompleteHeapsDelivered;
        a[i++] = incompleteHeapsDropped;
        a[i++] = heapsOutOfOrder;
        a[i++] = heapsMissing;
        a[i++] = descriptorsSeen;
        a[i++] = descriptorsInvalid;
        a[i++] = stops;
        a[i++] = heapsRefused;
        a[i++] = packetsRefused;
        a[i++] = heapsShed;
        a[i++] = packetsShed;
        System.arraycopy(invalid, 0, a, i, invalid.length);
        return a;
    }

    private void fromArray(long[] a) {
        int i = 0;
        packets = a[i++];
        bytes = a[i++];
        duplicatePackets = a[i++];
        latePackets = a[i++];
        heapsCompleted = a[i++];
        heapsEvicted = a[i++];
        heapsExpired = a[i++];
        heapsFlushed = a[i++];
        singlePacketHeaps = a[i++];
        heapsDelivered = a[i++];
        incompleteHeapsDelivered = a[i++];
        incompleteHeapsDropped = a[i++];
        heapsOutOfOrder = a[i++];
        heapsMissing = a[i++];
        descriptorsSeen = a[i++];
        descriptorsInvalid = a[i++];
        stops = a[i++];
        heapsRefused = a[i++];
        packetsRefused = a[i++];
        heapsShed = a[i++];
        packetsShed = a[i++];
        // Older states may know fewer reasons; newer ones more: copy what both know.
        System.arraycopy(a, i, invalid, 0, Math.min(invalid.length, a.length - i));
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
