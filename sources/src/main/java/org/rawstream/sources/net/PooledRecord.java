package org.rawstream.sources.net;

/**
 * A record whose memory comes from a pool of the decoder that made it. The source's record
 * emitter calls {@link #release()} right after the record went downstream: chained operators have
 * processed it and returned, a shuffle has serialized it. So an operator that receives such a
 * record directly from the source must copy what it keeps (heap assembly copies each packet's
 * payload into its heap) and must not hold the record itself — Flink's object-reuse contract, which
 * the job enables. The record type's serializer is therefore not immutable: its {@code copy}
 * returns a record that owns a copy of the bytes.
 */
public interface PooledRecord {

    /** Returns the record's memory to its pool; the record must not be used afterwards. */
    void release();
}
