package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.spead.source.SpeadPacketRecord;

/**
 * The golden SPEAD state (written by a version that counted processing time: live heaps 1 and 4
 * last touched at {@link SpeadStateScenario#NOW}, heaps 2 and 3 held since then, processing-time
 * timers) restored into the operators the job runs now, which count receive time.
 */
class SpeadReceiveTimeMigrationTest {
    private static final Path GOLDEN = Path.of("src/test/resources/migration/spead");
    private static final long TIMEOUT = SpeadStateScenario.CONFIG.heapTimeoutMillis();

    private static KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assembly()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new WriteBackKeyedOperator<>(new HeapAssemblyFunction(
                SpeadStateScenario.SOURCE, SpeadStateScenario.CONFIG, HeapClock.RECEIVE_TIME)),
                SpeadPacketRecord::assemblyKey, Types.STRING);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> ordering() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new WriteBackKeyedOperator<>(new HeapOrderingFunction(
                SpeadStateScenario.SOURCE, 0, SpeadStateScenario.SUBSTREAMS, SpeadStateScenario.CONFIG,
                HeapClock.RECEIVE_TIME)), SpeadHeapRecord::stream, Types.STRING);
    }

    private static OperatorSubtaskState golden(String name) throws Exception {
        return OperatorSnapshotUtil.readStateHandle(GOLDEN.resolve(name).toString());
    }

    /** Opens {@code a} and {@code o} on the golden state. */
    private static void restore(KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> a,
            KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> o) throws Exception {
        a.initializeState(golden("heap-assembly.snapshot"));
        o.initializeState(golden("heap-ordering.snapshot"));
        a.open();
        o.open();
    }

    @Test
    void goldenStateResumesInReceiveTimeToWhatAnUninterruptedRunStored() throws Exception {
        var a = assembly();
        var o = ordering();
        try {
            restore(a, o);
            List<String> resumed = new ArrayList<>();
            for (byte[] m : SpeadStateScenario.run(a, o, SpeadStateScenario.after())) {
                resumed.add(HexFormat.of().formatHex(m));
            }
            assertThat(resumed).isEqualTo(Files.readAllLines(GOLDEN.resolve("expected-messages.hex")));
        } finally {
            a.close();
            o.close();
        }
    }

    @Test
    void oldProcessingTimeTimersOnlyPromptAReCheckAgainstTheWatermark() throws Exception {
        var a = assembly();
        var o = ordering();
        try {
            restore(a, o);
            // The wall clock is far past every old timer: they fire, and decide nothing.
            a.setProcessingTime(SpeadStateScenario.NOW + 100 * TIMEOUT);
            o.setProcessingTime(SpeadStateScenario.NOW + 100 * TIMEOUT);
            assertThat(a.extractOutputValues()).isEmpty();
            assertThat(o.extractOutputValues()).isEmpty();
            // Receive time short of the timeout: nothing yet.
            a.processWatermark(SpeadStateScenario.NOW + TIMEOUT - 1);
            o.processWatermark(SpeadStateScenario.NOW + TIMEOUT - 1);
            assertThat(a.extractOutputValues()).isEmpty();
            assertThat(o.extractOutputValues()).isEmpty();
            // Past it: the restored live heaps 1 and 4 expire (incomplete), the held heaps 2 and 3 leave.
            long past = SpeadStateScenario.NOW + TIMEOUT + HeapAssemblyFunction.TIMER_GRANULARITY_MILLIS;
            a.processWatermark(past);
            List<String> expired = new ArrayList<>();
            for (SpeadHeapRecord h : a.extractOutputValues()) {
                expired.add(h.heap().heapCnt() + (h.heap().isComplete() ? " complete" : " incomplete"));
            }
            assertThat(expired).containsExactlyInAnyOrder("1 incomplete", "4 incomplete");
            o.processWatermark(past);
            assertThat(o.extractOutputValues()).hasSize(2);
        } finally {
            a.close();
            o.close();
        }
    }
}
