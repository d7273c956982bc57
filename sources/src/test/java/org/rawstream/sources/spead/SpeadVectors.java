package org.rawstream.sources.spead;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Finds and reads the SPEAD vectors in {@code <repo root>/testdata/vectors/spead}. */
final class SpeadVectors {

    private SpeadVectors() {
    }

    static Path dir() {
        String root = System.getProperty("rawstream.root");
        if (root != null) {
            Path p = Paths.get(root).resolve("testdata/vectors/spead").normalize();
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        Path d = Paths.get("").toAbsolutePath();
        while (d != null) {
            Path p = d.resolve("testdata/vectors/spead").normalize();
            if (Files.isDirectory(p)) {
                return p;
            }
            d = d.getParent();
        }
        throw new IllegalStateException("testdata/vectors/spead not found");
    }

    static List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bin"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().collect(Collectors.toList());
        }
    }

    static byte[] bin(String name) throws IOException {
        return Files.readAllBytes(dir().resolve(name + ".bin"));
    }

    @SuppressWarnings("unchecked") // the manifest's top level is a JSON object
    static Map<String, Object> manifest(String name) throws IOException {
        return (Map<String, Object>) MiniJson.parse(Files.readString(dir().resolve(name + ".json"), StandardCharsets.UTF_8));
    }

    /** The packets of a vector file, each as its own byte array (file order). */
    static List<byte[]> packets(byte[] stream) {
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
