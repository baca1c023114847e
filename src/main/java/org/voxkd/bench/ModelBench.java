package org.voxkd.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.List;
import org.voxkd.engine.Backend;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Philox;
import org.voxkd.eval.Embedder;
import org.voxkd.nn.Init;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;
import org.voxkd.pipeline.Profile;
import org.voxkd.train.StepProgram;
import org.voxkd.train.TrainConfig;

/**
 * Whole-model throughput: a distillation training step ({@code voxkd bench train}) and student inference
 * ({@code voxkd bench infer}) on random weights and random features — no data files. The figure is the
 * median wall time of {@code reps} timed repetitions after {@code warmup} untimed ones; each repetition
 * waits for the device, so launches and host transfers are included.
 */
public final class ModelBench {
    private ModelBench() {}

    /** Classes of the benchmark's classifier (VoxCeleb1's dev set has 1,211; the count barely moves the time). */
    public static final int CLASSES = 1000;

    /**
     * The benchmark's training configuration: the V2 student distilled from the standard teacher with the
     * cosine loss at α 0.5, AAM-softmax classifier, Adam. The list and checkpoint paths are placeholders that
     * {@link StepProgram} never reads (weights are random, features are generated).
     */
    static final String TRAIN_YAML = """
            experiment: bench-train
            model: {kind: student}
            teacher: {checkpoint: unused-by-bench.ckpt}
            loss: {classifier: aam, distillation: cosine, alpha: 0.5}
            data: {train_list: unused-by-bench.txt}
            """;

    /** The teacher trained alone ({@code bench train --model teacher}): AAM-softmax, no distillation, Adam. */
    static final String TEACHER_YAML = """
            experiment: bench-train-teacher
            model: {kind: teacher}
            loss: {classifier: aam, distillation: none}
            data: {train_list: unused-by-bench.txt}
            """;

    /**
     * The models a benchmark runs: {@link #PAPER} (the V2 student and the standard teacher, the original sizes), or the
     * V2 student (experiment v2-cosine) and the teacher of a profile in experiments/profiles/ ({@link #fromProfile}).
     */
    public record Shapes(String name, StudentConfig student, TeacherConfig teacher) {
        public static final Shapes PAPER = new Shapes("paper", StudentConfig.v2(), TeacherConfig.standard());

        /** {@code paper}, or the student and teacher sizes of profile {@code name} (its experiments v2-cosine and teacher). */
        public static Shapes named(String name, Path experimentsDir) throws IOException {
            return named(name, experimentsDir, "v2-cosine");
        }

        /** {@link #named(String, Path)} with the student of another experiment of the profile (v2-large: the large student). */
        public static Shapes named(String name, Path experimentsDir, String studentExperiment) throws IOException {
            if (name.equals(PAPER.name)) {
                if (!studentExperiment.equals("v2-cosine")) throw new IllegalArgumentException("paper shapes have one student (v2-cosine), not " + studentExperiment);
                return PAPER;
            }
            Profile p = Profile.load(experimentsDir, name);
            if (!(model(p, studentExperiment) instanceof Student s))
                throw new IllegalArgumentException("experiment " + studentExperiment + " of profile " + name + " does not train a student");
            return new Shapes(name, s.config(), ((Teacher) model(p, "teacher")).config());
        }

        private static SpeakerModel model(Profile p, String experiment) throws IOException {
            com.fasterxml.jackson.databind.node.ObjectNode tree = p.experiment(experiment).tree();
            tree.putObject("teacher").put("checkpoint", "unused-by-bench.ckpt");
            tree.putObject("data").put("train_list", "unused-by-bench.txt");
            return TrainConfig.fromTree(tree, Path.of(experiment + ".yaml")).buildModel();
        }

        String describe(String what) {
            StudentConfig s = student;
            String st = "student H" + s.hidden() + " N" + s.blocks() + " E" + s.expansion() + " G" + s.groups() + " D" + s.embedding();
            return name + " shapes: " + st + (what == null ? "" : what);
        }
    }

    /** One measurement. {@code msPerStep} is the median time of one step (train: step + update; infer: one batch). */
    public record Result(String bench, String model, int batch, int frames, int reps, double msPerStep, double flopsPerSample,
                         List<String> profile) {
        public double samplesPerSecond() { return batch / (msPerStep / 1e3); }

        /** Achieved GEMM GFLOP/s (see {@link FlopCount} for what is counted). */
        public double gflops() { return flopsPerSample * samplesPerSecond() / 1e9; }
    }

    /** Samples/s of one KD training step: V2 student (TRAIN mode) + frozen standard teacher + cosine KD + AAM over {@link #CLASSES}. */
    /** Rows of the per-kernel profile printed with {@code --profile}. */
    static final int PROFILE_ROWS = 30;
    /** Profiled steps at least (more when --reps asks): one step's per-task times move by 2× on a loaded machine. */
    static final int PROFILE_STEPS = 5;

    /**
     * Samples/s of one KD training step. With {@code profile}, more (untimed) steps run with per-task timing (at least
     * {@link #PROFILE_STEPS}) and the result carries the per-kernel table per step, after a line of shares by kind of
     * kernel ({@link ProfileShares}); the timed steps are never profiled.
     */
    public static Result train(Backend backend, int batch, int frames, int warmup, int reps, boolean profile) {
        return train(backend, Shapes.PAPER, CLASSES, batch, frames, warmup, reps, profile);
    }

    /** {@link #train(Backend, int, int, int, int, boolean)} with other models and class count: the KD step of the student. */
    public static Result train(Backend backend, Shapes shapes, int classes, int batch, int frames, int warmup, int reps, boolean profile) {
        return train(backend, shapes, false, classes, batch, frames, warmup, reps, profile);
    }

    /**
     * One training step: with {@code teacherAlone} false the KD step of the shapes' student from their frozen teacher,
     * with it true the teacher's own training step (what a profile's teacher arm runs).
     */
    public static Result train(Backend backend, Shapes shapes, boolean teacherAlone, int classes, int batch, int frames, int warmup, int reps,
                               boolean profile) {
        checkSizes(batch, 2, frames, reps);
        if (classes < 2) throw new IllegalArgumentException("--classes must be at least 2, got " + classes);
        TrainConfig cfg;
        try {
            cfg = TrainConfig.parse((teacherAlone ? TEACHER_YAML : TRAIN_YAML) + "optim: {precision: " + precision + "}\n");
        } catch (IOException e) {
            throw new IllegalStateException("the benchmark's own configuration does not parse", e);
        }
        StudentConfig sc = shapes.student();
        TeacherConfig tc = shapes.teacher();
        Teacher teacher = new Teacher(tc);
        SpeakerModel trained = teacherAlone ? teacher : new Student(sc);
        int d = trained.embeddingSize();
        ParameterSet classifier = ParameterSet.builder("classifier").param("weight", Init.xavierNormal(d, classes), classes, d).build();
        long seed = cfg.seed();
        List<StepProgram.TeacherModel> teachers = teacherAlone ? List.of() : List.of(new StepProgram.TeacherModel("random teacher", teacher, false));
        try (StepProgram prog = new StepProgram(backend, trained, classifier, teachers, cfg, batch, frames, seed)) {
            ParameterSet sp = trained.parameters(), tp = teacher.parameters();
            prog.load(new float[][] {sp.initialValues(seed, true), sp.initialValues(seed, false)}, classifier.initialValues(seed + 1, true), null, seed);
            if (!teacherAlone) prog.loadTeacher(0, new float[][] {tp.initialValues(seed + 2, true), tp.initialValues(seed + 2, false)}, null);
            Philox.Stream rnd = new Philox.Stream(seed, 0xBE7C4L);
            for (int i = 0; i < prog.features.length; i++) prog.features[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < prog.labels.length; i++) prog.labels[i] = rnd.nextInt(classes);
            double lr = cfg.optim().lr();
            int[] step = {0};
            double ms = medianMs(warmup, reps, () -> {
                prog.step(step[0]++);
                prog.update(lr);
            });
            double[] v = prog.values();
            for (int k = 0; k < v.length; k++)
                if (!Double.isFinite(v[k])) throw new IllegalStateException("benchmark step produced a non-finite " + prog.columns().get(k) + ": " + v[k]);
            List<String> table = List.of();
            if (profile) {
                prog.profile(true);
                int n = Math.max(reps, PROFILE_STEPS);
                long t0 = clock.nanos();
                for (int i = 0; i < n; i++) {
                    prog.step(step[0]++);
                    prog.update(lr);
                }
                double wall = (clock.nanos() - t0) / 1e6 / n;
                table = new ArrayList<>();
                table.add(ProfileShares.line(prog.profileTotals(), n, wall));
                table.addAll(org.voxkd.engine.ExecutionPlan.profileTable(prog.profileTotals(), PROFILE_ROWS, true, n));
            }
            String teacherShape = "teacher C" + tc.channels() + " L" + tc.latent() + " LSTM" + tc.lstmHidden();
            String model = teacherAlone ? shapes.name() + " shapes: " + teacherShape + " trained alone (" + classes + " classes)"
                    : shapes == Shapes.PAPER ? "student v2 + teacher (cosine KD, " + classes + " classes)"
                    : shapes.describe(" + " + teacherShape + " (cosine KD, " + classes + " classes)");
            double flops = teacherAlone ? FlopCount.teacherTrainStep(tc, classes, frames) : FlopCount.trainStep(sc, tc, classes, frames);
            return new Result("train", model, batch, frames, reps, ms, flops, table);
        }
    }

    /** Samples/s of V2 student inference (EVAL mode) through {@link Embedder}: features in, embeddings out. */
    public static Result infer(Backend backend, int batch, int frames, int warmup, int reps, boolean profile) {
        return infer(backend, Shapes.PAPER, batch, frames, warmup, reps, profile);
    }

    /** {@link #infer(Backend, int, int, int, int, boolean)} with another student. */
    public static Result infer(Backend backend, Shapes shapes, int batch, int frames, int warmup, int reps, boolean profile) {
        checkSizes(batch, 1, frames, reps);
        StudentConfig sc = shapes.student();
        Student student = new Student(sc);
        ParameterSet sp = student.parameters();
        try (Embedder e = new Embedder(student, backend, sp.initialValues(1, true), sp.initialValues(1, false))) {
            Philox.Stream rnd = new Philox.Stream(1, 0x1AFE4L);
            List<float[]> crops = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                float[] c = new float[frames * sc.mels()];
                for (int i = 0; i < c.length; i++) c[i] = (float) rnd.nextGaussian();
                crops.add(c);
            }
            double ms = medianMs(warmup, reps, () -> e.embed(crops));
            List<String> table = List.of();
            if (profile) {
                e.profiled(true);
                int n = Math.max(reps, PROFILE_STEPS);
                long t0 = clock.nanos();
                for (int i = 0; i < n; i++) e.embed(crops);
                double wall = (clock.nanos() - t0) / 1e6 / n;
                table = new ArrayList<>();
                table.add(ProfileShares.line(e.profileTotals(), n, wall));
                table.addAll(org.voxkd.engine.ExecutionPlan.profileTable(e.profileTotals(), PROFILE_ROWS, true, n));
            }
            return new Result("infer", shapes == Shapes.PAPER ? "student v2" : shapes.describe(null), batch, frames, reps, ms,
                    FlopCount.inference(sc, frames), table);
        }
    }

    /**
     * What a repetition's time is: wall time (the default), or the process's CPU time — on a machine shared with other
     * work, a single-threaded step's CPU time moves far less than its wall time (the peers' wrapper in tools/bench_pair.py
     * times PyTorch by its process CPU time the same way).
     */
    public enum Clock {
        WALL, CPU;

        long nanos() {
            if (this == WALL) return System.nanoTime();
            // One kernel thread: every kernel runs on this thread, whose CPU clock counts nanoseconds (the process's
            // counts 10 ms ticks here). More threads: the process's, all of them.
            if (org.voxkd.engine.cpu.Parallel.threads() == 1) return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }
    }

    private static volatile Clock clock = Clock.WALL;
    private static volatile String precision = "fp32";

    /** The GEMM precision of later training benchmarks in this process: fp32 or bf16 ({@code optim.precision}; {@code bench train --precision}). */
    public static void precision(String p) {
        if (!p.equals("fp32") && !p.equals("bf16")) throw new IllegalArgumentException("--precision must be fp32 or bf16, got " + p);
        precision = p;
    }

    /** The clock of every later measurement in this process ({@code bench train|infer --clock}). */
    public static void clock(Clock c) { clock = c; }

    public static Clock clock() { return clock; }

    static double medianMs(int warmup, int reps, Runnable body) {
        for (int i = 0; i < warmup; i++) body.run();
        double[] ms = new double[reps];
        Clock c = clock;
        for (int i = 0; i < reps; i++) {
            long t0 = c.nanos();
            body.run();
            ms[i] = (c.nanos() - t0) / 1e6;
        }
        return median(ms);
    }

    /** The median of {@code v} (NaN when any value is NaN: a missing figure stays missing). */
    public static double median(double[] v) {
        for (double x : v) if (Double.isNaN(x)) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static void checkSizes(int batch, int minBatch, int frames, int reps) {
        if (batch < minBatch)
            throw new IllegalArgumentException("--batch must be at least " + minBatch + (minBatch > 1 ? " (BatchNorm needs two samples in training)" : "") + ", got " + batch);
        if (frames < 1) throw new IllegalArgumentException("--frames must be positive, got " + frames);
        if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1, got " + reps);
    }
}
