package org.voxkd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.voxkd.bench.ModelBench;
import org.voxkd.bench.OpBench;
import org.voxkd.bench.OpCatalog;
import org.voxkd.bench.PeerBench;
import org.voxkd.bench.RawGemm;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.cpu.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `voxkd bench …`: figures, never pass/fail. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
        subcommands = {BenchCommand.Ops.class, BenchCommand.Train.class, BenchCommand.Infer.class, BenchCommand.Compare.class,
                BenchCommand.ProfileTime.class})
public final class BenchCommand implements Runnable {
    @Override public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The help line on threads shared by the model benchmarks. */
    static final String THREADS_NOTE = "Threads are fixed at start: cpu kernels by -Dvoxkd.cpu.threads=N (in VOXKD_JAVA_OPTS; default all cores), "
            + "OpenBLAS by OPENBLAS_NUM_THREADS; --json reports both.";

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
        @Option(names = "--reps", description = "Timed repetitions; the median is printed (default: 5; bench train: 3).")
        Integer reps;
        @Mixin NumericsOption numerics = new NumericsOption();

        int reps(int otherwise) { return reps != null ? reps : otherwise; }

        /** The backend, in the --numerics mode (which stays active for the rest of this benchmark process). */
        Backend open() {
            Numerics.activate(numerics.resolve());
            return Backends.create(backend, device);
        }
    }

    @Command(name = "ops", mixinStandardHelpOptions = true,
            description = "Per-op forward/backward time at the student's shapes, and the linear op against raw SGEMM.")
    static final class Ops implements Runnable {
        @picocli.CommandLine.Mixin Common common = new Common();
        @Option(names = "--hidden", defaultValue = "192") int hidden;
        @Option(names = "--expansion", defaultValue = "3") int expansion;
        @Option(names = "--only", description = "Only ops whose name contains this text.") String only;

        @Override public void run() {
            int reps = common.reps(5);
            if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1");
            try (Backend backend = common.open()) {
                System.out.printf("backend %s: %s (%s)%n", backend.name(), backend.device().name(), backend.device().detail());
                System.out.printf("%-14s %-26s %10s %10s %10s %10s%n", "op", "shape", "fwd ms", "bwd ms", "fwd GF/s", "bwd GF/s");
                List<OpBench> ops = new java.util.ArrayList<>(OpCatalog.student(common.batch, common.frames, hidden, expansion));
                ops.add(OpCatalog.lstmLayer(common.batch / 2, common.frames, 128, 256)); // the teacher's first layer, at its batch of 32
                for (OpBench op : ops) {
                    if (only != null && !op.op().contains(only)) continue;
                    OpBench.Row r = op.run(backend, 2, reps);
                    System.out.printf("%-14s %-26s %10.2f %10.2f %10s %10s%n", r.op(), r.shape(), r.forwardMs(), r.backwardMs(),
                            gf(r.forwardGflops()), gf(r.backwardGflops()));
                }
                if (backend.name().equals("cpu") && (only == null || "linear".contains(only))) compareWithRawSgemm(reps);
            }
        }

        /** The acceptance check of the engine's GEMM path: engine linear vs OpenBLAS called directly. */
        private void compareWithRawSgemm(int reps) {
            int rows = common.batch * common.frames, wide = 2 * expansion * hidden;
            System.out.println();
            System.out.println("engine linear (GEMM + bias, through a recorded task graph) vs raw OpenBLAS SGEMM, same shapes:");
            System.out.printf("%-34s %12s %12s %12s %9s%n", "shape", "engine ms", "raw ms", "engine GF/s", "ratio");
            try (Backend cpu = Backends.create("cpu", null)) {
                for (int[] s : new int[][] {{hidden, wide}, {wide, hidden}}) {
                    OpBench.Row r = OpCatalog.linear(rows, s[0], s[1], common.batch + "×" + common.frames).run(cpu, 2, reps);
                    double raw = RawGemm.millis(false, true, rows, s[1], s[0], 2, reps);
                    System.out.printf("%-34s %12.2f %12.2f %12.1f %8.0f%%%n", rows + "×" + s[0] + "→" + s[1] + " (fwd)",
                            r.forwardMs(), raw, r.forwardGflops(), 100 * raw / r.forwardMs());
                }
            }
        }

        private static String gf(double v) { return Double.isNaN(v) ? "-" : String.format("%.1f", v); }
    }

    /**
     * Whole-model throughput, printed as a table row or (--json) one JSON object per line. Threads are not an
     * option: the cpu kernel threads are fixed when the JVM starts (system property {@code voxkd.cpu.threads},
     * default: all cores) and OpenBLAS reads {@code OPENBLAS_NUM_THREADS} when it loads; the figures say which
     * counts were in force.
     */
    abstract static class ModelRun implements Runnable {
        @Mixin Common common = new Common();
        @Option(names = "--warmup", defaultValue = "1", description = "Untimed repetitions first (default: ${DEFAULT-VALUE}).") int warmup;
        @Option(names = "--json", description = "Print one JSON object per line instead of a table.") boolean json;
        @Option(names = "--profile", description = "After the timed repetitions, run one more with per-task timing and print "
                + "where the time goes, summed per kernel over layers.") boolean profile;
        @Option(names = "--shapes", defaultValue = "paper", description = "Model sizes: paper (the V2 student and the standard teacher), "
                + "or a profile of experiments/profiles/ (its v2-cosine student and its teacher, e.g. default) (default: ${DEFAULT-VALUE}).")
        String shapes;
        @Option(names = "--classes", defaultValue = "" + ModelBench.CLASSES, description = "Classifier classes (bench train; default: ${DEFAULT-VALUE}).")
        int classes;
        @Option(names = "--root", defaultValue = ".", description = "Project root, where --shapes finds experiments/ (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path root;

        ModelBench.Shapes shapes() {
            try {
                return ModelBench.Shapes.named(shapes, root.resolve("experiments"));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--shapes " + shapes + ": " + e.getMessage(), e);
            }
        }
        @Spec CommandSpec spec;

        abstract ModelBench.Result measure(Backend backend, int reps);

        abstract int defaultReps();

        @Override public void run() {
            PrintWriter out = spec.commandLine().getOut();
            if (warmup < 0) throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
            try (Backend backend = common.open()) {
                ModelBench.Result r = measure(backend, common.reps(defaultReps()));
                boolean cpu = backend.name().equals("cpu");
                String blas = System.getenv("OPENBLAS_NUM_THREADS");
                if (json) {
                    ObjectNode o = new ObjectMapper().createObjectNode();
                    o.put("bench", r.bench()).put("model", r.model()).put("backend", backend.name()).put("device", backend.device().name())
                            .put("numerics", Numerics.active().id());
                    if (cpu) o.put("threads", Parallel.threads()); else o.putNull("threads");
                    if (cpu && blas != null) o.put("blas_threads", blas); else o.putNull("blas_threads");
                    o.put("batch", r.batch()).put("frames", r.frames()).put("reps", r.reps()).put("ms_per_step", r.msPerStep())
                            .put("samples_per_s", r.samplesPerSecond()).put("flops_per_sample", r.flopsPerSample()).put("gflops", r.gflops());
                    out.println(o);
                } else {
                    out.printf(Locale.ROOT, "backend %s: %s (%s)%n", backend.name(), backend.device().name(), backend.device().detail());
                    out.printf(Locale.ROOT, "%s: %s, batch %d × %d frames, median of %d%n", r.bench(), r.model(), r.batch(), r.frames(), r.reps());
                    out.printf(Locale.ROOT, "  %.1f ms per step, %.1f samples/s, %.3f GFLOP per sample (GEMMs only), %.1f GFLOP/s%n",
                            r.msPerStep(), r.samplesPerSecond(), r.flopsPerSample() / 1e9, r.gflops());
                    r.profile().forEach(line -> out.println("    " + line));
                }
                out.flush();
            }
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Samples/s of one distillation training step (step + Adam update) at --batch × --frames: V2 student, "
                    + "frozen standard teacher, cosine KD, AAM-softmax over " + ModelBench.CLASSES + " classes; random weights and features.",
                    "FLOPs count GEMMs only (see FlopCount): student forward + backward, teacher forward, classifier.", THREADS_NOTE})
    static final class Train extends ModelRun {
        @Override ModelBench.Result measure(Backend backend, int reps) {
            return ModelBench.train(backend, shapes(), classes, common.batch, common.frames, warmup, reps, profile);
        }

        @Override int defaultReps() { return 3; }
    }

    @Command(name = "infer", mixinStandardHelpOptions = true,
            description = {"Samples/s of V2 student inference (embedding extraction, EVAL mode) at --batch × --frames through the Embedder, "
                    + "host transfers included; random weights and features.",
                    "FLOPs count GEMMs only (see FlopCount): student forward.", THREADS_NOTE})
    static final class Infer extends ModelRun {
        @Override ModelBench.Result measure(Backend backend, int reps) {
            return ModelBench.infer(backend, shapes(), common.batch, common.frames, warmup, reps, profile);
        }

        @Override int defaultReps() { return 5; }
    }

    @Command(name = "profile", mixinStandardHelpOptions = true,
            description = {"The training step of every arm of a profile at its own shapes (random weights), by process CPU time as a ratio to a "
                    + "reference arm measured between every two arms, and the time each arm and the whole profile will take, scaled from the "
                    + "reference arm's time on an idle machine (--reference-seconds; default: v2-cosine of profile default, 50 s at commit 05b670a).",
                    THREADS_NOTE})
    static final class ProfileTime implements Runnable {
        @Option(names = "--profile", defaultValue = "methods", description = "Profile (default: ${DEFAULT-VALUE}).") String profile;
        @Option(names = "--root", defaultValue = ".", description = "Project root (experiments/) (default: ${DEFAULT-VALUE}).") java.nio.file.Path root;
        @Option(names = "--reference", defaultValue = "v2-cosine", description = "Reference arm (default: ${DEFAULT-VALUE}).") String reference;
        @Option(names = "--reference-seconds", defaultValue = "50", description = "The reference arm's run on an idle machine, s (default: ${DEFAULT-VALUE}).")
        double referenceSeconds;
        @Option(names = "--classes", defaultValue = "100", description = "Training speakers (default: ${DEFAULT-VALUE}, SynthVox default).") int classes;
        @Option(names = "--per-speaker", defaultValue = "34", description = "Utterances per speaker where an arm keeps all (default: ${DEFAULT-VALUE}, SynthVox default).")
        int perSpeaker;
        @Option(names = "--reps", defaultValue = "2", description = "Timed steps per measurement (default: ${DEFAULT-VALUE}).") int reps;
        @Option(names = "--seeds", defaultValue = "0", description = "Seeds (default: the profile's).") int seeds;
        @Spec CommandSpec spec;

        @Override public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (Backend backend = Backends.create("cpu", null)) {
                var rows = org.voxkd.bench.ProfileBench.run(backend, root.resolve("experiments"), profile, reference, classes, perSpeaker, reps, referenceSeconds, out);
                int n = seeds > 0 ? seeds : org.voxkd.pipeline.Profile.load(root.resolve("experiments"), profile).seeds().size();
                double total = rows.stream().mapToDouble(org.voxkd.bench.ProfileBench.Row::estimatedSeconds).sum();
                out.printf(Locale.ROOT, "%-22s %10s %6s %6s %7s %12s %8s %10s%n", "arm", "params", "batch", "steps", "epochs", "CPU ms/step", "ratio", "est. s");
                for (var r : rows)
                    out.printf(Locale.ROOT, "%-22s %,10d %6d %6d %7d %12.0f %8.2f %10.0f%n", r.arm(), r.parameters(), r.batch(), r.stepsPerEpoch(), r.epochs(),
                            r.cpuMsPerStep(), r.ratio(), r.estimatedSeconds());
                out.printf(Locale.ROOT, "profile %s: ≈ %.1f min per seed, ≈ %.1f min for %d seeds on an idle machine like the reference's%n", profile, total / 60,
                        n * total / 60, n);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = {"voxkd's KD training step and student inference (as `bench train` and `bench infer`), then the PyTorch peer on "
                    + "the same shapes, classes and thread count right after, and one table with the ratio voxkd / PyTorch.",
                    "With --rounds N the two alternate N times and the table gives the median of each column and of the per-round "
                    + "ratios, with their range: both figures move by 10-30% between runs on a shared machine.",
                    "Without the peer script or python3-torch the table says why and shows voxkd alone.", THREADS_NOTE})
    static final class Compare implements Runnable {
        @Mixin Common common = new Common();
        @Option(names = "--peer", defaultValue = "../shared/peers/pytorch_cpu_bench.py",
                description = "The PyTorch peer script (default: ${DEFAULT-VALUE}).") java.nio.file.Path peer;
        @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path python;
        @Option(names = "--rounds", defaultValue = "1", description = "Alternating voxkd / PyTorch rounds (default: ${DEFAULT-VALUE}).")
        int rounds;
        @Option(names = "--peer-timeout", defaultValue = "900", description = "Seconds before the peer is given up (default: ${DEFAULT-VALUE}).")
        long peerTimeout;
        @Spec CommandSpec spec;

        @Override public void run() {
            PrintWriter out = spec.commandLine().getOut();
            int reps = common.reps(3);
            if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1, got " + reps);
            if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
            String blas = System.getenv("OPENBLAS_NUM_THREADS");
            int threads = blas != null && blas.matches("\\d+") ? Integer.parseInt(blas) : Parallel.threads();
            double[][] ours = new double[2][rounds], theirs = new double[2][rounds];
            String device = null, peerLine = null;
            try (Backend backend = common.open()) {
                device = backend.name() + ": " + backend.device().name() + " (" + backend.device().detail() + ")";
                for (int k = 0; k < rounds; k++) {
                    ours[0][k] = ModelBench.train(backend, common.batch, common.frames, 1, reps, false).samplesPerSecond();
                    ours[1][k] = ModelBench.infer(backend, common.batch, common.frames, 1, Math.max(reps, 5), false).samplesPerSecond();
                    PeerBench.Result p = PeerBench.run(python, peer, common.batch, common.frames, ModelBench.CLASSES, threads, reps, peerTimeout);
                    theirs[0][k] = p.trainSamplesPerSecond();
                    theirs[1][k] = p.inferSamplesPerSecond();
                    peerLine = p.ok() ? "torch " + p.torch() + ", " + threads + " threads, " + peer : "not run — " + p.error();
                    if (rounds > 1) {
                        out.printf(Locale.ROOT, "round %d/%d: training %.1f vs %.1f, inference %.1f vs %.1f samples/s%n", k + 1, rounds,
                                ours[0][k], theirs[0][k], ours[1][k], theirs[1][k]);
                        out.flush();
                    }
                }
            }
            out.printf(Locale.ROOT, "voxkd %s%n", device);
            out.printf(Locale.ROOT, "PyTorch peer: %s%n", peerLine);
            out.printf(Locale.ROOT, "batch %d × %d frames, V2 student (H192 N6 E3 G4), teacher for KD, %d classes%s%n%n", common.batch,
                    common.frames, ModelBench.CLASSES, rounds > 1 ? "; medians of " + rounds + " alternating rounds, ratio range in brackets" : "");
            out.printf(Locale.ROOT, "%-28s %16s %18s %10s%n", "samples/s", "voxkd", "PyTorch", "ratio");
            row(out, "KD training step", ours[0], theirs[0]);
            row(out, "student inference", ours[1], theirs[1]);
            out.flush();
        }

        private static void row(PrintWriter out, String what, double[] ours, double[] theirs) {
            double[] ratio = new double[ours.length];
            for (int k = 0; k < ours.length; k++) ratio[k] = ours[k] / theirs[k];
            double peer = ModelBench.median(theirs), r = ModelBench.median(ratio);
            String range = ratio.length > 1 && !Double.isNaN(r)
                    ? String.format(Locale.ROOT, " [%.2f–%.2f]", java.util.Arrays.stream(ratio).min().orElse(r), java.util.Arrays.stream(ratio).max().orElse(r)) : "";
            out.printf(Locale.ROOT, "%-28s %16.1f %18s %10s%s%n", what, ModelBench.median(ours), Double.isNaN(peer) ? "-" : String.format(Locale.ROOT, "%.1f", peer),
                    Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2f×", r), range);
        }
    }
}
