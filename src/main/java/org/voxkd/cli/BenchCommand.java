package org.voxkd.cli;

import java.util.List;
import org.voxkd.bench.OpBench;
import org.voxkd.bench.OpCatalog;
import org.voxkd.bench.RawGemm;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd bench …`: figures, never pass/fail. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
        subcommands = {BenchCommand.Ops.class})
public final class BenchCommand implements Runnable {
    @Override public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Options every benchmark shares. */
    static class Common {
        @Option(names = "--backend", defaultValue = "cpu", description = "cpu or opencl (default: ${DEFAULT-VALUE}).")
        String backend;
        @Option(names = "--device", description = "Device index or name substring (see `voxkd devices`).")
        String device;
        @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;
        @Option(names = "--frames", defaultValue = "200", description = "Frames per crop (default: ${DEFAULT-VALUE}).")
        int frames;
        @Option(names = "--reps", defaultValue = "5", description = "Timed repetitions; the median is printed (default: ${DEFAULT-VALUE}).")
        int reps;
    }

    @Command(name = "ops", mixinStandardHelpOptions = true,
            description = "Per-op forward/backward time at the student's shapes, and the linear op against raw SGEMM.")
    static final class Ops implements Runnable {
        @picocli.CommandLine.Mixin Common common = new Common();
        @Option(names = "--hidden", defaultValue = "192") int hidden;
        @Option(names = "--expansion", defaultValue = "3") int expansion;
        @Option(names = "--only", description = "Only ops whose name contains this text.") String only;

        @Override public void run() {
            if (common.reps < 1) throw new IllegalArgumentException("--reps must be at least 1");
            try (Backend backend = Backends.create(common.backend, common.device)) {
                System.out.printf("backend %s: %s (%s)%n", backend.name(), backend.device().name(), backend.device().detail());
                System.out.printf("%-14s %-26s %10s %10s %10s %10s%n", "op", "shape", "fwd ms", "bwd ms", "fwd GF/s", "bwd GF/s");
                List<OpBench> ops = new java.util.ArrayList<>(OpCatalog.student(common.batch, common.frames, hidden, expansion));
                ops.add(OpCatalog.lstmLayer(common.batch / 2, common.frames, 128, 256)); // the teacher's first layer, at its batch of 32
                for (OpBench op : ops) {
                    if (only != null && !op.op().contains(only)) continue;
                    OpBench.Row r = op.run(backend, 2, common.reps);
                    System.out.printf("%-14s %-26s %10.2f %10.2f %10s %10s%n", r.op(), r.shape(), r.forwardMs(), r.backwardMs(),
                            gf(r.forwardGflops()), gf(r.backwardGflops()));
                }
                if (backend.name().equals("cpu") && (only == null || "linear".contains(only))) compareWithRawSgemm();
            }
        }

        /** The acceptance check of the engine's GEMM path: engine linear vs OpenBLAS called directly. */
        private void compareWithRawSgemm() {
            int rows = common.batch * common.frames, wide = 2 * expansion * hidden;
            System.out.println();
            System.out.println("engine linear (GEMM + bias, through a recorded task graph) vs raw OpenBLAS SGEMM, same shapes:");
            System.out.printf("%-34s %12s %12s %12s %9s%n", "shape", "engine ms", "raw ms", "engine GF/s", "ratio");
            try (Backend cpu = Backends.create("cpu", null)) {
                for (int[] s : new int[][] {{hidden, wide}, {wide, hidden}}) {
                    OpBench.Row r = OpCatalog.linear(rows, s[0], s[1], common.batch + "×" + common.frames).run(cpu, 2, common.reps);
                    double raw = RawGemm.millis(false, true, rows, s[1], s[0], 2, common.reps);
                    System.out.printf("%-34s %12.2f %12.2f %12.1f %8.0f%%%n", rows + "×" + s[0] + "→" + s[1] + " (fwd)",
                            r.forwardMs(), raw, r.forwardGflops(), 100 * raw / r.forwardMs());
                }
            }
        }

        private static String gf(double v) { return Double.isNaN(v) ? "-" : String.format("%.1f", v); }
    }
}
