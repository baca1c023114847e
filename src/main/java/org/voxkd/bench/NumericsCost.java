package org.voxkd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.voxkd.ledger.Ledger;

/**
 * `voxkd bench numerics`: the cost of portable numerics against fast, with each mode in a JVM of its own. Why not one
 * JVM: the modes keep the cpu backend's memory in different kinds of buffers (Java arrays for voxkd's GEMM, native
 * memory for oneDNN/OpenBLAS), and a JVM that runs kernels on both recompiles them for both — measured: several times
 * slower than either mode alone — which voxkd never does (a run, a reproduction, a benchmark is in one mode). The rounds
 * alternate the modes (which goes first swaps) so that a machine whose speed drifts slows both alike, and the figure
 * is the median of the per-round ratios.
 */
public final class NumericsCost {
    private NumericsCost() {}

    /** One workload: each mode's median over rounds (ms per step or batch) and the per-round ratio portable / fast. */
    public record Row(String workload, double fastMs, double portableMs, double ratio, double lowest, double highest) {}

    /**
     * @param workloads per workload its label, then the `voxkd bench` subcommand and its options (batch, shapes,
     *                  numerics, reps, json are added)
     */
    public static List<Row> run(Path root, String shapes, int batch, int reps, int rounds, String[][] workloads, PrintWriter log) {
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
        if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1, got " + reps);
        List<Row> rows = new ArrayList<>();
        for (String[] w : workloads) {
            double[] fast = new double[rounds], portable = new double[rounds], ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                boolean fastFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean isFast = (k == 0) == fastFirst;
                    double ms = child(root, shapes, batch, reps, w, isFast ? "fast" : "portable");
                    if (isFast) fast[r] = ms;
                    else portable[r] = ms;
                }
                ratio[r] = portable[r] / fast[r];
                log.printf(Locale.ROOT, "  %s, round %d/%d: fast %.1f ms, portable %.1f ms (%.2f×)%n", w[0], r + 1, rounds, fast[r], portable[r], ratio[r]);
                log.flush();
            }
            var range = java.util.Arrays.stream(ratio).summaryStatistics();
            rows.add(new Row(w[0], ModelBench.median(fast), ModelBench.median(portable), ModelBench.median(ratio), range.getMin(), range.getMax()));
        }
        return rows;
    }

    /** Runs one benchmark in a child JVM started like this one and returns its ms per step. */
    private static double child(Path root, String shapes, int batch, int reps, String[] w, String numerics) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.voxkd.cli.Main", "bench"));
        for (int i = 1; i < w.length; i++) cmd.add(w[i]);
        cmd.addAll(List.of("--shapes", shapes, "--root", root.toString(), "--batch", "" + batch, "--reps", "" + reps, "--warmup", "2",
                "--numerics", numerics, "--json"));
        try {
            // stderr joins stdout: the figure is the one JSON line, the rest (the JVM's notices, an error) goes into a failure's message
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            for (String line : text.split("\n"))
                if (line.startsWith("{")) {
                    JsonNode o = Ledger.JSON.readTree(line);
                    if (rc == 0 && o.has("ms_per_step")) return o.get("ms_per_step").asDouble();
                }
            throw new IllegalStateException("bench " + w[1] + " --numerics " + numerics + " in a child JVM exited " + rc + " without a figure:\n" + text.strip());
        } catch (IOException e) {
            throw new IllegalStateException("could not start a child JVM for bench " + w[1] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a child JVM", e);
        }
    }
}
