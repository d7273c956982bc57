package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.spead.LiveHeapBudget;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.source.SpeadPacketRecord;

/**
 * The SPEAD keyed operators restore state written by earlier versions and by other settings:
 * the golden snapshots of commit a6d257e (src/test/resources/migration/spead, see its README) —
 * live heaps mid-assembly in the former one-value layout, a sequencer holding out-of-order heaps
 * and descriptors — restored by today's operators must store exactly what an uninterrupted run
 * stored; a changed {@code substreams}, {@code max-live-heaps} or parallelism works; the per-heap state
 * survives a snapshot on RocksDB; a newer state format is refused with a clear message.
 */
// Flink's test harnesses declare "throws Exception"; try-with-resources on them is intended.
@SuppressWarnings("try")
class SpeadStateMigrationTest {

    private static final Path GOLDEN = Path.of("src/test/resources/migration/spead");

    private static List<String> hex(List<byte[]> messages) {
        List<String> out = new ArrayList<>();
        for (byte[] m : messages) {
            out.add(HexFormat.of().formatHex(m));
        }
        return out;
    }

    private static List<String> expected() throws Exception {
        return Files.readAllLines(GOLDEN.resolve("expected-messages.hex"));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assembly(
            SpeadAssemblyConfig config) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                SpeadOperatorRun.assemblyOperator(SpeadStateScenario.SOURCE, config),
                SpeadPacketRecord::assemblyKey, Types.STRING);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> ordering(int substreams)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                SpeadOperatorRun.orderingOperator(SpeadStateScenario.SOURCE, substreams, SpeadStateScenario.CONFIG),
                SpeadHeapRecord::stream, Types.STRING);
    }

    /** Restores the golden snapshots into these harnesses and runs the rest of the scenario. */
    private static List<String> resumeGolden(
            KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> a,
            KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> o,
            List<SpeadPacketRecord> rest) throws Exception {
        try {
            a.initializeState(OperatorSnapshotUtil.readStateHandle(GOLDEN.resolve("heap-assembly.snapshot").toString()));
            o.initializeState(OperatorSnapshotUtil.readStateHandle(GOLDEN.resolve("heap-ordering.snapshot").toString()));
            a.open();
            o.open();
            a.setProcessingTime(SpeadStateScenario.NOW);
            o.setProcessingTime(SpeadStateScenario.NOW);
            return hex(SpeadStateScenario.run(a, o, rest));
        } finally {
            a.close();
            o.close();
        }
    }

    @Test
    void goldenStateOfA6d257eResumesToWhatAnUninterruptedRunStored() throws Exception {
        List<String> resumed = resumeGolden(SpeadStateScenario.assemblyHarness(), SpeadStateScenario.orderingHarness(),
                SpeadStateScenario.after());
        assertThat(resumed).hasSize(6).isEqualTo(expected());
    }

    @Test
    void todaysUninterruptedRunStoresWhatA6d257eStored() throws Exception {
        assertThat(uninterrupted(() -> null)).isEqualTo(expected());
    }

    @Test
    void moreSubstreamsAfterTheRestoreWork() throws Exception {
        List<SpeadPacketRecord> rest = new ArrayList<>(SpeadStateScenario.after());
        rest.add(SpeadPacketRecord.endOfStream(SpeadStateScenario.STREAM, 2)); // the new third substream ends too
        List<String> resumed = resumeGolden(SpeadStateScenario.assemblyHarness(), ordering(3), rest);
        assertThat(resumed).isEqualTo(expected());
    }

    @Test
    void fewerSubstreamsAfterTheRestoreWork() throws Exception {
        List<String> resumed = resumeGolden(SpeadStateScenario.assemblyHarness(), ordering(1), SpeadStateScenario.after());
        // Substream 1 no longer holds the watermark: heaps may leave before heap 1, none is lost.
        assertThat(resumed).containsExactlyInAnyOrderElementsOf(expected());
    }

    @Test
    void fewerMaxLiveHeapsAfterTheRestoreWork() throws Exception {
        SpeadAssemblyConfig two = SpeadAssemblyConfig.builder().maxLiveHeaps(2).build();
        assertThat(resumeGolden(assembly(two), SpeadStateScenario.orderingHarness(), SpeadStateScenario.after()))
                .isEqualTo(expected());
        // One: heap 5 opening on substream 1 evicts the restored heap 1 (incomplete); the rest is as before.
        SpeadAssemblyConfig one = SpeadAssemblyConfig.builder().maxLiveHeaps(1).build();
        List<String> resumed = resumeGolden(assembly(one), SpeadStateScenario.orderingHarness(), SpeadStateScenario.after());
        assertThat(resumed).hasSize(6).containsAll(expected().subList(1, 6)).doesNotContain(expected().get(0));
    }

    @Test
    void moreParallelismAfterTheRestoreWorks() throws Exception {
        // The golden snapshots have maximum parallelism 1 (the harness default), which no restore
        // may change: today's state, snapshotted mid-scenario at parallelism 1 of 128, is split
        // over 2 subtasks of each operator; every record goes to the subtask owning its key.
        int parallelism = 2;
        OperatorSubtaskState a;
        OperatorSubtaskState o;
        var as1 = assembly(SpeadStateScenario.CONFIG, 1, 0);
        var os1 = ordering(1, 0);
        try {
            as1.open();
            os1.open();
            as1.setProcessingTime(SpeadStateScenario.NOW);
            os1.setProcessingTime(SpeadStateScenario.NOW);
            assertThat(SpeadStateScenario.run(as1, os1, SpeadStateScenario.before())).isEmpty();
            a = as1.snapshot(1, SpeadStateScenario.NOW);
            o = os1.snapshot(1, SpeadStateScenario.NOW);
        } finally {
            as1.close();
            os1.close();
        }
        List<KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord>> assemblies = new ArrayList<>();
        List<KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage>> orderings = new ArrayList<>();
        List<String> out = new ArrayList<>();
        try {
            for (int i = 0; i < parallelism; i++) {
                var as = assembly(SpeadStateScenario.CONFIG, parallelism, i);
                var os = ordering(parallelism, i);
                as.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(a, MAX_PARALLELISM, 1, parallelism, i));
                os.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(o, MAX_PARALLELISM, 1, parallelism, i));
                as.open();
                os.open();
                assemblies.add(as);
                orderings.add(os);
                as.setProcessingTime(SpeadStateScenario.NOW);
                os.setProcessingTime(SpeadStateScenario.NOW);
            }
            for (SpeadPacketRecord p : SpeadStateScenario.after()) {
                var as = assemblies.get(subtask(p.assemblyKey(), parallelism));
                as.processElement(p, 0);
                for (SpeadHeapRecord h : as.extractOutputValues()) {
                    var os = orderings.get(subtask(h.stream(), parallelism));
                    os.processElement(h, 0);
                    for (RawMessage m : os.extractOutputValues()) {
                        out.add(HexFormat.of().formatHex(m.bytes()));
                    }
                    os.getOutput().clear();
                }
                as.getOutput().clear();
            }
        } finally {
            for (var h : assemblies) {
                h.close();
            }
            for (var h : orderings) {
                h.close();
            }
        }
        assertThat(out).isEqualTo(expected());
    }

    private static final int MAX_PARALLELISM = 128;

    private static int subtask(String key, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX_PARALLELISM, parallelism);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assembly(
            SpeadAssemblyConfig config, int parallelism, int subtask) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                SpeadOperatorRun.assemblyOperator(SpeadStateScenario.SOURCE, config),
                SpeadPacketRecord::assemblyKey, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> ordering(int parallelism,
            int subtask) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                SpeadOperatorRun.orderingOperator(SpeadStateScenario.SOURCE, SpeadStateScenario.SUBSTREAMS,
                        SpeadStateScenario.CONFIG), SpeadHeapRecord::stream, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
    }

    @Test
    void perHeapStateSurvivesASnapshotOnRocksDb() throws Exception {
        assertThat(uninterrupted(EmbeddedRocksDBStateBackend::new)).isEqualTo(expected());
        List<String> out = new ArrayList<>();
        OperatorSubtaskState a;
        OperatorSubtaskState o;
        var as = SpeadStateScenario.assemblyHarness();
        var os = SpeadStateScenario.orderingHarness();
        try {
            as.setStateBackend(new EmbeddedRocksDBStateBackend());
            os.setStateBackend(new EmbeddedRocksDBStateBackend());
            as.open();
            os.open();
            as.setProcessingTime(SpeadStateScenario.NOW);
            os.setProcessingTime(SpeadStateScenario.NOW);
            out.addAll(hex(SpeadStateScenario.run(as, os, SpeadStateScenario.before())));
            a = as.snapshot(1, SpeadStateScenario.NOW);
            o = os.snapshot(1, SpeadStateScenario.NOW);
        } finally {
            as.close();
            os.close();
        }
        var as2 = SpeadStateScenario.assemblyHarness();
        var os2 = SpeadStateScenario.orderingHarness();
        try {
            as2.setStateBackend(new EmbeddedRocksDBStateBackend());
            os2.setStateBackend(new EmbeddedRocksDBStateBackend());
            as2.initializeState(a);
            os2.initializeState(o);
            as2.open();
            os2.open();
            as2.setProcessingTime(SpeadStateScenario.NOW);
            os2.setProcessingTime(SpeadStateScenario.NOW);
            out.addAll(hex(SpeadStateScenario.run(as2, os2, SpeadStateScenario.after())));
        } finally {
            as2.close();
            os2.close();
        }
        assertThat(out).isEqualTo(expected());
    }

    /**
     * On both backends the live heaps stay in memory (attached) and reach the keyed state only at
     * a checkpoint (write-back): a checkpoint after every few packets — heaps live and changed in
     * memory, heaps finished since the last one, restored heaps whose pieces grew since they were
     * written — either restored into new operators or continued, stores what an uninterrupted run
     * stores, and at every checkpoint both backends hold the same entries (a live heap's
     * bookkeeping and one piece per received range of these small heaps), none once no heap is
     * live: nothing missing, nothing left behind.
     */
    @Test
    void rocksDbCheckpointsOfLiveHeapsKeptInMemoryRestoreExactly() throws Exception {
        List<Integer> heapEntries = new ArrayList<>();
        assertThat(checkpointEveryFewPackets(false, heapEntries)).isEqualTo(expected());
        List<Integer> rocksDbEntries = new ArrayList<>();
        assertThat(checkpointEveryFewPackets(true, rocksDbEntries)).isEqualTo(expected());
        assertThat(rocksDbEntries).isEqualTo(heapEntries).contains(0).anyMatch(n -> n >= 4);
    }

    /** The scenario with a checkpoint after every 3 packets, restored after every other one. */
    private static List<String> checkpointEveryFewPackets(boolean rocksDb, List<Integer> storedEntries) throws Exception {
        List<SpeadPacketRecord> all = new ArrayList<>(SpeadStateScenario.before());
        all.addAll(SpeadStateScenario.after());
        List<String> out = new ArrayList<>();
        WriteBackKeyedOperator<SpeadPacketRecord, SpeadHeapRecord, HeapAssemblyFunction> operator = SpeadOperatorRun.assemblyOperator(SpeadStateScenario.SOURCE, SpeadStateScenario.CONFIG);
        var as = backend(rocksDb, new KeyedOneInputStreamOperatorTestHarness<>(operator, SpeadPacketRecord::assemblyKey,
                Types.STRING));
        var os = backend(rocksDb, SpeadStateScenario.orderingHarness());
        try {
            as.open();
            os.open();
            assertThat(operator.writesBack()).isTrue(); // assembly writes back on every backend
            as.setProcessingTime(SpeadStateScenario.NOW);
            os.setProcessingTime(SpeadStateScenario.NOW);
            int step = 3;
            for (int from = 0, checkpoint = 1; from < all.size(); from += step, checkpoint++) {
                out.addAll(hex(SpeadStateScenario.run(as, os, all.subList(from, Math.min(all.size(), from + step)))));
                OperatorSubtaskState a = as.snapshot(checkpoint, SpeadStateScenario.NOW);
                OperatorSubtaskState o = os.snapshot(checkpoint, SpeadStateScenario.NOW);
                storedEntries.add(storedEntries(operator));
                if (checkpoint % 2 == 0) {
                    continue; // checkpoint taken, the job goes on: the next one writes only what changed
                }
                as.close();
                os.close();
                operator = SpeadOperatorRun.assemblyOperator(SpeadStateScenario.SOURCE, SpeadStateScenario.CONFIG);
                as = backend(rocksDb, new KeyedOneInputStreamOperatorTestHarness<>(operator, SpeadPacketRecord::assemblyKey,
                        Types.STRING));
                os = backend(rocksDb, SpeadStateScenario.orderingHarness());
                as.initializeState(a);
                os.initializeState(o);
                as.open();
                os.open();
                as.setProcessingTime(SpeadStateScenario.NOW);
                os.setProcessingTime(SpeadStateScenario.NOW);
            }
        } finally {
            as.close();
            os.close();
        }
        return out;
    }

    /** Heap bookkeeping and payload-piece entries in the operator's keyed state, all keys. */
    private static int storedEntries(WriteBackKeyedOperator<SpeadPacketRecord, SpeadHeapRecord, HeapAssemblyFunction> operator) throws Exception {
        int[] n = {0};
        var backend = operator.<String>getKeyedStateBackend();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, HeapAssemblyFunction.heapsState(),
                (key, state) -> state.keys().forEach(k -> n[0]++));
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, HeapAssemblyFunction.piecesState(),
                (key, state) -> state.keys().forEach(k -> n[0]++));
        return n[0];
    }

    /**
     * Write-back memory is bounded by the streams that have state, not by every sender ever met:
     * 40 streams (senders) each deliver a heap and end; after the next checkpoint neither operator
     * holds any of them in memory, and a stream met again starts afresh.
     */
    @Test
    void writeBackForgetsStreamsThatEnded() throws Exception {
        var assembly = SpeadOperatorRun.assemblyOperator(SpeadStateScenario.SOURCE, SpeadStateScenario.CONFIG);
        var ordering = SpeadOperatorRun.orderingOperator(SpeadStateScenario.SOURCE, SpeadStateScenario.SUBSTREAMS,
                SpeadStateScenario.CONFIG);
        try (var as = backend(true, new KeyedOneInputStreamOperatorTestHarness<>(assembly, SpeadPacketRecord::assemblyKey,
                Types.STRING));
                var os = backend(true, new KeyedOneInputStreamOperatorTestHarness<>(ordering, SpeadHeapRecord::stream,
                        Types.STRING))) {
            as.open();
            os.open();
            as.setProcessingTime(SpeadStateScenario.NOW);
            os.setProcessingTime(SpeadStateScenario.NOW);
            int committed = 0;
            for (int round = 0; round < 2; round++) {
                for (int sender = 0; sender < 40; sender++) {
                    String stream = "sender-" + sender;
                    List<SpeadPacketRecord> packets = new ArrayList<>();
                    for (SpeadPacketRecord p : SpeadStateScenario.heap(1)) {
                        packets.add(SpeadPacketRecord.packet(stream, p.substream(),
                                p.toByteArray()));
                    }
                    packets.add(SpeadPacketRecord.endOfStream(stream, 0));
                    packets.add(SpeadPacketRecord.endOfStream(stream, 1));
                    committed += SpeadOperatorRun.run(as, os, packets).size();
                }
                assertThat(assembly.keysInMemory()).as("assembly keys before the checkpoint").isPositive();
                as.snapshot(round + 1, SpeadStateScenario.NOW);
                os.snapshot(round + 1, SpeadStateScenario.NOW);
                assertThat(assembly.keysInMemory()).as("assembly keys in memory after the checkpoint").isZero();
                assertThat(ordering.keysInMemory()).as("ordering streams in memory after the checkpoint").isZero();
            }
            assertThat(committed).as("heap 1 of every sender, in both rounds").isEqualTo(80);
        }
    }

    /**
     * Assembly keeps live heaps in memory (attached, in pooled chunks) on the heap backend too:
     * packets reach no keyed state until a checkpoint writes them.
     */
    @Test
    void theHeapBackendWritesBackAtCheckpointsToo() throws Exception {
        WriteBackKeyedOperator<SpeadPacketRecord, SpeadHeapRecord, HeapAssemblyFunction> operator = SpeadOperatorRun.assemblyOperator(SpeadStateScenario.SOURCE, SpeadStateScenario.CONFIG);
        var os = SpeadStateScenario.orderingHarness();
        try (var as = new KeyedOneInputStreamOperatorTestHarness<>(operator, SpeadPacketRecord::assemblyKey, Types.STRING)) {
            as.open();
            os.open();
            as.setProcessingTime(SpeadStateScenario.NOW);
            os.setProcessingTime(SpeadStateScenario.NOW);
            assertThat(operator.writesBack()).isTrue();
            SpeadStateScenario.run(as, os, SpeadStateScenario.before());
            assertThat(operator.keysInMemory()).isPositive();
            assertThat(storedEntries(operator)).as("keyed-state entries before a checkpoint").isZero();
            LiveHeapBudget budget = ((HeapAssemblyFunction) operator.getUserFunction()).budget();
            long live = budget.used();
            assertThat(live).isPositive();
            as.snapshot(1, SpeadStateScenario.NOW);
            assertThat(storedEntries(operator)).as("keyed-state entries after a checkpoint").isPositive();
            // The pieces now in keyed state are a second copy on the JVM's heap: charged too.
            long withCopies = budget.used();
            assertThat(withCopies).isGreaterThan(live);
            as.notifyOfCompletedCheckpoint(1);
            // Every heap finishes; the next checkpoint deletes their pieces, and once no snapshot
            // can hold them any more the budget is back to nothing.
            SpeadStateScenario.run(as, os, SpeadStateScenario.after());
            as.snapshot(2, SpeadStateScenario.NOW);
            as.notifyOfCompletedCheckpoint(2);
            assertThat(storedEntries(operator)).as("keyed-state entries once no heap is live").isZero();
            assertThat(budget.used()).isZero();
        } finally {
            os.close();
        }
    }

    /** On RocksDB the pieces written at a checkpoint leave the JVM's heap: only live heaps are charged. */
    @Test
    void rocksDbStateCopiesAreNotCharged() throws Exception {
        WriteBackKeyedOperator<SpeadPacketRecord, SpeadHeapRecord, HeapAssemblyFunction> operator = SpeadOperatorRun.assemblyOperator(SpeadStateScenario.SOURCE, SpeadStateScenario.CONFIG);
        var os = SpeadStateScenario.orderingHarness();
        try (var as = backend(true, new KeyedOneInputStreamOperatorTestHarness<>(operator, SpeadPacketRecord::assemblyKey, Types.STRING))) {
            as.open();
            os.open();
            as.setProcessingTime(SpeadStateScenario.NOW);
            os.setProcessingTime(SpeadStateScenario.NOW);
            SpeadStateScenario.run(as, os, SpeadStateScenario.before());
            LiveHeapBudget budget = ((HeapAssemblyFunction) operator.getUserFunction()).budget();
            long live = budget.used();
            as.snapshot(1, SpeadStateScenario.NOW);
            assertThat(storedEntries(operator)).isPositive();
            assertThat(budget.used()).isEqualTo(live);
        } finally {
            os.close();
        }
    }

    private static <I, O> KeyedOneInputStreamOperatorTestHarness<String, I, O> backend(boolean rocksDb,
            KeyedOneInputStreamOperatorTestHarness<String, I, O> harness) {
        if (rocksDb) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return harness;
    }

    private static List<String> uninterrupted(Supplier<EmbeddedRocksDBStateBackend> backend) throws Exception {
        var as = SpeadStateScenario.assemblyHarness();
        var os = SpeadStateScenario.orderingHarness();
        try {
            if (backend.get() != null) {
                as.setStateBackend(backend.get());
                os.setStateBackend(backend.get());
            }
            as.open();
            os.open();
            as.setProcessingTime(SpeadStateScenario.NOW);
            os.setProcessingTime(SpeadStateScenario.NOW);
            List<SpeadPacketRecord> all = new ArrayList<>(SpeadStateScenario.before());
            all.addAll(SpeadStateScenario.after());
            return hex(SpeadStateScenario.run(as, os, all));
        } finally {
            as.close();
            os.close();
        }
    }

    @Test
    void aNewerSequencerFormatIsRefusedWithAClearMessage() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, SpeadSerializers.HeapSequencerSerializer.INSTANCE.snapshotConfiguration());
        byte[] bytes = out.getCopyOfBuffer();
        // The snapshot ends with its format: claim a format from the future.
        bytes[bytes.length - 1] = 9;
        TypeSerializerSnapshot<?> stored = TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(bytes),
                getClass().getClassLoader());
        @SuppressWarnings("unchecked")
        TypeSerializerSchemaCompatibility<?> c = new SpeadSerializers.HeapSequencerSnapshot()
                .resolveSchemaCompatibility((TypeSerializerSnapshot) stored);
        assertThat(c.isIncompatible()).isTrue();
        assertThat(stored.restoreSerializer().toString()).contains("SPEAD heap sequencer").contains("format 9")
                .contains("newer RawStream version");
    }
}
