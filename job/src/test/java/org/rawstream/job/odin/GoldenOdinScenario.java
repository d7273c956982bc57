package org.rawstream.job.odin;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.rawstream.job.config.JobConfig;
import org.rawstream.job.config.Settings;
import org.rawstream.sources.odin.OdinPacketWriter;
import org.rawstream.sources.odin.OdinSchema;

/**
 * The scenario of the golden savepoint {@value #NAME} (its README says how it was produced): an
 * ODIN-over-UDP job, parallelism 2, that has received {@link #firstPart()} when it is stopped with
 * a savepoint, and {@link #secondPart()} after it is resumed. The savepoint then holds ODIN keyed
 * state with a schema (identifier {@value #KNOWN}) and with data held for an identifier whose
 * schema has not arrived ({@value #PENDING}), processing-time timers, the network source's split
 * (UDP 127.0.0.1:{@value #PORT}) and enumerator state, and the sink's writer state and pending
 * committables (no checkpoint before the savepoint, so all stored data is pending in it).
 *
 * <p>Kept compilable against the first release's code: the generator runs there.
 */
final class GoldenOdinScenario {
    /** The folder under test resources. */
    static final String NAME = "golden-savepoints/odin-udp-a6d257e";
    /**
     * The split state pins the port. Below Linux's ephemeral range (32768-60999), so no client
     * socket of another test can hold it by chance.
     */
    static final int PORT = 29417;
    static final int PARALLELISM = 2;
    static final int KNOWN = 7;
    static final int PENDING = 9;

    private static final OdinSchema KNOWN_SCHEMA = OdinSchema.of(KNOWN, 1, new int[] {101, 102}, new int[] {4, 2});
    private static final OdinSchema PENDING_SCHEMA = OdinSchema.of(PENDING, 2, new int[] {201}, new int[] {4});

    private GoldenOdinScenario() {}

    /** Before the savepoint: the known schema, 5 data packets of it, 3 data packets held for the pending one. */
    static List<byte[]> firstPart() {
        List<byte[]> packets = new ArrayList<>();
        packets.add(OdinPacketWriter.identifier(KNOWN_SCHEMA));
        for (int seq = 0; seq < 3; seq++) {
            packets.add(data(KNOWN, seq, 6));
        }
        for (int seq = 0; seq < 3; seq++) {
            packets.add(data(PENDING, seq, 4));
        }
        for (int seq = 3; seq < 5; seq++) {
            packets.add(data(KNOWN, seq, 6));
        }
        return packets;
    }

    /** After the restore: the pending schema (releases the held data), 3 more of each identifier. */
    static List<byte[]> secondPart() {
        List<byte[]> packets = new ArrayList<>();
        packets.add(OdinPacketWriter.identifier(PENDING_SCHEMA));
        for (int seq = 3; seq < 6; seq++) {
            packets.add(data(PENDING, seq, 4));
        }
        for (int seq = 5; seq < 8; seq++) {
            packets.add(data(KNOWN, seq, 6));
        }
        return packets;
    }

    /** Data packets of both parts: each decodes to named values exactly once in an uninterrupted run. */
    static final int DATA_PACKETS = 5 + 3 + 3 + 3;

    private static byte[] data(int identifier, int sequence, int length) {
        byte[] values = new byte[length];
        for (int i = 0; i < length; i++) {
            values[i] = (byte) (identifier * 16 + sequence + i);
        }
        return OdinPacketWriter.data(identifier, 1_000_000L + sequence, sequence, values);
    }

    /** The job's settings: one odin-udp source "odin" on {@link #PORT}, held data kept (almost) for ever. */
    static JobConfig config(Path out, int parallelism, String stopWhenIdle) {
        Settings s = JobConfig.defaults()
                .set(JobConfig.OUTPUT_DIR, out.toString(), "test")
                .set(JobConfig.SOURCES, "odin", "test")
                .set(JobConfig.PARALLELISM, Integer.toString(parallelism), "test")
                // Only the savepoint completes a checkpoint in the first part.
                .set(JobConfig.CHECKPOINT_INTERVAL, "30min", "test")
                .set("source.odin.type", "odin-udp", "test")
                .set("source.odin.port", Integer.toString(PORT), "test")
                .set("source.odin.io-group", "0", "test")
                // The savepoint is restored long after it was taken: held data must not expire.
                .set("source.odin.held-timeout", "36500d", "test")
                .set("source.odin.stop-when-idle", stopWhenIdle, "test")
                .set("source.odin.first-data-timeout", "120s", "test")
                .set("source.odin.values-log-interval", "0s", "test");
        return JobConfig.from(s);
    }

    /** The golden folder in the test class path. */
    static Path golden() throws URISyntaxException {
        return Path.of(GoldenOdinScenario.class.getClassLoader().getResource(NAME).toURI());
    }

    /** Copies a directory tree. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
