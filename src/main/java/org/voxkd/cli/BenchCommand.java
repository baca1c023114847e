package org.voxkd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.voxkd.bench.GemmBench;
import org.voxkd.bench.LoaderBench;
import org.voxkd.bench.ModelBench;
import org.voxkd.bench.OpBench;
import org.voxkd.bench.OpCatalog;
import org.voxkd.bench.Peer;
import org.voxkd.bench.Peers;
import org.voxkd.bench.ProfileBench;
import org.voxkd.bench.RawGemm;
import org.voxkd.data.Lists;
import org.voxkd.data.SynthVox;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.cpu.Gemm;
import org.voxkd.engine.cpu.GemmProviders;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.pipeline.Profile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `voxkd bench …`: figures, never pass/fail. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
        subcommands = {BenchCommand.Ops.class, BenchCommand.Train.class, BenchCommand.Infer.class, BenchCommand.Compare.class,
                BenchCommand.ProfileTime.class, BenchCommand.GemmCmd.class, BenchCommand.Loader.class, BenchCommand.NumericsCost.class})
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
        @Option(names = "--hidden", defaultValue = "192", description = "Student width (channels) of the shapes timed (default: ${DEFAULT-VALUE}).") int hidden;
        @Option(names = "--expansion", defaultValue = "3", description = "Student channel-MLP expansion of the shapes timed (default: ${DEFAULT-VALUE}).") int expansion;
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
            System.out.println("engine linear (GEMM + bias, through a recorded task graph) vs the same GEMM provider called directly, same shapes:");
            System.out.printf("%-34s %12s %12s %12s %9s%n", "shape", "engine ms", "raw ms", "engine GF/s", "ratio");
            try (Backend cpu = Backends.create("cpu", null)) {
                for (int[] s : new int[][] {{hidden, wide}, {wide, hidden}}) {
                    OpBench.Row r = OpCatalog.linear(rows, s[0], s[1], common.batch + "×" + common.frames).run(cpu, 2, reps);
                    double raw = RawGemm.millis(GemmProviders.fp32(), false, true, rows, s[1], s[0], 2, reps);
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
        @Option(names = "--clock", defaultValue = "wall", description = "wall or cpu: each repetition's wall time, or the process's CPU time "
                + "(steadier on a shared machine; one kernel thread) (default: ${DEFAULT-VALUE}).") String clock;
        @Option(names = "--profile", description = "After the timed repetitions, run more (at least 5, or --reps) with per-task timing and print "
                + "where the time goes per step: shares by kind of kernel, then each kernel summed over layers.") boolean profile;
        @Option(names = "--shapes", defaultValue = "paper", description = "Model sizes: paper (the V2 student and the standard teacher), "
                + "or a profile of experiments/profiles/ (its v2-cosine student and its teacher, e.g. default) (default: ${DEFAULT-VALUE}).")
        String shapes;
        @Option(names = "--classes", defaultValue = "" + ModelBench.CLASSES, description = "Classifier classes (bench train; default: ${DEFAULT-VALUE}).")
        int classes;
        @Option(names = "--root", defaultValue = ".", description = "Project root, where --shapes finds experiments/ (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path root;

        @Option(names = "--student", defaultValue = "v2-cosine", description = "With --shapes PROFILE: the experiment whose student runs "
                + "(v2-large: the large student) (default: ${DEFAULT-VALUE}).") String student;

        ModelBench.Shapes shapes() {
            try {
                return ModelBench.Shapes.named(shapes, root.resolve("experiments"), student);
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
            if (!clock.equals("wall") && !clock.equals("cpu")) throw new IllegalArgumentException("--clock must be wall or cpu, got " + clock);
            ModelBench.clock(clock.equals("cpu") ? ModelBench.Clock.CPU : ModelBench.Clock.WALL);
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
                            .put("clock", clock).put("samples_per_s", r.samplesPerSecond()).put("flops_per_sample", r.flopsPerSample()).put("gflops", r.gflops());
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
        @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or bf16: the step's GEMM operands (optim.precision; bf16 needs "
                + "fast numerics and oneDNN) (default: ${DEFAULT-VALUE}).") String precision;
        @Option(names = "--model", defaultValue = "student", description = "student (the KD step above) or teacher (the teacher's own training "
                + "step: AAM-softmax, no distillation; what a profile's teacher arm runs) (default: ${DEFAULT-VALUE}).")
        String model;

        @Override ModelBench.Result measure(Backend backend, int reps) {
            if (!model.equals("student") && !model.equals("teacher")) throw new IllegalArgumentException("--model must be student or teacher, got " + model);
            ModelBench.precision(precision);
            return ModelBench.train(backend, shapes(), model.equals("teacher"), classes, common.batch, common.frames, warmup, reps, profile);
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

    @Command(name = "numerics", mixinStandardHelpOptions = true,
            description = {"What portable numerics cost against fast on the cpu backend: the student's KD step, the teacher's own training "
                    + "step and student inference (as `bench train`, `bench train --model teacher`, `bench infer`), each mode in a JVM of its "
                    + "own (one mode per JVM, as voxkd runs), the two modes alternating round by round (which goes first swaps), so both "
                    + "see the same machine; prints each mode's median and the median and range of the per-round ratio portable / fast.",
                    "The child JVMs get this JVM's options (threads, heap, vector flags) and environment (OPENBLAS_NUM_THREADS)."})
    static final class NumericsCost implements Runnable {
        @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--frames", defaultValue = "64", description = "Frames per training crop (default: ${DEFAULT-VALUE}).") int frames;
        @Option(names = "--infer-frames", defaultValue = "100", description = "Frames per inference crop (default: ${DEFAULT-VALUE}).") int inferFrames;
        @Option(names = "--shapes", defaultValue = "default", description = "paper or a profile's shapes (default: ${DEFAULT-VALUE}).") String shapes;
        @Option(names = "--root", defaultValue = ".", description = "Project root (experiments/) (default: ${DEFAULT-VALUE}).") java.nio.file.Path root;
        @Option(names = "--classes", defaultValue = "200", description = "Classifier classes (default: ${DEFAULT-VALUE}, SynthVox default's training speakers).")
        int classes;
        @Option(names = "--rounds", defaultValue = "3", description = "Rounds, each one JVM per mode (default: ${DEFAULT-VALUE}).") int rounds;
        @Option(names = "--reps", defaultValue = "5", description = "Timed repetitions per JVM; its median is the round's figure (default: ${DEFAULT-VALUE}).") int reps;
        @Spec CommandSpec spec;

        @Override public void run() {
            PrintWriter out = spec.commandLine().getOut();
            String[][] workloads = {
                    {"student KD step (" + frames + " frames)", "train", "--model", "student", "--frames", "" + frames, "--classes", "" + classes},
                    {"teacher training step (" + frames + " frames)", "train", "--model", "teacher", "--frames", "" + frames, "--classes", "" + classes},
                    {"student inference (" + inferFrames + " frames)", "infer", "--frames", "" + inferFrames}};
            var rows = org.voxkd.bench.NumericsCost.run(root, shapes, batch, reps, rounds, workloads, out);
            out.printf(Locale.ROOT, "%-40s %10s %12s %8s %14s%n", shapes + " shapes, batch " + batch, "fast ms", "portable ms", "ratio", "range");
            for (var r : rows)
                out.printf(Locale.ROOT, "%-40s %10.1f %12.1f %7.2f× %6.2f–%.2f×%n", r.workload(), r.fastMs(), r.portableMs(), r.ratio(), r.lowest(), r.highest());
            out.flush();
        }
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
                var rows = ProfileBench.run(backend, root.resolve("experiments"), profile, reference, classes, perSpeaker, reps, referenceSeconds, out);
                int n = seeds > 0 ? seeds : Profile.load(root.resolve("experiments"), profile).seeds().size();
                double total = rows.stream().mapToDouble(ProfileBench.Row::estimatedSeconds).sum();
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
            description = {"voxkd's KD training step and student inference (as `bench train` and `bench infer`), then each peer (PyTorch, "
                    + "libtorch through DJL; see org.voxkd.bench.Peers) on the same shapes, classes and thread count right after, and one "
                    + "table with samples/s and the ratios voxkd / peer.",
                    "With --rounds N voxkd and the peers alternate N times; the table gives the median of each figure and of the per-round "
                    + "ratios, with their range: figures move by 10-30% between runs on a shared machine.",
                    "A peer that cannot run (missing script, torch, jar or trace) is listed with the reason; voxkd's figures still print.",
                    THREADS_NOTE})
    static final class Compare implements Runnable {
        @Mixin Common common = new Common();
        @Option(names = "--peer", defaultValue = "../shared/peers/pytorch_cpu_bench.py",
                description = "The PyTorch peer script (default: ${DEFAULT-VALUE}).") java.nio.file.Path peer;
        @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path python;
        @Option(names = "--root", defaultValue = ".", description = "The checkout, where bench/target/voxkd-peers.jar and "
                + "target/bench/student_v2.pt are (default: the working directory).") java.nio.file.Path root;
        @Option(names = "--rounds", defaultValue = "1", description = "Alternating voxkd / peer rounds (default: ${DEFAULT-VALUE}).")
        int rounds;
        @Option(names = "--peer-timeout", defaultValue = "900", description = "Seconds before a peer is given up (default: ${DEFAULT-VALUE}).")
        long peerTimeout;
        @Spec CommandSpec spec;

        @Override public void run() {
            PrintWriter out = spec.commandLine().getOut();
            int reps = common.reps(3);
            if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1, got " + reps);
            if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
            String blas = System.getenv("OPENBLAS_NUM_THREADS");
            int threads = blas != null && blas.matches("\\d+") ? Integer.parseInt(blas) : Parallel.threads();
            List<Peer> peers = Peers.all(Peers.Paths.under(root, python, peer), peerTimeout);
            Peer.Shapes shapes = new Peer.Shapes(common.batch, common.frames, ModelBench.CLASSES, threads, reps);
            double[][] ours = new double[2][rounds];
            double[][][] theirs = new double[peers.size()][2][rounds];
            Peer.Result[] last = new Peer.Result[peers.size()];
            String device;
            try (Backend backend = common.open()) {
                device = backend.name() + ": " + backend.device().name() + " (" + backend.device().detail() + ")";
                for (int k = 0; k < rounds; k++) {
                    ours[0][k] = ModelBench.train(backend, common.batch, common.frames, 1, reps, false).samplesPerSecond();
                    ours[1][k] = ModelBench.infer(backend, common.batch, common.frames, 1, Math.max(reps, 5), false).samplesPerSecond();
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d/%d: voxkd %.1f / %.1f", k + 1, rounds, ours[0][k], ours[1][k]));
                    for (int p = 0; p < peers.size(); p++) {
                        last[p] = peers.get(p).measure(shapes);
                        theirs[p][0][k] = last[p].trainSamplesPerSecond();
                        theirs[p][1][k] = last[p].inferSamplesPerSecond();
                        line.append(String.format(Locale.ROOT, ", %s %s / %s", peers.get(p).name(), fig(theirs[p][0][k]), fig(theirs[p][1][k])));
                    }
                    if (rounds > 1) {
                        out.println(line.append(" samples/s (training / inference)"));
                        out.flush();
                    }
                }
            }
            out.printf(Locale.ROOT, "voxkd %s%n", device);
            for (int p = 0; p < peers.size(); p++)
                out.printf(Locale.ROOT, "%s peer: %s%n", peers.get(p).name(), last[p].ok() ? last[p].version() : "not run — " + last[p].error());
            out.printf(Locale.ROOT, "batch %d × %d frames, V2 student (H192 N6 E3 G4), teacher for KD, %d classes, %d threads%s%n%n", common.batch,
                    common.frames, ModelBench.CLASSES, threads, rounds > 1 ? "; medians of " + rounds + " alternating rounds, ratio range in brackets" : "");
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-20s %9s", "samples/s", "voxkd"));
            for (Peer p : peers) head.append(String.format(Locale.ROOT, " %10s", p.name()));
            for (Peer p : peers) head.append(String.format(Locale.ROOT, "  %-22s", "voxkd / " + p.name()));
            out.println(head);
            String[] rows = {"KD training step", "student inference"};
            for (int r = 0; r < 2; r++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-20s %9.1f", rows[r], ModelBench.median(ours[r])));
                for (int p = 0; p < peers.size(); p++) line.append(String.format(Locale.ROOT, " %10s", fig(ModelBench.median(theirs[p][r]))));
                for (int p = 0; p < peers.size(); p++) line.append(String.format(Locale.ROOT, "  %-22s", ratio(ours[r], theirs[p][r])));
                out.println(line);
            }
            out.flush();
        }

        private static String fig(double v) { return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v); }

        /** The median of the per-round ratios and their range ("1.91× [1.79–2.07]"), or "-" where the peer has no figure. */
        static String ratio(double[] ours, double[] theirs) {
            double[] ratio = new double[ours.length];
            for (int k = 0; k < ours.length; k++) ratio[k] = ours[k] / theirs[k];
            double r = ModelBench.median(ratio);
            if (Double.isNaN(r)) return "-";
            String range = ratio.length > 1
                    ? String.format(Locale.ROOT, " [%.2f–%.2f]", java.util.Arrays.stream(ratio).min().orElse(r), java.util.Arrays.stream(ratio).max().orElse(r)) : "";
            return String.format(Locale.ROOT, "%.2f×", r) + range;
        }
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = {"GEMM providers against each other at the models' own GEMM shapes (taken from the recorded inference and "
                    + "training graphs at --batch × --frames), alternating rounds; totals weigh each shape by its launches per batch/step.",
                    "OpenBLAS threads: OPENBLAS_NUM_THREADS; oneDNN threads: OMP_NUM_THREADS (both fixed when the JVM starts)."})
    static final class GemmCmd implements Runnable {
        @Mixin Common common = new Common();
        @Option(names = "--graph", defaultValue = "infer", description = "infer or train (default: ${DEFAULT-VALUE}).") String graph;
        @Option(names = "--providers", defaultValue = "openblas,onednn", split = ",",
                description = "Providers to compare: openblas, onednn, onednn-matmul (default: ${DEFAULT-VALUE}).") List<String> providers;
        @Option(names = "--rounds", defaultValue = "3", description = "Alternating rounds (default: ${DEFAULT-VALUE}).") int rounds;
        @Spec CommandSpec spec;

        @Override public void run() {
            PrintWriter out = spec.commandLine().getOut();
            int reps = common.reps(3);
            if (reps < 1 || rounds < 1) throw new IllegalArgumentException("--reps and --rounds must be at least 1");
            List<Gemm> gemms = providers.stream().map(GemmProviders::named).toList();
            var shapes = GemmBench.shapes(graph, common.batch, common.frames);
            out.printf(Locale.ROOT, "GEMMs of the %s graph (V2 student%s), batch %d × %d frames; median of %d reps, medians of %d rounds%n", graph,
                    graph.equals("train") ? " training + teacher forward" : " inference", common.batch, common.frames, reps, rounds);
            for (int p = 0; p < gemms.size(); p++) out.printf(Locale.ROOT, "  [%d] %s%n", p + 1, gemms.get(p).describe());
            List<double[]> totals = GemmBench.compare(gemms, shapes, rounds, reps, out);
            double first = ModelBench.median(totals.get(0));
            for (int p = 0; p < gemms.size(); p++) {
                double t = ModelBench.median(totals.get(p));
                out.printf(Locale.ROOT, "total [%d] %-14s %9.1f ms per %s (%.2f× [1])%n", p + 1, providers.get(p), t,
                        graph.equals("train") ? "step" : "batch", first / t);
            }
            out.flush();
        }
    }

    @Command(name = "loader", mixinStandardHelpOptions = true,
            description = {"Training-data throughput: WAV read + front-end + crops of --frames frames, batches of --batch, as the trainer "
                    + "loads them; samples/s on the calling thread alone and with --threads background threads, against what a "
                    + "training step consumes (bench train on --backend, or --step-rate).",
                    "Without --list, a SynthVox smoke corpus is generated in a temporary directory (2-3 s utterances; VoxCeleb's "
                    + "average ~8 s costs more per crop to read)."})
    static final class Loader implements Runnable {
        @Mixin Common common = new Common();
        @Option(names = "--list", description = "A training list (speaker path per line).") java.nio.file.Path list;
        @Option(names = "--root", description = "Root of the list's paths (default: the list's directory).") java.nio.file.Path root;
        @Option(names = "--threads", defaultValue = "2", description = "Background loader threads (default: ${DEFAULT-VALUE}, the trainer's).")
        int threads;
        @Option(names = "--batches", defaultValue = "8", description = "Timed batches per figure (default: ${DEFAULT-VALUE}).") int batches;
        @Option(names = "--step-rate", description = "Samples/s a training step consumes (a GPU's, say), instead of timing bench train here.")
        Double stepRate;
        @Spec CommandSpec spec;

        @Override public void run() {
            PrintWriter out = spec.commandLine().getOut();
            if (batches < 1 || threads < 1) throw new IllegalArgumentException("--batches and --threads must be at least 1");
            java.nio.file.Path tmp = null;
            try {
                java.nio.file.Path dir;
                java.util.List<Lists.Utterance> utts;
                String what;
                if (list == null) {
                    tmp = java.nio.file.Files.createTempDirectory("voxkd-loader-bench");
                    var m = SynthVox.generate(SynthVox.Profile.SMOKE, 1, tmp, threads);
                    dir = m.wavRoot();
                    utts = Lists.readTrainList(m.trainList());
                    what = "SynthVox smoke (generated in " + tmp + ")";
                } else {
                    dir = root != null ? root : list.toAbsolutePath().getParent();
                    utts = Lists.readTrainList(list);
                    what = list.toString();
                }
                double seconds = LoaderBench.meanSeconds(dir, utts);
                out.printf(Locale.ROOT, "loader: %d utterances of %s, mean %.1f s; batch %d × %d frames%n", utts.size(), what, seconds,
                        common.batch, common.frames);
                out.flush();
                double one = LoaderBench.samplesPerSecond(dir, utts, common.batch, common.frames, 0, batches);
                out.printf(Locale.ROOT, "  caller thread only:      %8.1f samples/s  (%.2f core-ms per crop)%n", one, 1e3 / one);
                out.flush();
                double many = LoaderBench.samplesPerSecond(dir, utts, common.batch, common.frames, threads, batches);
                out.printf(Locale.ROOT, "  %d background threads:   %8.1f samples/s%n", threads, many);
                double step;
                String source;
                if (stepRate != null) {
                    step = stepRate;
                    source = "--step-rate";
                } else {
                    try (Backend backend = Backends.create(common.backend, common.device)) {
                        step = ModelBench.train(backend, common.batch, common.frames, 1, common.reps(2), false).samplesPerSecond();
                        source = "bench train on " + backend.name() + " (" + backend.device().name() + "), this machine";
                    }
                }
                out.printf(Locale.ROOT, "training step consumes:   %8.1f samples/s  (%s)%n", step, source);
                double cores = Runtime.getRuntime().availableProcessors();
                out.printf(Locale.ROOT, "loading keeps up: %s — %.1f× the step's rate; on the same %d cores the loader takes %.0f%% of a step's time%n",
                        many >= step ? "yes" : "NO", many / step, (int) cores, 100 * step / one / cores);
                out.printf(Locale.ROOT, "feature cache: %s%n", many >= step
                        ? "not needed (the loader is faster than the step it feeds)"
                        : String.format(Locale.ROOT, "needed at this step rate — the loader delivers %.0f%% of it; more loader cores (--threads) would "
                                + "need %.1f", 100 * many / step, step / one));
                out.flush();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                if (tmp != null) deleteTree(tmp);
            }
        }

        private static void deleteTree(java.nio.file.Path dir) {
            try (var s = java.nio.file.Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                // a temporary directory left behind is harmless
            }
        }
    }
}
