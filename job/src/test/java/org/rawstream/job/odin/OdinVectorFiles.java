package org.rawstream.job.odin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/** The ODIN vectors ({@code <repo root>/testdata/vectors/odin}) for the job's ITCases. */
final class OdinVectorFiles {

    private static final Pattern HEX = Pattern.compile("\"hex\":\\s*\"([0-9a-f]*)\"");

    private OdinVectorFiles() {
    }

    /** The packets of packets.json, in order (their expectations are checked by the sources' unit tests). */
    static List<byte[]> packets() {
        String json = new String(bytes("packets.json"), StandardCharsets.UTF_8);
        return HEX.matcher(json).results().map(m -> HexFormat.of().parseHex(m.group(1))).toList();
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(directory().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path directory() {
        String root = System.getProperty("rawstream.root");
        Path start = root != null ? Paths.get(root) : Paths.get("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata/vectors/odin").normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("testdata/vectors/odin not found from " + start);
    }
}
