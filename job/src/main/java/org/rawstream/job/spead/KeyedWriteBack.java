package org.rawstream.job.spead;

import java.util.function.Consumer;

/**
 * A keyed function that can keep its keyed state in memory and write it at checkpoints (see
 * {@link WriteBackKeyedOperator}).
 */
interface KeyedWriteBack {

    /** Called before the function is opened: whether to write back (else every access is to the state). */
    void enableWriteBack(boolean enabled);

    boolean writesBack();

    /** Keys whose state is held in memory while writing back (0 when writing through). */
    int keysInMemory();

    /**
     * Writes what changed since the last call into the keyed state, making each changed key
     * current with {@code setCurrentKey}; nothing when not writing back.
     */
    void writeBack(Consumer<String> setCurrentKey) throws Exception;
}
