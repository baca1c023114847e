package org.voxkd.bench;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.voxkd.engine.Philox;
import org.voxkd.engine.cpu.OpenBlas;

/** The yardstick: OpenBLAS SGEMM called directly on native arrays, with no engine in between. */
public final class RawGemm {
    private RawGemm() {}

    /** Median ms of C[m,n] = A[m,k]·op(B) with the same transposes the engine's linear op uses. */
    public static double millis(boolean transA, boolean transB, int m, int n, int k, int warmup, int reps) {
        try (FloatPointer a = random(m * k, 1); FloatPointer b = random(k * n, 2); FloatPointer c = new FloatPointer((long) m * n)) {
            int lda = transA ? m : k, ldb = transB ? k : n;
            for (int i = 0; i < warmup; i++) OpenBlas.sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
            double[] ms = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                OpenBlas.sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            return ms[reps / 2];
        }
    }

    private static FloatPointer random(int n, long stream) {
        Philox.Stream r = new Philox.Stream(7, stream);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return new FloatPointer(v);
    }
}
