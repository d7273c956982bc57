package org.rawstream.sources.transport;

/**
 * A counter written by one thread (the receiving thread) and read by any (metric reporters).
 * Not safe for concurrent writers: every transport counter has exactly one.
 */
public final class LongCounter {
    private volatile long value;

    public void increment() {
        add(1);
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField") // single writer by contract
    public void add(long delta) {
        value += delta;
    }

    public void set(long newValue) {
        value = newValue;
    }

    public long get() {
        return value;
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
