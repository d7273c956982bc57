package org.rawstream.job.spead;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a SPEAD keyed function that may keep its keyed state in memory and write it into the
 * backend only at checkpoints ({@link KeyedWriteBack}): told before open whether the backend
 * serialises values (anything but the heap backend, e.g. RocksDB). Assembly writes back on every
 * backend (a packet is copied once, into pooled chunks); ordering only on a serialising one (on
 * the heap backend its state objects are in memory already). A {@code KeyedProcessFunction}
 * cannot change the current key while a snapshot is taken; the operator can. Flink calls
 * {@link #snapshotState} synchronously at the barrier, before it snapshots the keyed backend, so
 * the checkpoint holds exactly the state at the barrier (exactly-once unchanged).
 */
public final class WriteBackKeyedOperator<IN, OUT, F extends KeyedProcessFunction<String, IN, OUT> & KeyedWriteBack>
        extends KeyedProcessOperator<String, IN, OUT> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WriteBackKeyedOperator.class);

    /** The user function, typed. */
    private final F function;

    WriteBackKeyedOperator(F function) {
        super(function);
        this.function = function;
    }

    /** {@code function} over the keyed input (the caller names the operator and sets its uid). */
    public static <F extends KeyedProcessFunction<String, IN, OUT> & KeyedWriteBack, IN, OUT> SingleOutputStreamOperator<OUT>
            apply(KeyedStream<IN, String> input, F function, TypeInformation<OUT> type) {
        return input.transform("KeyedProcess", type, new WriteBackKeyedOperator<>(function));
    }

    @Override
    public void open() throws Exception {
        boolean writeBack = !(getKeyedStateBackend() instanceof HeapKeyedStateBackend);
        function.enableWriteBack(writeBack);
        super.open();
        LOG.info("{}: keyed state {} ({})", function.getClass().getSimpleName(),
                function.writesBack() ? "kept in memory, written at checkpoints" : "written through",
                getKeyedStateBackend().getClass().getSimpleName());
    }

    /** Whether this instance writes back (for tests). */
    boolean writesBack() {
        return function.writesBack();
    }

    /** Keys whose state this instance holds in memory (for tests). */
    int keysInMemory() {
        return function.keysInMemory();
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
