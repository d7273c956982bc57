package org.rawstream.job.odin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.job.FlinkSetup;
import org.rawstream.job.RawStreamPipeline;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.job.config.SourceConfig;
import org.rawstream.job.source.SourceKinds;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sinks.sink.RawMessageTypeInfo;
import org.rawstream.sources.net.Ports;
import org.rawstream.sources.odin.OdinEvent;
import org.rawstream.sources.odin.OdinFrameEncoder;
import org.rawstream.sources.odin.OdinOutput;
import org.rawstream.sources.odin.OdinPacketType;
import org.rawstream.sources.odin.OdinPacketWriter;
import org.rawstream.sources.odin.OdinReceiver;
import org.rawstream.sources.odin.OdinReceiverConfig;
import org.rawstream.sources.odin.OdinSchema;
import org.rawstream.sources.odin.OdinTestVectors;
import org.rawstream.sources.odin.OdinTypeDescriptor;
import org.rawstream.sources.odin.source.OdinNamedValues;
import org.rawstream.sources.odin.source.OdinPacket;
import org.rawstream.sources.transport.TcpSender;
import org.rawstream.sources.transport.UdpSender;

/**
 * The ODIN vectors (testdata/vectors/odin) through the real job (source kind, keyed schema join, raw-HDF5 sink) on
 * a MiniCluster, over UDP and TCP on 127.0.0.1; the committed files are read back and compared
 * with the vectors, and the counters with what each packet's {@code expect} entry implies.
 */
class OdinJobITCase {

    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);
    private static final int FIRST = 27829;
    private static final int SECOND = 46931;

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .setConfiguration(REPORTER.addToConfiguration(new Configuration())).build());

    /** The 20 packets of the vectors' packets.json, in order. */
    private final List<byte[]> vectors = OdinTestVectors.packets().stream().map(p -> p.bytes).toList();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void udpVectorsAreStoredDecodedAndCounted(@TempDir Path out) throws Exception {
        int port = freePort(false);
        JobConfig config = config(out, "odin-udp", port);
        SourceConfig source = config.sources().get(0);
        StreamExecutionEnvironment env = environment(config);
        OdinSourceKind.Streams streams = ((OdinSourceKind) SourceKinds.get("odin-udp")).streams(env, source);
        RawStreamPipeline.sinkTo(streams.raw, config);

        List<OdinNamedValues> values = new ArrayList<>();
        JobClient job;
        CloseableIterator<OdinNamedValues> collected = streams.values.collectAsync();
        try {
            job = env.executeAsync("odin-udp-it");
            assertThat(LocalEndpoints.awaitBound(false, port, BIND_TIMEOUT)).isTrue();
            assertThat(UdpSender.to("127.0.0.1", port).datagramsPerSecond(2_000).build().send(vectors, 1).datagrams)
                    .isEqualTo(20);
            collected.forEachRemaining(values::add);
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } finally {
            collected.close();
        }

        assertStoredInArrivalOrder(out.resolve("odin"));

        // Decoded values: sequence order per identifier, through the wrap, 5..8 lost, 10 rejected.
        Map<Integer, List<Integer>> sequences = new HashMap<>();
        Map<String, OdinNamedValues> byKey = new HashMap<>();
        for (OdinNamedValues v : values) {
            sequences.computeIfAbsent(v.identifier(), k -> new ArrayList<>()).add(v.sequence());
            byKey.put(v.identifier() + "/" + v.sequence(), v);
        }
        assertThat(sequences.get(FIRST)).containsExactly(65534, 65535, 0, 1, 2, 3, 4, 9, 11);
        assertThat(sequences.get(SECOND)).containsExactly(0);
        // Before the extended identifier: entries by index, values as hex of their bytes.
        assertThat(byKey.get(FIRST + "/65535").asMap()).containsExactly(
                Map.entry("0x10010001", "0000ac41"), Map.entry("0x10010002", "00507d44"),
                Map.entry("0x10020001", "0700"), Map.entry("0x10030001", "02000000"));
        // After it: named and typed, as the vectors expect.
        assertThat(byKey.get(FIRST + "/11").asMap()).containsExactly(
                Map.entry("sensor.temperature", "-40.0"), Map.entry("sensor.pressure", "0.5"),
                Map.entry("status.flags", "65535"), Map.entry("status.counter", "4294967295"));

        Map<String, Metric> metrics = REPORTER.findMetrics(job.getJobID(), "rawstream.odin.");
        // Rejected at the source (header) ...
        assertThat(sum(metrics, "decodeErrors_tooShort")).isEqualTo(1);
        assertThat(sum(metrics, "decodeErrors_typeZero")).isEqualTo(1);
        assertThat(sum(metrics, "decodeErrors_unknownType")).isEqualTo(1);
        assertThat(sum(metrics, "decodeErrors")).isEqualTo(3);
        // ... and in the schema join.
        assertThat(sum(metrics, "invalid_dataLengthMismatch")).isEqualTo(1);
        assertThat(sum(metrics, "invalid_zeroSizeEntry")).isEqualTo(1);
        assertThat(sum(metrics, "invalid")).isEqualTo(2);
        assertThat(sum(metrics, "packets")).isEqualTo(17);
        assertThat(sum(metrics, "packets_data")).isEqualTo(11);
        assertThat(sum(metrics, "packets_identifier")).isEqualTo(3);
        assertThat(sum(metrics, "packets_extendedIdentifier")).isEqualTo(2);
        assertThat(sum(metrics, "packets_event")).isEqualTo(1);
        assertThat(sum(metrics, "packetsValid")).isEqualTo(15);
        assertThat(sum(metrics, "schemasKnown")).isEqualTo(2);
        assertThat(sum(metrics, "schemasReplaced")).isZero();
        assertThat(sum(metrics, "extendedIdentifiersCompleted")).isEqualTo(1);
        assertThat(sum(metrics, "dataHeld")).isEqualTo(1);
        assertThat(sum(metrics, "dataResolved")).isEqualTo(1);
        assertThat(sum(metrics, "dataExpired")).isZero();
        assertThat(sum(metrics, "dataReleased")).isEqualTo(10);
        assertThat(sum(metrics, "gaps")).isEqualTo(1);
        assertThat(sum(metrics, "lost")).isEqualTo(4);
        assertThat(sum(metrics, "duplicates")).isZero();
        assertThat(sum(metrics, "events")).isEqualTo(1);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void tcpVectorsThroughTheRealPipeline(@TempDir Path out) throws Exception {
        JobClient job = runTcpJob(out, List.of(OdinTestVectors.bytes("tcp_cobs.bin")));

        assertStoredInArrivalOrder(out.resolve("odin"));
        Map<String, Metric> metrics = REPORTER.findMetrics(job.getJobID(), "rawstream.odin.");
        assertThat(sum(metrics, "decodeErrors")).isEqualTo(3);
        assertThat(sum(metrics, "invalid")).isEqualTo(2);
        assertThat(sum(metrics, "packetsValid")).isEqualTo(15);
        assertThat(sum(metrics, "gaps")).isEqualTo(1);
        assertThat(sum(metrics, "lost")).isEqualTo(4);
        assertThat(sum(metrics, "valuesDecoded")).isEqualTo(10);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void badCrcFrameIsCountedAndTheNextFrameAccepted(@TempDir Path out) throws Exception {
        // The accepted frame is data of schema 27829: send that schema after it, so it resolves.
        byte[] schema = vectors.get(1);
        JobClient job = runTcpJob(out, List.of(OdinTestVectors.bytes("tcp_cobs_bad_crc.bin"), OdinFrameEncoder.encode(schema)));

        List<byte[]> stored = storedMessages(out.resolve("odin"));
        assertThat(stored).hasSize(2);
        assertThat(stored.get(0)).isEqualTo(vectors.get(3)); // the frame after the bad one
        assertThat(stored.get(1)).isEqualTo(schema);
        Map<String, Metric> metrics = REPORTER.findMetrics(job.getJobID(), "rawstream.odin.");
        assertThat(sum(metrics, "decodeErrors_badCrc")).isEqualTo(1);
        assertThat(sum(metrics, "decodeErrors")).isEqualTo(1);
        assertThat(sum(metrics, "dataHeld")).isEqualTo(1);
        assertThat(sum(metrics, "dataResolved")).isEqualTo(1);
    }

    /**
     * A hostile sender touching all 65 536 identifiers, with the default memory limits on one keyed
     * subtask (held data waits 5 min here, so nothing expires while the counts are checked): data
     * for unknown schemas is held up to max-pending-identifiers and max-held-bytes and refused
     * (counted) past them, schemas are refused past max-schemas, and the legitimate identifiers'
     * schemas and data, sent before and after the flood, are all committed. No restart.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void hostileIdentifiersAreRefusedCountedAndBoundedWhileLegitimateDataIsCommitted(@TempDir Path out) throws Exception {
        OdinReceiverConfig limits = OdinReceiverConfig.defaults();
        int[] legit = {1000, 2000, 3000, 4000};
        List<byte[]> legitPackets = new ArrayList<>();
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        for (int id : legit) {
            byte[] schema = OdinPacketWriter.identifier(OdinSchema.of(id, 1, new int[] {1, 2}, new int[] {4, 4}));
            legitPackets.add(schema);
            wire.writeBytes(OdinFrameEncoder.encode(schema));
        }
        // Data for every identifier, 1 KiB each: legitimate identifiers refuse the wrong length, the
        // first max-pending-identifiers others are held, the rest refused.
        byte[] filler = new byte[1014];
        int hostileLength = OdinPacketWriter.data(0, 0, 0, filler).length;
        for (int id = 0; id < 65536; id++) {
            wire.writeBytes(OdinFrameEncoder.encode(OdinPacketWriter.data(id, 0, 0, filler)));
        }
        // 63 more packets for each held identifier: max-held-bytes runs out before max-held.
        for (int seq = 1; seq < 64; seq++) {
            for (int id = 0; id < limits.maxPendingIdentifiers(); id++) {
                wire.writeBytes(OdinFrameEncoder.encode(OdinPacketWriter.data(id, 0, seq, filler)));
            }
        }
        // A thousand schemas: accepted up to max-schemas, then refused.
        int hostileSchemas = 1000;
        for (int id = 10000; id < 10000 + hostileSchemas; id++) {
            wire.writeBytes(OdinFrameEncoder.encode(OdinPacketWriter.identifier(OdinSchema.of(id, 7, new int[] {1}, new int[] {2}))));
        }
        for (int seq = 0; seq < 50; seq++) {
            for (int id : legit) {
                byte[] data = OdinPacketWriter.data(id, seq, seq, ByteBuffer.allocate(8).putInt(id).putInt(seq).array());
                legitPackets.add(data);
                wire.writeBytes(OdinFrameEncoder.encode(data));
            }
        }

        int port = freePort(true);
        JobConfig config = config(out, "odin-tcp", port, "3s", Map.of(JobConfig.PARALLELISM, "1",
                "source.odin.held-timeout", "5min"));
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        RawStreamPipeline.build(env, config);
        JobClient job = env.executeAsync("odin-hostile-it");
        assertThat(LocalEndpoints.awaitBound(true, port, BIND_TIMEOUT)).isTrue();
        TcpSender.to("127.0.0.1", port).build().send(List.of(wire.toByteArray()), 1);
        job.getJobExecutionResult().get(120, TimeUnit.SECONDS);

        Map<String, Metric> metrics = REPORTER.findMetrics(job.getJobID(), "rawstream.odin.");
        long pendingRefused = 65536 - legit.length - limits.maxPendingIdentifiers();
        long fitInBudget = limits.maxHeldBytes() / hostileLength;
        long heldOffered = 64L * limits.maxPendingIdentifiers();
        long acceptedSchemas = limits.maxSchemas() - legit.length;
        assertThat(sum(metrics, "invalid_pendingLimit")).isEqualTo(pendingRefused);
        assertThat(sum(metrics, "invalid_dataLengthMismatch")).isEqualTo(legit.length);
        assertThat(sum(metrics, "dataHeld")).isEqualTo(fitInBudget);
        assertThat(sum(metrics, "dataRefused")).isEqualTo(heldOffered - fitInBudget);
        assertThat(sum(metrics, "heldBytes")).isEqualTo(fitInBudget * hostileLength)
                .isLessThanOrEqualTo(limits.maxHeldBytes());
        assertThat(sum(metrics, "invalid_schemaLimit")).isEqualTo(hostileSchemas - acceptedSchemas);
        assertThat(sum(metrics, "schemasKnown")).isEqualTo(limits.maxSchemas());
        assertThat(sum(metrics, "dataExpired")).isZero();
        assertThat(sum(REPORTER.findMetrics(job.getJobID(), "numRestarts"), "numRestarts")).isZero();

        List<byte[]> stored = storedMessages(out.resolve("odin"));
        List<String> legitStored = stored.stream().filter(m -> isLegit(m, legit)).map(OdinJobITCase::hex).toList();
        assertThat(legitStored).containsExactlyElementsOf(legitPackets.stream().map(OdinJobITCase::hex).toList());
        assertThat(stored).hasSize(legitPackets.size() + (int) acceptedSchemas);
    }

    private static boolean isLegit(byte[] message, int[] legit) {
        int key = new OdinPacket(message, 0).key();
        return java.util.Arrays.stream(legit).anyMatch(id -> id == key);
    }

    /** Runs the real pipeline with an odin-tcp source, sends {@code bytes} on one connection, waits for the end. */
    private static JobClient runTcpJob(Path out, List<byte[]> bytes) throws Exception {
        int port = freePort(true);
        JobConfig config = config(out, "odin-tcp", port);
        StreamExecutionEnvironment env = environment(config);
        RawStreamPipeline.build(env, config);
        JobClient job = env.executeAsync("odin-tcp-it");
        assertThat(LocalEndpoints.awaitBound(true, port, BIND_TIMEOUT)).isTrue();
        TcpSender.to("127.0.0.1", port).build().send(bytes, 1);
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        return job;
    }

    /** Set when the injected failure has happened (same JVM as the MiniCluster). */
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void schemaStateSurvivesAFailureAndRestart(@TempDir Path out) throws Exception {
        int port = freePort(false);
        // Idle long enough not to end before the first commit (the test waits for it).
        JobConfig config = config(out, "odin-udp", port, "8s");
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        OdinSourceKind.Streams streams = ((OdinSourceKind) SourceKinds.get("odin-udp")).streams(env, config.sources().get(0));
        RawStreamPipeline.sinkTo(streams.raw.map(new FailOnEvent99()).returns(RawMessageTypeInfo.INSTANCE), config);
        FAILED.set(false);

        JobClient job = env.executeAsync("odin-restart-it");
        assertThat(LocalEndpoints.awaitBound(false, port, BIND_TIMEOUT)).isTrue();
        byte[] schema = vectors.get(1);
        byte[] before = vectors.get(2); // sequence 65535
        UdpSender udp = UdpSender.to("127.0.0.1", port).build();
        udp.send(List.of(schema, before), 1);
        Path dir = out.resolve("odin");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // Committed files hold the schema once a checkpoint with it in keyed state has completed.
        while (storedHexes(dir).size() < 2) {
            assertThat(System.nanoTime()).as("schema committed before the deadline").isLessThan(deadline);
            LockSupport.parkNanos(50_000_000L); // poll interval
        }
        udp.send(List.of(OdinPacketWriter.event(99, 0, 0, new byte[0])), 1);
        // After the restart the schema is known from restored state: data is stored at once,
        // not held (held data would never be stored: the schema is not sent again).
        String afterRestart = null;
        for (int sequence = 0; afterRestart == null; sequence++) {
            assertThat(System.nanoTime()).as("data stored after the restart before the deadline (failed %s, job %s, stored %s)",
                    FAILED.get(), job.getJobStatus().get(), storedHexes(dir)).isLessThan(deadline);
            byte[] data = OdinPacketWriter.data(FIRST, 1000 + sequence, sequence, new byte[14]);
            if (FAILED.get()) {
                udp.send(List.of(data), 1);
            }
            LockSupport.parkNanos(100_000_000L); // send pace while the job restarts
            for (String hex : storedHexes(dir)) {
                if (hex.startsWith("02") && !hex.equals(hex(before))) {
                    afterRestart = hex;
                }
            }
        }
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        assertThat(FAILED.get()).isTrue();
        List<String> stored = storedHexes(dir);
        assertThat(stored.subList(0, 2)).containsExactly(hex(schema), hex(before));
        assertThat(stored).contains(afterRestart);
        // (Metrics are not summed here: the reporter keeps both attempts' gauges under one name.)
    }

    /** Fails the job once, on the raw message of event 99. */
    private static final class FailOnEvent99 implements MapFunction<RawMessage, RawMessage> {
        private static final long serialVersionUID = 1L;

        @Override
        public RawMessage map(RawMessage message) {
            OdinPacket packet = new OdinPacket(message.bytes(), 0);
            if (packet.key() == (OdinPacket.EVENT_KEY_BIT | 99) && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return message;
        }
    }

    /** Hex of every stored message so far (empty while nothing is committed). */
    private static List<String> storedHexes(Path dir) throws IOException {
        List<String> hexes = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            for (byte[] message : storedMessages(dir, false)) {
                hexes.add(hex(message));
            }
        }
        return hexes;
    }

    /**
     * Every valid packet's exact bytes, in arrival order per identifier (held data before its
     * schema): the job's files hold, per key, what the plain-Java receiver passes on for the same
     * packets (which OdinVectorsTest checks against each packet's {@code expect} entry).
     */
    private void assertStoredInArrivalOrder(Path dir) throws IOException {
        Map<Integer, List<String>> expected = new LinkedHashMap<>();
        OdinReceiver receiver = new OdinReceiver(OdinReceiverConfig.defaults(), new OdinOutput() {
            @Override
            public void packet(OdinPacketType type, int identifier, ByteBuffer packet) {
                byte[] bytes = new byte[packet.remaining()];
                packet.get(packet.position(), bytes);
                expected.computeIfAbsent(new OdinPacket(bytes, 0).key(), k -> new ArrayList<>()).add(hex(bytes));
            }

            @Override
            public void data(OdinSchema schema, Map<Integer, OdinTypeDescriptor> types, ByteBuffer packet) {
            }

            @Override
            public void event(OdinEvent event) {
            }
        });
        for (byte[] packet : vectors) {
            receiver.accept(ByteBuffer.wrap(packet), 0);
        }
        Map<Integer, List<String>> actual = new LinkedHashMap<>();
        List<byte[]> stored = storedMessages(dir);
        for (byte[] message : stored) {
            actual.computeIfAbsent(new OdinPacket(message, 0).key(), k -> new ArrayList<>()).add(hex(message));
        }
        assertThat(stored).hasSize(15);
        assertThat(actual).isEqualTo(expected);
        assertThat(actual.get(FIRST).get(0)).as("held data first").isEqualTo(hex(vectors.get(0)));
        assertThat(actual.get(OdinPacket.EVENT_KEY_BIT | 5)).hasSize(1);
    }

    /** Messages of all committed files of a source, file by file in (subtask, checkpoint, seq) order. */
    private static List<byte[]> storedMessages(Path dir) throws IOException {
        return storedMessages(dir, true);
    }

    private static List<byte[]> storedMessages(Path dir, boolean requireFiles) throws IOException {
        Pattern name = Pattern.compile("part-[0-9a-f]+-(\\d+)-(\\d+)-(\\d+)\\.h5");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> name.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong((Path p) -> part(name, p, 1))
                            .thenComparingLong(p -> part(name, p, 2)).thenComparingLong(p -> part(name, p, 3)))
                    .toList();
        }
        if (requireFiles) {
            assertThat(files).isNotEmpty();
        }
        List<byte[]> messages = new ArrayList<>();
        for (Path file : files) {
            try (RawFileReader reader = RawFileReader.open(file)) {
                assertThat(reader.metadata().attributes()).containsEntry("protocol", "odin");
                assertThat(reader.metadata().ioVersion()).isEqualTo("1.0");
                if (reader.count() > 0) {
                    messages.addAll(reader.messages(0, reader.count()));
                }
            }
        }
        return messages;
    }

    private static long part(Pattern name, Path file, int group) {
        Matcher m = name.matcher(file.getFileName().toString());
        assertThat(m.matches()).isTrue();
        return Long.parseLong(m.group(group));
    }

    private static JobConfig config(Path out, String type, int port) {
        return config(out, type, port, "2s");
    }

    private static JobConfig config(Path out, String type, int port, String stopWhenIdle) {
        return config(out, type, port, stopWhenIdle, Map.of());
    }

    private static JobConfig config(Path out, String type, int port, String stopWhenIdle, Map<String, String> extra) {
        Settings settings = JobConfig.defaults()
                .set(JobConfig.OUTPUT_DIR, out.toString(), "test")
                .set(JobConfig.SOURCES, "odin", "test")
                .set(JobConfig.PARALLELISM, "2", "test")
                .set(JobConfig.CHECKPOINT_INTERVAL, "500ms", "test")
                .set("source.odin.type", type, "test")
                .set("source.odin.port", String.valueOf(port), "test")
                .set("source.odin.reorder-timeout", "300ms", "test")
                .set("source.odin.stop-when-idle", stopWhenIdle, "test")
                .set("source.odin.first-data-timeout", "60s", "test")
                .set("source.odin.values-log-interval", "0s", "test");
        for (Map.Entry<String, String> e : extra.entrySet()) {
            settings = settings.set(e.getKey(), e.getValue(), "test");
        }
        return JobConfig.from(settings);
    }

    private static StreamExecutionEnvironment environment(JobConfig config) {
        Configuration conf = FlinkSetup.applyJobSettings(new Configuration(), config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        return env;
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** Sum of a metric over subtasks (counters and numeric gauges); the metric must exist. */
    private static long sum(Map<String, Metric> metrics, String name) {
        List<Metric> matching = metrics.entrySet().stream().filter(e -> e.getKey().endsWith("." + name))
                .map(Map.Entry::getValue).toList();
        assertThat(matching).as("metric %s in %s", name, metrics.keySet()).isNotEmpty();
        return matching.stream().mapToLong(m -> m instanceof Counter ? ((Counter) m).getCount()
                : ((Number) ((Gauge<?>) m).getValue()).longValue()).sum();
    }

    private static int freePort(boolean tcp) throws IOException {
        return tcp ? Ports.freeTcpPort() : Ports.freeUdpPort();
    }
}
