package org.rawstream.sinks.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class SinkStateSerializersTest {
    @Test
    void committableRoundTrips() throws IOException {
        RawFileCommittableSerializer serializer = new RawFileCommittableSerializer();
        RawFileCommittable c = new RawFileCommittable("gen", ".part-ab12cd34-1-000007-002.h5.inprogress",
                "part-ab12cd34-1-000007-002.h5", 12345, 678901234L, 1_700_000_000_000L);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(c))).isEqualTo(c);
        assertThatThrownBy(() -> serializer.deserialize(99, serializer.serialize(c))).isInstanceOf(IOException.class);
    }

    @Test
    void writerStateRoundTrips() throws IOException {
        RawHdf5WriterStateSerializer serializer = new RawHdf5WriterStateSerializer();
        RawHdf5WriterState s = new RawHdf5WriterState("ab12cd34", 3, 42);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(s))).isEqualTo(s);
        assertThatThrownBy(() -> serializer.deserialize(99, serializer.serialize(s))).isInstanceOf(IOException.class);
    }

    @Test
    void partFileNamesAreDeterministicAndParseBack() {
        PartFileName name = new PartFileName("ab12cd34", 1, 7, 2);
        assertThat(name.visible()).isEqualTo("part-ab12cd34-1-000007-002.h5");
        assertThat(name.hidden()).isEqualTo(".part-ab12cd34-1-000007-002.h5.inprogress");
        PartFileName parsed = PartFileName.parseHidden(name.hidden()).orElseThrow();
        assertThat(parsed.lineage).isEqualTo("ab12cd34");
        assertThat(parsed.subtask).isEqualTo(1);
        assertThat(parsed.checkpoint).isEqualTo(7);
        assertThat(parsed.seq).isEqualTo(2);
        assertThat(PartFileName.parseHidden(name.visible())).isEmpty();
        assertThat(PartFileName.parseHidden(".part-xyz-1-2-3.h5.inprogress")).isEmpty();
        assertThat(PartFileName.parseHidden(".part-ab-1-99999999999-3.h5.inprogress").orElseThrow().checkpoint)
                .isEqualTo(99999999999L);
        assertThat(PartFileName.lineageOf("45B41784272BFD7D4A5944A4975B15AB")).isEqualTo("45b41784");
    }

    @Test
    void sourceNamesMustBeSafeDirectoryNames() {
        assertThatThrownBy(() -> new SourceOutput("../x", "p", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SourceOutput("a/b", "p", null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new SourceOutput("spead-1", "spead", "1.0").name()).isEqualTo("spead-1");
    }

    @Test
    void rollPolicyRollsAtAnyLimit() {
        RollPolicy policy = RollPolicy.builder().maxFileBytes(1000).maxFileRecords(10)
                .maxFileAge(java.time.Duration.ofSeconds(5)).build();
        assertThat(policy.shouldRoll(999, 9, 4999)).isFalse();
        assertThat(policy.shouldRoll(1000, 0, 0)).isTrue();
        assertThat(policy.shouldRoll(0, 10, 0)).isTrue();
        assertThat(policy.shouldRoll(0, 0, 5000)).isTrue();
        assertThatThrownBy(() -> RollPolicy.builder().maxFileBytes(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
