package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sources.spead.SpeadAssemblyConfig;

/** The MiniCluster, expected heaps and output files of the SPEAD job tests (vectors: {@link org.rawstream.sources.spead.SpeadVectors}). */
final class SpeadJobTestSupport {
    /** The SPEAD source the job tests configure. */
    static final String SOURCE = "sp";
    /** Every wait of the SPEAD job tests ends by then. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private SpeadJobTestSupport() {
    }

    /** One TaskManager with 2 slots (the tests run parallelism 2), metrics to {@code reporter}. */
    static MiniClusterExtension miniCluster(InMemoryReporter reporter) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2).setConfiguration(reporter.addToConfiguration(new Configuration())).build());
    }

    /** Settings of a job with one SPEAD source {@code source} of {@code type} on {@code port}, output to {@code out}. */
    static org.rawstream.job.config.Settings settings(Path out, String source, String type, int port, String parallelism,
            java.util.Map<String, String> extra) {
        org.rawstream.job.config.Settings s = org.rawstream.job.config.JobConfig.defaults();
        s.set(org.rawstream.job.config.JobConfig.OUTPUT_DIR, out.toString(), "test");
        s.set(org.rawstream.job.config.JobConfig.SOURCES, source, "test");
        s.set(org.rawstream.job.config.JobConfig.PARALLELISM, parallelism, "test");
        s.set("source." + source + ".type", type, "test");
        s.set("source." + source + ".port", String.valueOf(port), "test");
        s.setAll(extra, "test");
        return s;
    }

    /** What the job must store for these packets: the job's own keyed operators' output ({@link SpeadOperatorRun}). */
    static List<String> expectedMessages(List<byte[]> packets, SpeadAssemblyConfig config) {
        List<String> out = new ArrayList<>();
        try {
            for (byte[] m : SpeadOperatorRun.stored(packets, config)) {
                out.add(HexFormat.of().formatHex(m));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * Datagrams the kernel dropped on the UDP socket bound to {@code port} because its receive
     * buffer was full ({@code /proc/net/udp}; 0 where that is not available). Read it while the
     * socket is open.
     */
    static long kernelDrops(int port) {
        String portHex = String.format(":%04X", port);
        long drops = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 12 && f[1].endsWith(portHex)) {
                    drops += Long.parseLong(f[f.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux: no figure
        }
        return drops;
    }

    /** Payload bytes of a test heap: the byte at {@code offset} of heap {@code cnt}. */
    interface HeapBytes {
        byte at(long cnt, long offset);
    }

    /** SPEAD-64-48 payload bytes per packet of {@link #sendHeap} (8972-byte datagrams). */
    static final int PAYLOAD_PER_PACKET = 8972 - 8 - 4 * 8;

    /** Sends heap {@code cnt} of {@code size} bytes in 8972-byte packets, paced by {@code pacer} (bytes). */
    static void sendHeap(java.nio.channels.DatagramChannel ch, ByteBuffer b, org.rawstream.sources.transport.Pacer pacer,
            long cnt, int size, HeapBytes bytes) throws IOException {
        org.rawstream.sources.spead.SpeadFlavour f = org.rawstream.sources.spead.SpeadFlavour.SPEAD_64_48;
        for (int off = 0; off < size; off += PAYLOAD_PER_PACKET) {
            int len = Math.min(PAYLOAD_PER_PACKET, size - off);
            b.clear();
            org.rawstream.sources.spead.SpeadPacketWriter.writeHeader(b, f, 4);
            org.rawstream.sources.spead.SpeadPacketWriter.writePacketPointers(b, f, cnt, size, off, len);
            for (int i = 0; i < len; i++) {
                b.put(bytes.at(cnt, off + i));
            }
            b.flip();
            pacer.acquire(b.remaining());
            ch.write(b);
        }
    }

    /** Every message of the committed files of one source (hidden in-progress files excluded). */
    static List<byte[]> committedMessages(Path outputDir, String source) throws IOException {
        Path dir = outputDir.resolve(source);
        List<byte[]> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".h5") && !p.getFileName().toString().startsWith("."))
                    .sorted().collect(Collectors.toList());
        }
        for (Path f : files) {
            try (RawFileReader r = RawFileReader.open(f)) {
                assertThat(r.metadata().ioVersion()).isEqualTo("4.0");
                assertThat(r.metadata().attributes().get("protocol")).isEqualTo("spead");
                out.addAll(r.messages(0, r.count()));
            }
        }
        return out;
    }
}
