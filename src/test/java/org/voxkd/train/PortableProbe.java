package org.voxkd.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.voxkd.audio.FrontEnd;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Philox;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.engine.cpu.Simd;
import org.voxkd.kernels.Distill;
import org.voxkd.nn.Init;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/**
 * A smoke-sized distillation run whose bits {@link PortableNumericsTest} compares across vector shapes, thread counts
 * and machines: synthetic waveforms through the front-end, then {@link #STEPS} training steps of a small student
 * against a frozen small teacher (cosine KD at α 0.5, AAM-softmax, dropout, BatchNorm statistics, Adam), all on a cpu
 * backend in the active numerics mode. {@link #main} prints the SHA-256 of the features and of the run (every step's
 * metrics, then the final student parameters, BatchNorm statistics and classifier weights), of the label-level KD and
 * confidence-weight kernels ({@link #labelKd}) and the environment.
 * Sizes make every split kernel and both GEMM split directions fork on two threads.
 */
public final class PortableProbe {
    static final int BATCH = 4, FRAMES = 120, CLASSES = 17, STEPS = 2;

    private PortableProbe() {}

    /** The digests: the front-end's features, the whole run, and the label-level KD / confidence-weight kernels. */
    public record Digests(String features, String run, String labelKd) {}

    /** Waveform b: a gliding tone with harmonics plus Philox noise, all in StrictMath (so identical everywhere). */
    static float[] waveform(int b) {
        float[] w = new float[FrontEnd.cropSamples(FRAMES)];
        Philox.Stream r = new Philox.Stream(18, 100 + b);
        double f0 = 110 + 23 * b, phase = 0;
        for (int i = 0; i < w.length; i++) {
            double f = f0 * (1 + 0.3 * i / w.length);
            phase += 2 * StrictMath.PI * f / FrontEnd.SAMPLE_RATE;
            double v = 0;
            for (int h = 1; h <= 5; h++) v += StrictMath.sin(h * phase) / h;
            w[i] = (float) (0.2 * v + 0.01 * (2 * r.nextDouble() - 1));
        }
        return w;
    }

    public static Digests run() {
        TrainConfig cfg;
        try {
            cfg = TrainConfig.parse("""
                    experiment: portable-probe
                    model: {kind: student}
                    teacher: {checkpoint: unused-by-the-probe.ckpt}
                    loss: {classifier: aam, distillation: cosine, alpha: 0.5}
                    data: {train_list: unused-by-the-probe.txt}
                    """);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        MessageDigest features = sha256(), run = sha256();
        Student student = new Student(new StudentConfig(FrontEnd.N_MELS, 48, 2, 3, 4, 32, 0.1f));
        Teacher teacher = new Teacher(new TeacherConfig(FrontEnd.N_MELS, 24, 12, 16, 1, 32, 0.2f, 0.3f));
        ParameterSet classifier = ParameterSet.builder("classifier").param("weight", Init.xavierNormal(32, CLASSES), CLASSES, 32).build();
        try (StepProgram prog = new StepProgram(new CpuBackend(), student, classifier,
                java.util.List.of(new StepProgram.TeacherModel("the probe's teacher", teacher, false)), cfg, BATCH, FRAMES, 5)) {
            ParameterSet sp = student.parameters(), tp = teacher.parameters();
            prog.load(new float[][] {sp.initialValues(5, true), sp.initialValues(5, false)}, classifier.initialValues(6, true), null, 5);
            prog.loadTeacher(0, new float[][] {tp.initialValues(7, true), tp.initialValues(7, false)}, null);
            FrontEnd fe = new FrontEnd();
            Philox.Stream rnd = new Philox.Stream(5, 77);
            for (int s = 0; s < STEPS; s++) {
                for (int b = 0; b < BATCH; b++) {
                    float[] x = fe.features(waveform(BATCH * s + b), FRAMES);
                    update(features, x);
                    System.arraycopy(x, 0, prog.features, b * x.length, x.length);
                }
                for (int i = 0; i < prog.labels.length; i++) prog.labels[i] = rnd.nextInt(CLASSES);
                prog.step(s);
                prog.update(1e-3);
                update(run, prog.values());
            }
            float[][] w = prog.modelWeights();
            update(run, w[0]);
            update(run, w[1]);
            update(run, prog.classifierWeights());
            double[] m = prog.values();
            for (int i = 0; i < m.length; i++)
                if (!Double.isFinite(m[i])) throw new IllegalStateException("the probe's " + prog.columns().get(i) + " is " + m[i]);
        }
        HexFormat hex = HexFormat.of();
        return new Digests(hex.formatHex(features.digest()), hex.formatHex(run.digest()), labelKd());
    }

    /**
     * The kernels whose exp/log the probe's run does not reach: label-level KD (forward and backward through the
     * student's head) and the confidence weights of several teachers, on fixed Philox inputs; the SHA-256 of every output.
     */
    static String labelKd() {
        int b = 5, k = 7, d = 9, nt = 3;
        Buffer buf = new Buffer("probe.labelkd", b * d + k * d + b * k + nt * b + 1 + b * d + k * d + nt * b + Distill.labelScratch(b, k, d));
        View x = buf.view(0, b * d), w = buf.view(b * d, k * d), ct = buf.view(b * d + k * d, b * k), ce = buf.view(b * d + k * d + b * k, nt * b);
        int o = b * d + k * d + b * k + nt * b;
        View loss = buf.view(o, 1), dx = buf.view(o + 1, b * d), dw = buf.view(o + 1 + b * d, k * d), tw = buf.view(o + 1 + b * d + k * d, nt * b);
        View scratch = buf.view(o + 1 + b * d + k * d + nt * b, Distill.labelScratch(b, k, d));
        TaskGraph g = new TaskGraph("probe.labelkd");
        Distill.labelKd(g, loss, dx, dw, scratch, x, w, ct, b, k, d, 30f, 2f, 0.7f);
        Distill.confidenceWeights(g, tw, ce, nt, b);
        Philox.Stream r = new Philox.Stream(9, 31);
        MessageDigest md = sha256();
        try (ExecutionPlan plan = new ExecutionPlan(new CpuBackend(), g.snapshot())) {
            for (View v : new View[] {x, w, ct, ce}) {
                float[] h = new float[v.length()];
                for (int i = 0; i < h.length; i++) h[i] = (float) (v == ce ? 3 * r.nextDouble() : 2 * r.nextDouble() - 1);
                plan.write(v, h);
            }
            plan.execute();
            for (View v : new View[] {loss, dx, dw, tw}) update(md, plan.read(v));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, double[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) b.putLong(Double.doubleToRawLongBits(d));
        md.update(b.array());
    }

    private static void update(MessageDigest md, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putInt(Float.floatToRawIntBits(f));
        md.update(b.array());
    }

    /** {@link #run()} in numerics mode {@code mode} (activated for the run, then restored). */
    public static Digests run(Numerics mode) {
        Numerics was = Numerics.activate(mode);
        try {
            return run();
        } finally {
            Numerics.activate(was);
        }
    }

    /** The environment that may change the bits in fast mode: vector width, kernel threads, architecture, JVM. */
    static String environment() {
        return String.format(Locale.ROOT, "%d-bit vectors, %d kernel threads, %s, Java %s", Simd.F.vectorBitSize(), Parallel.threads(),
                System.getProperty("os.arch"), Runtime.version());
    }

    /**
     * For each mode named in {@code args} (default: the active one) prints {@code MODE features <sha>} and
     * {@code MODE run <sha>}; then {@code environment …}. Regenerate the golden file with
     * {@code java --add-modules jdk.incubator.vector -cp … org.voxkd.train.PortableProbe portable}.
     */
    public static void main(String[] args) {
        String[] modes = args.length == 0 ? new String[] {Numerics.active().id()} : args;
        for (String m : modes) {
            Digests d = run(Numerics.parse(m));
            System.out.println(m + " features " + d.features());
            System.out.println(m + " run " + d.run());
            System.out.println(m + " labelkd " + d.labelKd());
        }
        System.out.println("environment " + environment());
    }
}
