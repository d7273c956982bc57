package org.rawstream.sources.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.junit.jupiter.api.Test;

class ReceiveTimeWatermarksTest {

    /** What a reader's main output was told: "wm <t>", "idle", "active". */
    private static final class Recorded implements ReaderOutput<Object> {
        final List<String> events = new ArrayList<>();

        @Override
        public void collect(Object record) {
        }

        @Override
        public void collect(Object record, long timestamp) {
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            events.add("wm " + watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            events.add("idle");
        }

        @Override
        public void markActive() {
            events.add("active");
        }

        @Override
        public SourceOutput<Object> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
        }
    }

    @Test
    void progressBecomesAWatermarkJustBelowItInStepsOfTenMilliseconds() {
        ReceiveTimeWatermarks w = new ReceiveTimeWatermarks();
        Recorded out = new Recorded();
        w.emitTo(out, true);
        assertThat(out.events).isEmpty(); // nothing received yet: no time known
        w.emitted(1_000);
        w.emitTo(out, true);
        w.emitted(1_005); // less than a step: not worth a watermark
        w.emitTo(out, true);
        w.emitted(1_011);
        w.emitted(1_009); // never backwards
        w.emitTo(out, true);
        assertThat(out.events).containsExactly("wm 999", "wm 1010");
        assertThat(w.watermark()).isEqualTo(1_010);
    }

    @Test
    void aReaderWithoutASplitIsIdleUntilItGetsOne() {
        ReceiveTimeWatermarks w = new ReceiveTimeWatermarks();
        Recorded out = new Recorded();
        w.emitTo(out, false);
        w.emitTo(out, false);
        assertThat(out.events).containsExactly("idle"); // once
        w.emitted(2_000);
        w.emitTo(out, true);
        assertThat(out.events).containsExactly("idle", "wm 1999"); // the watermark makes it active
    }

    @Test
    void aReaderWhoseSplitsFinishedStaysActive() {
        // Flink's chaining output drops watermarks while idle, also the end of input's final one.
        ReceiveTimeWatermarks w = new ReceiveTimeWatermarks();
        Recorded out = new Recorded();
        w.emitted(5_000);
        w.emitTo(out, true);
        w.emitTo(out, false);
        assertThat(out.events).containsExactly("wm 4999");
    }
}
