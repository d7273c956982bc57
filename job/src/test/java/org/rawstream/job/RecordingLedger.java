package org.rawstream.job;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.rawstream.job.source.FeedLedger;

/**
 * A {@link FeedLedger} for tests: the SHA-256 multiset of every record a demo feed sent, the first
 * byte of each (ODIN's packet type), and the set of records acknowledged as durable. Thread-safe
 * (feeds report from their sending and response-reading threads).
 */
final class RecordingLedger implements FeedLedger {
    private final Map<String, Integer> sent = new ConcurrentHashMap<>();
    private final Map<String, Byte> firstByte = new ConcurrentHashMap<>();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong sentRecords = new AtomicLong();

    @Override
    public void sent(byte[] stored) {
        String hash = OutputCheck.sha256(stored);
        sent.merge(hash, 1, Integer::sum);
        if (stored.length > 0) {
            firstByte.putIfAbsent(hash, stored[0]);
        }
        sentRecords.incrementAndGet();
    }

    @Override
    public void acknowledged(byte[] stored) {
        acknowledged.add(OutputCheck.sha256(stored));
    }

    /** Records sent (with repeats). */
    long sentRecords() {
        return sentRecords.get();
    }

    /** How often a record with this SHA-256 was sent (0: never). */
    int timesSent(String sha256) {
        return sent.getOrDefault(sha256, 0);
    }

    /** The first byte of a record sent, or null if it was never sent. */
    Byte firstByte(String sha256) {
        return firstByte.get(sha256);
    }

    /** SHA-256 of the distinct records sent, with how often each was sent (a snapshot). */
    Map<String, Integer> sentMultiset() {
        return Map.copyOf(sent);
    }

    /** SHA-256 of the records acknowledged as durable (a snapshot). */
    Set<String> acknowledged() {
        return Set.copyOf(acknowledged);
    }
}
