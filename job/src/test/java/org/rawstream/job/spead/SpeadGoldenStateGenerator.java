package org.rawstream.job.spead;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.spead.source.SpeadPacketRecord;

/**
 * Writes the golden snapshots of the SPEAD keyed operators after {@link SpeadStateScenario#before()}
 * into the directory of system property {@code rawstream.golden.out}; skipped without it. Run it
 * on the commit whose state format the snapshots are to keep (see the README next to them).
 */
@EnabledIfSystemProperty(named = "rawstream.golden.out", matches = ".+")
class SpeadGoldenStateGenerator {

    @Test
    void writeGoldenSnapshots() throws Exception {
        Path dir = Path.of(System.getProperty("rawstream.golden.out"));
        Files.createDirectories(dir);
        KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assembly =
                SpeadStateScenario.assemblyHarness();
        KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> ordering =
                SpeadStateScenario.orderingHarness();
        try {
            assembly.open();
            ordering.open();
            assembly.setProcessingTime(SpeadStateScenario.NOW);
            ordering.setProcessingTime(SpeadStateScenario.NOW);
            SpeadStateScenario.run(assembly, ordering, SpeadStateScenario.before());
            OperatorSubtaskState a = assembly.snapshot(1L, SpeadStateScenario.NOW);
            OperatorSubtaskState o = ordering.snapshot(1L, SpeadStateScenario.NOW);
            OperatorSnapshotUtil.writeStateHandle(a, dir.resolve("heap-assembly.snapshot").toString());
            OperatorSnapshotUtil.writeStateHandle(o, dir.resolve("heap-ordering.snapshot").toString());
        } finally {
            assembly.close();
            ordering.close();
        }
        // What an uninterrupted run of the same code stores: the migration test's expectation.
        KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assembly2 =
                SpeadStateScenario.assemblyHarness();
        KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> ordering2 =
                SpeadStateScenario.orderingHarness();
        try {
            assembly2.open();
            ordering2.open();
            assembly2.setProcessingTime(SpeadStateScenario.NOW);
            ordering2.setProcessingTime(SpeadStateScenario.NOW);
            List<SpeadPacketRecord> all = new ArrayList<>(SpeadStateScenario.before());
            all.addAll(SpeadStateScenario.after());
            List<String> hex = new ArrayList<>();
            for (byte[] m : SpeadStateScenario.run(assembly2, ordering2, all)) {
                hex.add(HexFormat.of().formatHex(m));
            }
            Files.write(dir.resolve("expected-messages.hex"), hex);
        } finally {
            assembly2.close();
            ordering2.close();
        }
    }
}
