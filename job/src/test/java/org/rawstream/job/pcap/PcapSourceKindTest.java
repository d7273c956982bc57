package org.rawstream.job.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.sources.pcap.CaptureWriter;
import org.rawstream.sources.pcap.LinkTypes;

/** A pcap source's configuration: one clear line for every user error, before anything runs. */
class PcapSourceKindTest {
    @TempDir
    Path tmp;

    private JobConfig config(Map<String, String> options) {
        Settings s = JobConfig.defaults().set(JobConfig.SOURCES, "cap", "test")
                .set(JobConfig.OUTPUT_DIR, tmp.resolve("out").toString(), "test")
                .set("source.cap.type", "pcap", "test");
        options.forEach((k, v) -> s.set("source.cap." + k, v, "test"));
        return JobConfig.from(s);
    }

    private Path capture(String name) throws Exception {
        Path p = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(p); CaptureWriter w = CaptureWriter.pcap(out, LinkTypes.LINUX_SLL2)) {
            w.udp(new InetSocketAddress("127.0.0.2", 1), new InetSocketAddress("127.0.0.1", 2), new byte[8]);
        }
        return p;
    }

    @Test
    void aValidConfigurationTakesTheProtocolsOptionsAndDefaults() throws Exception {
        Path file = capture("a.pcap");
        SourceConfig source = config(Map.of("protocol", "spead", "path", file.toString(), "heap-timeout", "5s",
                "substreams", "2")).sources().get(0);
        assertThat(source.ioVersion()).isEqualTo("4.0");
        assertThat(source.options()).containsEntry("heap-timeout", "5s").containsEntry("speed", "0")
                .containsEntry("port", "0").doesNotContainKeys("bind-host", "reuse-port", "demo-rate-gbps");
        SourceConfig odin = config(Map.of("protocol", "odin", "path", tmp.toString())).sources().get(0);
        assertThat(odin.ioVersion()).isEqualTo("1.0");
        assertThat(odin.options()).containsKey("max-schemas");
    }

    @Test
    void userErrorsAreOneClearLine() throws Exception {
        Path file = capture("b.pcap");
        assertThatThrownBy(() -> config(Map.of("path", file.toString())))
                .hasMessage("source cap: type pcap needs protocol set to one of [spead, odin, msgpack, echo]");
        assertThatThrownBy(() -> config(Map.of("protocol", "spead")))
                .hasMessageStartingWith("source cap: set path");
        assertThatThrownBy(() -> config(Map.of("protocol", "spead", "path", tmp.resolve("none*.pcap").toString())))
                .hasMessageContaining("no capture file at");
        Path text = Files.writeString(tmp.resolve("notes.txt"), "not a capture");
        assertThatThrownBy(() -> config(Map.of("protocol", "spead", "path", text.toString())))
                .hasMessageContaining("not a pcap or pcapng file");
        assertThatThrownBy(() -> config(Map.of("protocol", "spead", "path", file.toString(), "bind-host", "0.0.0.0")))
                .hasMessageContaining("unknown option source.cap.bind-host for type pcap");
        assertThatThrownBy(() -> config(Map.of("protocol", "spead", "path", file.toString(), "transport", "sctp")))
                .hasMessageContaining("transport must be any, udp or tcp");
        assertThatThrownBy(() -> config(Map.of("protocol", "spead", "path", file.toString(), "host", "not an address")))
                .hasMessageContaining("source cap: host");
    }
}
