package org.voxkd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The conventions of ARCHITECTURE.md as checks over the sources (no build output needed):
 * <ul>
 *   <li>the packages stand on {@link #LAYERS}, lowest first: a package imports only packages on its own floor or below,
 *       and the package graph has no cycle (a sub-package, engine.cpu say, belongs to its top-level package);</li>
 *   <li>kernels compute transcendental functions through {@code Numerics} (or StrictMath), never {@code Math}
 *       directly: a kernel that bypasses it is not bit-portable in portable numerics.</li>
 * </ul>
 * References are imports and full names in code; comments and string literals are not read.
 */
class ArchitectureTest {
    static final Path MAIN = Path.of("src/main/java/org/voxkd");

    /** The floors, lowest first (ARCHITECTURE.md, "Packages"). A new package goes on the floor above everything it uses. */
    static final List<List<String>> LAYERS = List.of(
            List.of("engine"),
            List.of("kernels", "audio"),
            List.of("nn"),
            List.of("io", "distill"),
            List.of("data"),
            List.of("stats", "ledger"),
            List.of("eval", "scoring"),
            List.of("train", "report"),
            List.of("export"),
            List.of("pipeline", "api"),
            List.of("slurm", "bench"),
            List.of("cli"));

    private static final Pattern NOISE = Pattern.compile("//[^\n]*|/\\*.*?\\*/|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])'", Pattern.DOTALL);
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.voxkd\\.([a-z]\\w*)");

    /** package → the packages it references, with one file that does, from the sources under {@code root}. */
    static Map<String, Map<String, String>> packageGraph(Path root) throws IOException {
        Map<String, Map<String, String>> g = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String pkg = root.relativize(f).getName(0).toString();
                if (root.relativize(f).getNameCount() == 1) pkg = "";
                Map<String, String> out = g.computeIfAbsent(pkg, k -> new TreeMap<>());
                Matcher m = REFERENCE.matcher(NOISE.matcher(Files.readString(f)).replaceAll(" "));
                while (m.find()) if (!m.group(1).equals(pkg)) out.putIfAbsent(m.group(1), root.relativize(f).toString());
            }
        }
        return g;
    }

    /** The violations of {@code layers} in {@code graph}: unknown packages, upward references, cycles; one line each. */
    static List<String> violations(Map<String, Map<String, String>> graph, List<List<String>> layers) {
        Map<String, Integer> floor = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) for (String p : layers.get(i)) floor.put(p, i);
        List<String> out = new ArrayList<>();
        for (var e : graph.entrySet()) {
            String from = e.getKey();
            if (!floor.containsKey(from)) {
                out.add("package " + (from.isEmpty() ? "org.voxkd (top level)" : from) + " stands on no floor: add it to ArchitectureTest.LAYERS "
                        + "and ARCHITECTURE.md, above everything it imports");
                continue;
            }
            for (var ref : e.getValue().entrySet()) {
                Integer to = floor.get(ref.getKey());
                if (to != null && to > floor.get(from))
                    out.add("upward import: " + from + " (floor " + (floor.get(from) + 1) + ") -> " + ref.getKey() + " (floor " + (to + 1) + ") in "
                            + ref.getValue());
            }
        }
        for (List<String> cycle : cycles(graph)) out.add("cycle among " + String.join(", ", new TreeSet<>(cycle)) + " (they reach each other by imports)");
        return out;
    }

    /** The strongly connected components of more than one package (Tarjan). */
    static List<List<String>> cycles(Map<String, Map<String, String>> graph) {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> on = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String v : graph.keySet()) if (!index.containsKey(v)) strong(v, graph, index, low, stack, on, out, next);
        return out;
    }

    private static void strong(String v, Map<String, Map<String, String>> g, Map<String, Integer> index, Map<String, Integer> low,
                               Deque<String> stack, Set<String> on, List<List<String>> out, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]++);
        stack.push(v);
        on.add(v);
        for (String w : g.getOrDefault(v, Map.of()).keySet()) {
            if (!g.containsKey(w)) continue;
            if (!index.containsKey(w)) {
                strong(w, g, index, low, stack, on, out, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (on.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> scc = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                on.remove(w);
                scc.add(w);
            } while (!w.equals(v));
            if (scc.size() > 1) out.add(scc.reversed());
        }
    }

    @Test
    void packagesImportOnlyTheirFloorOrBelowAndFormNoCycle() throws IOException {
        Map<String, Map<String, String>> g = packageGraph(MAIN);
        assertTrue(g.size() >= 15, "read only " + g.keySet());
        List<String> v = violations(g, LAYERS);
        assertTrue(v.isEmpty(), "the package graph breaks ARCHITECTURE.md's floors:\n  " + String.join("\n  ", v));
    }

    @Test
    void theCheckFindsAnUpwardImportACycleAndAStrayPackage() {
        Map<String, Map<String, String>> g = new TreeMap<>();
        g.put("engine", new TreeMap<>(Map.of("kernels", "engine/Kernel.java")));
        g.put("kernels", new TreeMap<>(Map.of("engine", "kernels/Linear.java")));
        g.put("train", new TreeMap<>(Map.of("distill", "train/StepProgram.java")));
        g.put("distill", new TreeMap<>(Map.of("train", "distill/Context.java")));
        g.put("gadgets", new TreeMap<>());
        List<String> v = violations(g, LAYERS);
        assertEquals(List.of(
                "upward import: engine (floor 1) -> kernels (floor 2) in engine/Kernel.java",
                "upward import: distill (floor 4) -> train (floor 8) in distill/Context.java",
                "package gadgets stands on no floor: add it to ArchitectureTest.LAYERS and ARCHITECTURE.md, above everything it imports",
                "cycle among distill, train (they reach each other by imports)",
                "cycle among engine, kernels (they reach each other by imports)"), v.stream().sorted((a, b) -> Integer.compare(order(a), order(b))).toList());
    }

    private static int order(String line) {
        return line.startsWith("upward import: engine") ? 0 : line.startsWith("upward") ? 1 : line.startsWith("package") ? 2
                : line.contains("distill ->") ? 3 : 4;
    }

    @Test
    void kernelsTakeTranscendentalsFromNumerics() throws IOException {
        Pattern direct = Pattern.compile("(?<!Strict)Math\\.(exp|log|tanh|pow)\\b");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(MAIN.resolve("kernels"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++)
                    if (direct.matcher(lines.get(i)).find()) found.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).trim());
            }
        }
        assertTrue(found.isEmpty(), "kernels call Math's transcendental functions directly (use CpuArgs.numerics().exp/log/tanh, "
                + "or StrictMath where both modes must agree):\n  " + String.join("\n  ", found));
    }
}
