package org.rawstream.job.spead;

import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.source.SpeadPacketRecord;

/**
 * Runs {@link HeapAssemblyFunction} and, on a keyed backend other than the heap backend (RocksDB),
 * writes the live heaps it keeps in memory into the keyed state at every checkpoint barrier
 * ({@link KeyedHeapStore}, write-back). A {@code KeyedProcessFunction} cannot change the current
 * key while a snapshot is taken; the operator can. Flink calls {@link #snapshotState} synchronously
 * at the barrier, before it snapshots the keyed backend, so the checkpoint holds exactly the
 * assembly state at the barrier (exactly-once unchanged).
 */
public final class HeapAssemblyOperator extends KeyedProcessOperator<String, SpeadPacketRecord, SpeadHeapRecord> {
    private static final long serialVersionUID = 1L;

    /** The user function, typed. */
    private final HeapAssemblyFunction function;

    public HeapAssemblyOperator(String sourceName, SpeadAssemblyConfig config) {
        this(new HeapAssemblyFunction(sourceName, config));
    }

    private HeapAssemblyOperator(HeapAssemblyFunction function) {
        super(function);
        this.function = function;
    }

    /** Heap assembly of keyed packets (the caller names the operator and sets its uid). */
    public static SingleOutputStreamOperator<SpeadHeapRecord> assemble(KeyedStream<SpeadPacketRecord, String> packets,
            String sourceName, SpeadAssemblyConfig config) {
        return packets.transform("KeyedProcess", SpeadSerializers.HEAP_RECORD, new HeapAssemblyOperator(sourceName, config));
    }

    @Override
    public void open() throws Exception {
        // The heap backend keeps state objects in memory already (write-through costs nothing and
        // its snapshots share the pieces); every other backend serialises on write.
        function.writeBack(!(getKeyedStateBackend() instanceof HeapKeyedStateBackend));
        super.open();
    }

    /** Whether this instance writes back (for tests). */
    boolean writesBack() {
        return function.writesBack();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        Object current = getCurrentKey();
        function.writeBack(this::setCurrentKey);
        if (current != null) {
            setCurrentKey(current);
        }
        super.snapshotState(context);
    }
}
