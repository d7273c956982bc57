package org.rawstream.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.sinks.sink.RawHdf5Sink;

class JobConfigTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsAreTheGeneratorAndTheDemoSourcesIntoOut() {
        JobConfig config = JobConfig.from(JobConfig.defaults());
        assertThat(config.outputDir()).isEqualTo(Paths.get("out"));
        assertThat(config.sources()).extracting(SourceConfig::ioGroup).doesNotHaveDuplicates();
        SourceConfig gen = config.sources().get(0);
        assertThat(gen.name()).isEqualTo("gen");
        assertThat(gen.type()).isEqualTo("generator");
        assertThat(gen.ioGroup()).isZero();
        assertThat(gen.protocol()).isEqualTo("generator");
        assertThat(gen.ioVersion()).isEqualTo("1.0");
        assertThat(gen.options()).containsEntry("rate", "1000").containsEntry("count", "0");
        assertThat(config.checkpointInterval()).isEmpty();
        assertThat(config.duration()).isEmpty();
        assertThat(config.parallelism()).isEmpty();
        RawHdf5Sink sink = config.sink();
        assertThat(sink.sources()).extracting(s -> s.name())
                .containsExactlyElementsOf(config.sources().stream().map(SourceConfig::name).toList());
        assertThat(sink.outputDirectory()).isAbsolute();
        assertThat(sink.appendQueueBytes()).isEqualTo(32L << 20);
        assertThat(JobConfig.from(JobConfig.defaults().set(JobConfig.BATCH_QUEUE_BYTES, "0", "t")).sink().appendQueueBytes())
                .as("0 = append on the task thread").isZero();
    }

    @Test
    void fileThenFlagsOverride() throws Exception {
        Path file = tmp.resolve("rawstream.yaml");
        Files.writeString(file, String.join("\n",
                "# two generators",
                "output.dir: /data/raw   # comment",
                "sources: gen, g2",
                "source.g2.type: 'generator'",
                "source.g2.io-group: 3",
                "source.g2.io-version: \"2.1\"",
                "source.g2.message-bytes: 1024",
                "checkpoint.interval: 5s",
                "roll.max-bytes: 1mb",
                ""));
        Settings s = JobConfig.defaults().setAll(FlatYaml.read(file), "file");
        s.set(JobConfig.CHECKPOINT_INTERVAL, "2s", "--checkpoint-interval");
        JobConfig config = JobConfig.from(s);
        assertThat(config.outputDir()).isEqualTo(Paths.get("/data/raw"));
        assertThat(config.sources()).extracting(SourceConfig::name).containsExactly("gen", "g2");
        SourceConfig g2 = config.sources().get(1);
        assertThat(g2.ioGroup()).isEqualTo(3);
        assertThat(g2.ioVersion()).isEqualTo("2.1");
        assertThat(g2.intValue("message-bytes", 8, 1 << 20)).isEqualTo(1024);
        assertThat(config.checkpointInterval()).contains(Duration.ofSeconds(2));
        assertThat(config.rollPolicy().maxFileBytes()).isEqualTo(1 << 20);
        assertThat(s.origin(JobConfig.CHECKPOINT_INTERVAL)).isEqualTo("--checkpoint-interval");
        assertThat(s.describe()).anyMatch(l -> l.contains("output.dir") && l.contains("/data/raw") && l.contains("file"));
    }

    @Test
    void rejectsTyposAndBadValues() {
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set("ouput.dir", "x", "t")))
                .hasMessageContaining("unknown setting 'ouput.dir'");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set("source.gen.rat", "5", "t")))
                .hasMessageContaining("unknown option source.gen.rat");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set("source.gen.type", "spead-udpx", "t")))
                .hasMessageContaining("unknown source type");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set("source.gen.io-group", "256", "t")))
                .hasMessageContaining("io-group");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set(JobConfig.SOURCES, "gen,other", "t")))
                .hasMessageContaining("source other: set source.other.type");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set(JobConfig.SOURCES, " ", "t")))
                .hasMessageContaining("no sources");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set(JobConfig.SOURCES, "[a, b]", "t")))
                .hasMessage("sources: '[a' is not a source name (letters, digits, - and _; several are "
                        + "comma-separated: sources: a, b)");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set("source.gen.message-bytes", "4", "t")))
                .hasMessageContaining("source.gen.message-bytes");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set("source.gen.rate", "-1", "t")))
                .hasMessageContaining("source.gen.rate");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults().set(JobConfig.DURATION, "0s", "t")))
                .hasMessageContaining("duration = 0s: not a duration in 1 ms .. unlimited");
        assertThatThrownBy(() -> JobConfig.from(JobConfig.defaults()
                        .set(JobConfig.SOURCES, "gen,b", "t").set("source.b.type", "generator", "t")))
                .hasMessage("source b: io-group 0 is used twice (also by gen); give each source its own: "
                        + "source.b.io-group=<0..255>");
    }

    @Test
    void flatYamlRejectsNesting() {
        assertThatThrownBy(() -> FlatYaml.parse(List.of("a:", "  b: 1"), "f")).hasMessageContaining("f:2");
        assertThatThrownBy(() -> FlatYaml.parse(List.of("novalue"), "f")).hasMessageContaining("expected 'key: value'");
        assertThatThrownBy(() -> FlatYaml.parse(List.of("a: 1", "a: 2"), "f")).hasMessageContaining("duplicate");
        assertThat(FlatYaml.parse(List.of("a: 'x # y'", "b: c#d", "c:"), "f"))
                .isEqualTo(Map.of("a", "x # y", "b", "c#d", "c", ""));
    }
}
