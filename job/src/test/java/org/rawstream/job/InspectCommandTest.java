package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawstream.sinks.rawhdf5.MessageBatch;
import org.rawstream.sinks.rawhdf5.RawFileOptions;
import org.rawstream.sinks.rawhdf5.RawFileWriter;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadHeapPacketizer;
import org.rawstream.sources.spead.SpeadSender;
import org.rawstream.sources.spead.StoredHeapCodec;
import org.rawstream.sources.spead.SpeadVectors;
import picocli.CommandLine;

/**
 * {@code inspect --decode} on a file the job wrote from spead2's {@code typed_items} vector
 * (src/test/resources/inspect/README.md): every decoded value spead2's ItemGroup gave for those
 * packets (the vector's manifest) is printed with its descriptor's name and type.
 */
class InspectCommandTest {

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(InspectCommandTest.class.getResource("/inspect/" + name).toURI());
    }

    private static String inspect(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = new CommandLine(new InspectCommand(out)).execute(args);
        assertThat(code).as("exit code").isZero();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void decodePrintsEveryItemAsSpead2DecodedIt() throws Exception {
        String printed = inspect("--decode", resource("spead_typed_items.h5").toString());
        Map<String, Object> manifest = SpeadVectors.manifest("typed_items");
        List<Map<String, Object>> heaps = list(manifest.get("expected_heaps"));
        int decodedItems = 0;
        for (Map<String, Object> heap : heaps) {
            long cnt = ((Number) heap.get("cnt")).longValue();
            String block = heapBlock(printed, cnt);
            Map<String, Object> decoded = map(heap.get("decoded"));
            List<Map<String, Object>> descriptors = list(heap.get("descriptors"));
            for (Map<String, Object> d : descriptors) {
                String name = (String) d.get("name");
                String header = "    " + name + " (0x" + Long.toHexString(((Number) d.get("id")).longValue()) + "): "
                        + d.get("description") + "\n      ";
                int at = block.indexOf(header);
                assertThat(at).as("heap " + cnt + " " + name + " in:\n" + block).isNotNegative();
                String line = block.substring(at + header.length(), block.indexOf('\n', at + header.length()));
                assertThat(line).as("heap " + cnt + " " + name).startsWith(type(d)).contains(valueText(decoded.get(name)));
                decodedItems++;
            }
            }
        assertThat(decodedItems).as("items with descriptors in the vector").isGreaterThan(20);
        // The start heap (the job does not store the stop heap) and the summary of a large array.
        assertThat(printed).contains("] heap 1: 0 items, stream start")
                .contains("data (0x1000): big-endian uint32 counter\n      dtype <u4, shape (4096,) = [0, 1, 2, ..., 4093, 4094, 4095]");
    }

    @Test
    void decodeOfAFileOfAnotherProtocolSaysSo() throws Exception {
        Path file = Path.of(System.getProperty("rawstream.root", "..")).resolve("testdata/vectors/rawhdf5/small_v0_0.h5");
        assertThat(inspect("--decode", file.toString())).contains("decode: not a SPEAD file");
    }

    /**
     * A sender announces descriptors once (the demo feed about once a second): heaps in a later
     * file are named by the descriptors of the files listed before it.
     */
    @Test
    void descriptorsCarryFromFileToFileInTheOrderGiven(@TempDir Path dir) throws Exception {
        SpeadSender sender = SpeadSender.builder().heapSize(16).descriptorsEvery(2).udp("127.0.0.1", 9).build();
        Path first = storedHeaps(dir.resolve("a.h5"), sender, 0);
        Path second = storedHeaps(dir.resolve("b.h5"), sender, 1, 2);
        String named = "data (0x1000): big-endian uint32 counter";

        String alone = inspect("--decode", second.toString());
        assertThat(heapBlock(alone, 11)).contains("0x1000: no descriptor, 16 bytes");
        assertThat(heapBlock(alone, 12)).as("every 2nd heap repeats them").contains(named);

        String both = inspect("--decode", first.toString(), second.toString());
        assertThat(heapBlock(both, 11)).contains(named);
    }

    /** A raw-HDF5 file of the stored heaps {@code indexes} of {@code sender} (heap counter 10 + index). */
    private static Path storedHeaps(Path file, SpeadSender sender, long... indexes) throws Exception {
        MessageBatch batch = new MessageBatch();
        SpeadHeapPacketizer packetizer = new SpeadHeapPacketizer(65507);
        for (long i : indexes) {
            ByteArrayOutputStream heap = new ByteArrayOutputStream();
            packetizer.packetize(sender.heap(i, new byte[16]).layout(SpeadFlavour.SPEAD_64_48), 10 + i, (head, payload) -> {
                heap.write(head.array(), head.arrayOffset() + head.position(), head.remaining());
                byte[] rest = new byte[payload.remaining()];
                payload.get(rest);
                heap.write(rest);
            });
            batch.add(heap.toByteArray(), 1);
        }
        try (RawFileWriter writer = RawFileWriter.create(file, RawFileOptions.builder()
                .ioVersion(StoredHeapCodec.IO_VERSION).attribute("protocol", StoredHeapCodec.PROTOCOL).build())) {
            writer.append(batch);
        }
        return file;
    }

    /** The printed lines of heap {@code cnt}, up to the next heap. */
    private static String heapBlock(String printed, long cnt) {
        int at = printed.indexOf("] heap " + cnt + ":");
        assertThat(at).as("heap " + cnt + " printed in:\n" + printed).isPositive();
        int next = printed.indexOf("\n  [", at);
        return printed.substring(at, next < 0 ? printed.length() : next + 1);
    }

    /** {@code dtype <u4} for a numpy header, {@code format u8, dtype } for a SPEAD format. */
    private static String type(Map<String, Object> descriptor) {
        if (descriptor.get("numpy_header") != null) {
            return "dtype ";
        }
        List<String> fields = new ArrayList<>();
        for (Object f : list(descriptor.get("format"))) {
            List<Object> typeBits = list(f);
            fields.add(typeBits.get(0) + String.valueOf(((Number) typeBits.get(1)).longValue()));
        }
        return "format " + String.join(",", fields) + ", dtype ";
    }

    /** {@code , shape (1,) = [0} for an array (its first elements), {@code , shape () = 20.0} for a scalar. */
    private static String valueText(Object expected) {
        if (expected instanceof String s) {
            return ", shape (" + s.length() + ",) = '" + s + "'";
        }
        if (expected instanceof Number n) {
            return ", shape () = " + number(n);
        }
        Map<String, Object> array = map(expected);
        List<String> shape = new ArrayList<>();
        long count = 1;
        for (Object dim : list(array.get("shape"))) {
            shape.add(String.valueOf(((Number) dim).longValue()));
            count *= ((Number) dim).longValue();
        }
        List<String> first = new ArrayList<>();
        boolean complex = ((String) array.get("dtype")).contains("c");
        for (Object e : list(array.get("first"))) {
            first.add(element(e, complex));
        }
        if (count > 10) { // summarised: the first three, "...", the last three
            first = first.subList(0, Math.min(3, first.size()));
        }
        return array.get("dtype") + ", shape (" + String.join(", ", shape) + (shape.size() == 1 ? ",)" : ")") + " = [" + String.join(", ", first);
    }

    private static String element(Object e, boolean complex) {
        if (e instanceof Number n) {
            return number(n);
        }
        List<Object> parts = list(e);
        if (complex) {
            String im = number((Number) parts.get(1));
            return "(" + number((Number) parts.get(0)) + (im.startsWith("-") ? "" : "+") + im + "j)";
        }
        List<String> fields = new ArrayList<>();
        for (Object p : parts) {
            fields.add(number((Number) p));
        }
        return "(" + String.join(", ", fields) + ")";
    }

    private static String number(Number n) {
        return n instanceof Double || n instanceof Float ? Double.toString(n.doubleValue()) : Long.toString(n.longValue());
    }

    @SuppressWarnings("unchecked") // JSON arrays
    private static <T> List<T> list(Object o) {
        return (List<T>) o;
    }

    @SuppressWarnings("unchecked") // JSON objects
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
