package org.voxkd.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.voxkd.engine.Philox;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.Task;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.cpu.Gemm;
import org.voxkd.kernels.Blas;
import org.voxkd.nn.Mode;
import org.voxkd.nn.Pass;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/**
 * GEMM providers against each other at the models' own GEMM shapes ({@code voxkd bench gemm}): the shapes are
 * taken from recorded graphs (the V2 student's inference, its training forward + backward, the teacher's
 * forward), each distinct shape is timed with every provider in alternating rounds, and the totals weigh each
 * shape by how often the graph launches it — the GEMM time of one inference batch or one training step.
 */
public final class GemmBench {
    private GemmBench() {}

    /** One distinct GEMM of a graph: its arguments as recorded, and how many launches use it. */
    public record Shape(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc, int batch, int strideA, int strideB,
                        int strideC, float beta) {
        double flops() { return 2.0 * m * n * k * batch; }

        @Override public String toString() {
            return (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "×" + n + "×" + k + (batch > 1 ? " ×" + batch + " groups" : "");
        }
    }

    /** The GEMMs of the graphs {@code bench infer} ("infer") and {@code bench train} ("train") run, with launch counts. */
    public static Map<Shape, Integer> shapes(String which, int batch, int frames) {
        TaskGraph g = new TaskGraph("gemm-shapes");
        Student student = new Student(StudentConfig.v2());
        Scalar step = Scalar.ofInt("step", 0);
        if (which.equals("infer")) {
            student.forward(g, student.plan(batch, frames, Mode.EVAL, 1, step));
        } else if (which.equals("train")) {
            Pass p = student.plan(batch, frames, Mode.TRAIN, 1, step);
            student.forward(g, p);
            student.backward(g, p);
            SpeakerModel teacher = new Teacher(TeacherConfig.standard());
            teacher.forward(g, teacher.plan(batch, frames, Mode.EVAL, 1, step));
        } else {
            throw new IllegalArgumentException("graph must be infer or train, got " + which);
        }
        Map<Shape, Integer> out = new LinkedHashMap<>();
        for (Task t : g.snapshot().tasks()) {
            if (t.kernel() != Blas.SGEMM) continue;
            Object[] a = t.args();
            Shape s = new Shape((Integer) a[3] != 0, (Integer) a[4] != 0, (Integer) a[5], (Integer) a[6], (Integer) a[7], (Integer) a[8],
                    (Integer) a[9], (Integer) a[10], (Integer) a[11], (Integer) a[12], (Integer) a[13], (Integer) a[14], (Float) a[16]);
            out.merge(s, 1, Integer::sum);
        }
        return out;
    }

    /** Median ms of one launch of {@code s} through {@code gemm} (the batch of groups as the engine runs it). */
    public static double millis(Gemm gemm, Shape s, int reps) {
        long ea = extent(s.transA ? s.k : s.m, s.transA ? s.m : s.k, s.lda, s.strideA, s.batch);
        long eb = extent(s.transB ? s.n : s.k, s.transB ? s.k : s.n, s.ldb, s.strideB, s.batch);
        long ec = extent(s.m, s.n, s.ldc, s.strideC, s.batch);
        try (FloatPointer a = random(ea, 1); FloatPointer b = random(eb, 2); FloatPointer c = random(ec, 3)) {
            Runnable once = () -> gemm.sgemmStridedBatched(s.transA, s.transB, s.m, s.n, s.k, 1f, a, s.lda, s.strideA, b, s.ldb, s.strideB, s.beta,
                    c, s.ldc, s.strideC, s.batch);
            return ModelBench.medianMs(1, reps, once);
        }
    }

    /** Per provider, per round: the weighted GEMM total in ms; rows are printed as they are measured. */
    public static List<double[]> compare(List<Gemm> providers, Map<Shape, Integer> shapes, int rounds, int reps, java.io.PrintWriter out) {
        List<double[]> totals = new ArrayList<>();
        for (int p = 0; p < providers.size(); p++) totals.add(new double[rounds]);
        for (Map.Entry<Shape, Integer> e : shapes.entrySet()) {
            double[][] ms = new double[providers.size()][rounds];
            for (int r = 0; r < rounds; r++)
                for (int p = 0; p < providers.size(); p++) {
                    ms[p][r] = millis(providers.get(p), e.getKey(), reps);
                    totals.get(p)[r] += ms[p][r] * e.getValue();
                }
            StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "%-34s %4d×", e.getKey(), e.getValue()));
            for (double[] m : ms) {
                double med = ModelBench.median(m);
                line.append(String.format(java.util.Locale.ROOT, " %9.2f ms %6.1f GF/s", med, e.getKey().flops() / med / 1e6));
            }
            out.println(line);
            out.flush();
        }
        return totals;
    }

    private static long extent(int rows, int cols, int ld, int stride, int batch) {
        return (long) (batch - 1) * stride + (long) (rows - 1) * ld + cols;
    }

    private static FloatPointer random(long n, long stream) {
        Philox.Stream r = new Philox.Stream(11, stream);
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return new FloatPointer(v);
    }
}
