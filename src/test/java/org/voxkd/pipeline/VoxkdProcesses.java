package org.voxkd.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * `voxkd` as real processes (separate JVMs on this test's classpath), and one shared fixture: two
 * {@code voxkd reproduce --profile smoke} started together on one results folder. The concurrency test asserts on
 * it; the Slurm test uses its ledger as the in-process reference.
 */
public final class VoxkdProcesses {
    private VoxkdProcesses() {}

    public static final Path ROOT = Path.of("").toAbsolutePath();

    /** The command line of a voxkd JVM: this JVM's java and classpath, the flags bin/voxkd passes, a modest heap. */
    public static List<String> voxkd(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss16m", "-Xmx2g",
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "org.voxkd.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts voxkd with these arguments, stdout and stderr into {@code log}. */
    public static Process start(Path log, Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(voxkd(args)).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits for a process started by {@link #start}; its exit code (an error when it runs past the limit). */
    public static int finish(Process p, long seconds, Path log) throws IOException, InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("voxkd did not finish within " + seconds + " s; its output:\n" + Files.readString(log));
        }
        return p.exitValue();
    }

    /** Two reproductions of the smoke profile started together on one results folder. */
    public record Concurrent(Path results, List<String> outputs, List<Integer> exitCodes, double seconds) {}

    private static Concurrent concurrent;

    public static synchronized Concurrent concurrentSmoke() {
        if (concurrent != null) return concurrent;
        try {
            Path dir = Files.createTempDirectory("voxkd-concurrent");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            Path results = dir.resolve("results");
            long t0 = System.nanoTime();
            List<Process> ps = new ArrayList<>();
            for (int k = 0; k < 2; k++)
                ps.add(start(dir.resolve("out" + k + ".txt"), Map.of(), "reproduce", "--profile", "smoke", "--root", ROOT.toString(), "--results",
                        results.toString(), "--no-report", "--poll", "0.5"));
            List<Integer> codes = new ArrayList<>();
            List<String> outs = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                codes.add(finish(ps.get(k), 600, dir.resolve("out" + k + ".txt")));
                outs.add(Files.readString(dir.resolve("out" + k + ".txt")));
            }
            concurrent = new Concurrent(results, outs, codes, (System.nanoTime() - t0) / 1e9);
            return concurrent;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static final Pattern TRAINING = Pattern.compile("(?m)^\\[\\d+/\\d+] (\\S+) seed (\\d+) \\(run (\\w+)\\): training");

    /** The run ids a reproduction's output says it trained. */
    public static Set<String> trained(String output) {
        Set<String> ids = new HashSet<>();
        Matcher m = TRAINING.matcher(output);
        while (m.find()) if (!ids.add(m.group(3))) throw new AssertionError("run " + m.group(3) + " trained twice by one process:\n" + output);
        return ids;
    }

    public static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
