package org.rawstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every class in {@code src/main} of every module is reachable from a real entry point; a class
 * that only tests reach belongs in {@code src/test} (or nowhere). See docs/testing.md.
 *
 * <p>How: the JDK's {@code jdeps} lists, class by class, which project classes each compiled class
 * of {@code sources, sinks, job, bench} (their {@code target/classes}) refers to: constant pool,
 * signatures, annotations. A walk from the roots below over that graph marks what is reachable;
 * every compiled class not marked is reported. It is a class-level over-approximation (a class is
 * "used" when any reachable class mentions it, even from a method nobody calls), so what it
 * reports is certainly not used by a real entry point. The bench module runs it because it sees
 * every other module's classes; it takes about 3 s.
 */
class MainCodeReachabilityTest {

    private static final List<String> MODULES = List.of("sources", "sinks", "job", "bench");

    /**
     * Files outside the class files that name classes which the JVM, Flink or a launcher loads by
     * name: the launchers (main class), the Flink configuration (reporter factories, also in
     * commented examples a user uncomments). META-INF/services of every module is read as well.
     */
    private static final List<String> FILES_NAMING_ROOTS = List.of(
            "rawstream", "dist/src/main/bin/rawstream", "flink-conf/config.yaml", "job/pom.xml");

    /**
     * Classes loaded reflectively that no file above names. Each entry says who loads it. Empty
     * today: picocli subcommands are registered in code (RawStreamJob.commandLine), Flink operators
     * and serializer snapshots are referred to by the job graph's classes.
     */
    private static final Map<String, String> REFLECTIVE_ROOTS = Map.of();

    private static final Pattern DEPENDENCY = Pattern.compile("^\\s+(org\\.rawstream\\.\\S+)\\s+->\\s+(org\\.rawstream\\.\\S+)\\s");
    private static final Pattern CLASS_NAME = Pattern.compile("\\borg\\.rawstream(?:\\.[a-z_][a-z0-9_]*)+\\.[A-Z]\\w*(?:\\$\\w+)*");

    @Test
    void everyMainClassIsReachableFromAnEntryPoint() throws Exception {
        Path root = repositoryRoot();
        List<Path> classDirs = new ArrayList<>();
        for (String module : MODULES) {
            Path dir = root.resolve(module).resolve("target/classes");
            assertThat(dir).as("compiled classes of " + module + " (build the module first)").isDirectory();
            classDirs.add(dir);
        }
        Set<String> all = new TreeSet<>();
        for (Path dir : classDirs) {
            all.addAll(classesIn(dir));
        }
        Map<String, Set<String>> graph = referenceGraph(classDirs);
        Set<String> roots = roots(root, all);
        Set<String> reachable = walk(roots, graph);

        Set<String> unreachable = new TreeSet<>(all);
        unreachable.removeAll(reachable);
        assertThat(unreachable)
                .as("classes in src/main that no entry point reaches (move them to src/test, delete them, or give them"
                        + " a user; a class loaded by name belongs in REFLECTIVE_ROOTS with who loads it)")
                .isEmpty();
        assertThat(REFLECTIVE_ROOTS.keySet()).as("REFLECTIVE_ROOTS entries that are no longer classes").allMatch(all::contains);
    }

    private static Set<String> roots(Path root, Set<String> all) throws Exception {
        Set<String> roots = new TreeSet<>(REFLECTIVE_ROOTS.keySet());
        for (String file : FILES_NAMING_ROOTS) {
            roots.addAll(classNames(Files.readString(root.resolve(file), StandardCharsets.UTF_8)));
        }
        for (String module : MODULES) {
            Path services = root.resolve(module).resolve("src/main/resources/META-INF/services");
            if (Files.isDirectory(services)) {
                try (Stream<Path> files = Files.list(services)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        roots.addAll(classNames(Files.readString(f, StandardCharsets.UTF_8)));
                    }
                }
            }
        }
        for (String name : all) {
            if (!name.startsWith("org.rawstream.bench.")) {
                continue;
            }
            // JMH's generated harness classes are loaded by name from its benchmark list.
            if (name.startsWith("org.rawstream.bench.jmh_generated.") || hasMain(name)) {
                roots.add(name);
            }
        }
        assertThat(roots).as("entry points").contains("org.rawstream.job.RawStreamJob");
        Set<String> missing = new TreeSet<>(roots);
        missing.removeAll(all);
        assertThat(missing).as("entry points named in launchers, services or flink-conf that do not exist").isEmpty();
        return roots;
    }

    /** The benchmark harnesses: every bench class with {@code public static void main(String[])}. */
    private static boolean hasMain(String name) throws ClassNotFoundException {
        Class<?> c = Class.forName(name, false, MainCodeReachabilityTest.class.getClassLoader());
        try {
            Method main = c.getDeclaredMethod("main", String[].class);
            return Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static Set<String> classNames(String text) {
        Set<String> names = new HashSet<>();
        Matcher m = CLASS_NAME.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static Map<String, Set<String>> referenceGraph(List<Path> classDirs) {
        List<String> args = new ArrayList<>(List.of("-verbose:class", "-filter:none", "-e", "org\\.rawstream\\..*"));
        classDirs.forEach(d -> args.add(d.toString()));
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("the JDK has no jdeps"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertThat(status).as("jdeps " + args + ": " + err).isZero();
        Map<String, Set<String>> graph = new HashMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = DEPENDENCY.matcher(line);
            if (m.find()) {
                graph.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(m.group(2));
            }
        }
        assertThat(graph).as("jdeps output: " + out).isNotEmpty();
        return graph;
    }

    private static Set<String> walk(Set<String> roots, Map<String, Set<String>> graph) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (seen.add(c)) {
                todo.addAll(graph.getOrDefault(c, Set.of()));
            }
        }
        return seen;
    }

    private static Set<String> classesIn(Path dir) throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(f -> {
                String rel = dir.relativize(f).toString();
                String name = rel.substring(0, rel.length() - ".class".length()).replace('/', '.');
                if (!name.endsWith("package-info") && !name.equals("module-info")) {
                    names.add(name);
                }
            });
        }
        return names;
    }

    private static Path repositoryRoot() {
        String property = System.getProperty("rawstream.root");
        if (property != null && !property.isEmpty()) {
            return Path.of(property);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("testdata/vectors"))) {
            p = p.getParent();
        }
        assertThat(p).as("repository root (set -Drawstream.root)").isNotNull();
        return p;
    }
}
