package org.rawstream.sources.echo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Finds the repository's test vectors, {@code <repo root>/testdata/vectors}: the one lookup rule
 * of the sources tests and (through the test-jar) the job's. The root is the system property
 * {@code rawstream.root} (set by the parent pom), else the first directory upwards from the
 * working directory that holds {@code testdata/vectors}.
 */
public final class TestVectors {
    private TestVectors() {
    }

    /** A file or folder under the vectors directory, e.g. {@code "spead"} or {@code "echo/requests.bin"}. */
    public static Path path(String relative) {
        return root().resolve(relative);
    }

    public static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path root() {
        String repoRoot = System.getProperty("rawstream.root");
        if (repoRoot != null && !repoRoot.isBlank()) {
            Path vectors = Paths.get(repoRoot).resolve("testdata/vectors").normalize();
            if (Files.isDirectory(vectors)) {
                return vectors;
            }
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path vectors = dir.resolve("testdata/vectors").normalize();
            if (Files.isDirectory(vectors)) {
                return vectors;
            }
        }
        throw new IllegalStateException("testdata/vectors not found (set -Drawstream.root)");
    }
}
