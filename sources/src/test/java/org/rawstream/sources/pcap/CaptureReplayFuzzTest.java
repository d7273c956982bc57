package org.rawstream.sources.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Jazzer fuzz target for the capture reader and replay: any bytes either fail to open with a
 * {@link CaptureFormatException} (the clear error for "not a capture") or replay to the end
 * without throwing; and a restore from the middle of the replay continues with exactly the
 * records that followed. {@code mvn verify} runs the regression corpus in
 * {@code src/test/resources/org/rawstream/sources/pcap/CaptureReplayFuzzTestInputs/replay};
 * fuzz for real with {@code JAZZER_FUZZ=1 mvn -pl sources test -Dtest=CaptureReplayFuzzTest}.
 */
class CaptureReplayFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void replay(byte[] capture) throws IOException {
        CaptureReplayTest.Replayed full;
        try {
            full = CaptureReplayTest.replay(capture);
        } catch (CaptureFormatException e) {
            return; // not a capture, or an unsupported link type: the clear error
        }
        assertThat(full.count("filesRead")).isEqualTo(1);
        if (full.records.isEmpty()) {
            return;
        }
        int middle = full.records.size() / 2;
        CaptureReplayTest.Replayed rest = CaptureReplayTest.replay(capture, ReplaySettings.builder().build(),
                full.positions.get(middle));
        assertThat(rest.records).isEqualTo(full.records.subList(middle + 1, full.records.size()));
    }
}
