package org.rawstream.sources.spead;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.rawstream.sources.echo.TestVectors;

/** Reads the SPEAD vectors in {@code <repo root>/testdata/vectors/spead} (also used by the job's ITCases). */
public final class SpeadVectors {

    private SpeadVectors() {
    }

    public static Path dir() {
        return TestVectors.path("spead");
    }

    /** The vectors' names (their .bin files without the extension), sorted. */
    public static List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bin"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().collect(Collectors.toList());
        }
    }

    public static byte[] bin(String name) throws IOException {
        return Files.readAllBytes(dir().resolve(name + ".bin"));
    }

    @SuppressWarnings("unchecked") // the manifest's top level is a JSON object
    public static Map<String, Object> manifest(String name) throws IOException {
        return (Map<String, Object>) MiniJson.parse(Files.readString(dir().resolve(name + ".json"), StandardCharsets.UTF_8));
    }

    /** The packets of a vector file, each as its own byte array (file order). */
    public static List<byte[]> packets(byte[] stream) {
        List<byte[]> out = new ArrayList<>();
        SpeadFramer framer = new SpeadFramer(1 << 30);
        ByteBuffer buf = ByteBuffer.wrap(stream);
        int pos = 0;
        while (pos < stream.length) {
            int len = framer.nextPacketLength(buf, pos, stream.length - pos);
            if (len <= 0) {
                throw new IllegalStateException("vector does not frame at " + pos);
            }
            byte[] p = new byte[len];
            System.arraycopy(stream, pos, p, 0, len);
            out.add(p);
            pos += len;
        }
        return out;
    }
}
