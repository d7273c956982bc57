package org.rawstream.sources.pcap.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the configured paths into the capture files to replay: a file is itself; a directory is
 * its regular, non-hidden files; a glob ({@code *}, {@code ?}, {@code [..]} in the last name) is the
 * files it matches. Within a directory or glob, names sort "naturally", so tcpdump's rotated
 * {@code cap.pcap, cap.pcap1, ..., cap.pcap10} keep their order.
 */
public final class CaptureFiles {
    private CaptureFiles() {
    }

    /**
     * @throws IllegalArgumentException naming the first path that matches no file
     */
    public static List<String> expand(List<String> patterns) {
        Set<String> files = new LinkedHashSet<>();
        for (String pattern : patterns) {
            List<Path> found = expand(pattern.trim());
            if (found.isEmpty()) {
                throw new IllegalArgumentException("no capture file at '" + pattern + "'");
            }
            found.forEach(p -> files.add(p.toAbsolutePath().normalize().toString()));
        }
        return new ArrayList<>(files);
    }

    private static List<Path> expand(String pattern) {
        List<Path> out = new ArrayList<>();
        Path path = Paths.get(pattern);
        Path name = path.getFileName();
        try {
            if (name != null && name.toString().matches(".*[*?\\[].*")) {
                Path dir = path.getParent() == null ? Paths.get(".") : path.getParent();
                PathMatcher matcher = dir.getFileSystem().getPathMatcher("glob:" + name);
                if (Files.isDirectory(dir)) {
                    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                        for (Path p : s) {
                            if (Files.isRegularFile(p) && matcher.matches(p.getFileName())) {
                                out.add(p);
                            }
                        }
                    }
                }
            } else if (Files.isDirectory(path)) {
                try (DirectoryStream<Path> s = Files.newDirectoryStream(path)) {
                    for (Path p : s) {
                        if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")) {
                            out.add(p);
                        }
                    }
                }
            } else if (Files.isRegularFile(path)) {
                out.add(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list '" + pattern + "'", e);
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString(), CaptureFiles::naturalCompare));
        return out;
    }

    /** Compares names with runs of digits compared as numbers. */
    static int naturalCompare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
