package org.voxkd.bench;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.voxkd.engine.Philox;
import org.voxkd.engine.cpu.Gemm;

/** The yardstick: a GEMM provider called directly on native arrays, with no engine in between. */
public final class RawGemm {
    private RawGemm() {}

    /** Median ms of C[m,n] = op(A)·op(B) through {@code gemm}. */
    public static double millis(Gemm gemm, boolean transA, boolean transB, int m, int n, int k, int warmup, int reps) {
        try (FloatPointer a = random((long) m * k, 1); FloatPointer b = random((long) k * n, 2); FloatPointer c = new FloatPointer((long) m * n)) {
            int lda = transA ? m : k, ldb = transB ? k : n;
            for (int i = 0; i < warmup; i++) gemm.sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
            double[] ms = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                gemm.sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            return ms[reps / 2];
        }
    }

    private static FloatPointer random(long n, long stream) {
        Philox.Stream r = new Philox.Stream(7, stream);
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return new FloatPointer(v);
    }
}
