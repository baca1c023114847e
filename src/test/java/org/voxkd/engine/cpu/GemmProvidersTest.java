package org.voxkd.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Philox;

/**
 * Every GEMM provider against a float64 reference on odd shapes, all four transposes, padded leading
 * dimensions, alpha and beta; each provider gives the same bits twice. The oneDNN matmul path is the one
 * bf16 GEMMs take on CPUs with bf16 (only its fpmath attribute differs), so testing it in strict fp32 here
 * tests that code on a CPU without bf16.
 */
class GemmProvidersTest {
    private static final int[][] SHAPES = {{1, 1, 1}, {7, 5, 3}, {33, 17, 65}, {130, 9, 40}};

    static float[] random(int n, long stream) {
        Philox.Stream r = new Philox.Stream(3, stream);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return v;
    }

    /** C = alpha·op(A)·op(B) + beta·C in float64, row-major with leading dimensions. */
    static double[] reference(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta,
                              float[] c, int ldc) {
        double[] out = new double[m * ldc];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                out[i * ldc + j] = alpha * s + (double) beta * c[i * ldc + j];
            }
        return out;
    }

    /**
     * Runs one GEMM through {@code gemm} on native copies placed {@link #SHIFT} floats into their buffers, so the pointers
     * carry a position as the engine's views do; returns C.
     */
    static float[] run(Gemm gemm, boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta,
                       float[] c, int ldc) {
        try (FloatPointer pa = shifted(a); FloatPointer pb = shifted(b); FloatPointer pc = shifted(c)) {
            gemm.sgemm(ta, tb, m, n, k, alpha, pa.position(SHIFT), lda, pb.position(SHIFT), ldb, beta, pc.position(SHIFT), ldc);
            float[] out = new float[c.length];
            pc.position(SHIFT).get(out);
            return out;
        }
    }

    static final int SHIFT = 13;

    static FloatPointer shifted(float[] v) {
        FloatPointer p = new FloatPointer(v.length + SHIFT);
        p.position(0).put(new float[SHIFT]);
        p.position(SHIFT).put(v);
        return p.position(0);
    }

    private static void checkProvider(Gemm gemm) {
        for (int[] s : SHAPES)
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                int m = s[0], n = s[1], k = s[2];
                int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
                float[] a = random((ta ? k : m) * lda, 1), b = random((tb ? n : k) * ldb, 2), c = random(m * ldc, 3);
                for (float[] ab : new float[][] {{1f, 0f}, {1f, 1f}, {0.5f, -2f}}) {
                    float[] got = run(gemm, ta, tb, m, n, k, ab[0], a, lda, b, ldb, ab[1], c, ldc);
                    double[] ref = reference(ta, tb, m, n, k, ab[0], a, lda, b, ldb, ab[1], c, ldc);
                    String what = gemm.describe() + " " + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "×" + n + "×" + k + " α" + ab[0] + " β" + ab[1];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++)
                            assertEquals(ref[i * ldc + j], got[i * ldc + j], 1e-5 * (k + 1), what + " at " + i + "," + j);
                        for (int j = n; j < ldc; j++) assertEquals(c[i * ldc + j], got[i * ldc + j], what + ": padding column " + j + " was written");
                    }
                    assertArrayEquals(got, run(gemm, ta, tb, m, n, k, ab[0], a, lda, b, ldb, ab[1], c, ldc), what + ": not deterministic");
                }
            }
    }

    /**
     * A strided batch laid out as a grouped 1×1 convolution: the groups of A and C are interleaved column blocks of the
     * same rows (stride = the block width, lda = all channels), B's groups are consecutive; every provider against
     * float64, including oneDNN's single 3-D matmul for the whole batch.
     */
    @Test
    void groupedStridedBatchesMatchFloat64() {
        int rows = 29, gi = 6, go = 5, groups = 3, cin = gi * groups, cout = go * groups;
        float[] x = random(rows * cin, 7), w = random(cout * gi, 8), y0 = random(rows * cout, 9);
        for (String name : new String[] {"openblas", "onednn", "onednn-matmul"})
            for (float beta : new float[] {0f, 1f}) {
                Gemm gemm = GemmProviders.named(name);
                float[] got;
                try (FloatPointer pa = shifted(x); FloatPointer pb = shifted(w); FloatPointer pc = shifted(y0)) {
                    gemm.sgemmStridedBatched(false, true, rows, go, gi, 1f, pa.position(SHIFT), cin, gi, pb.position(SHIFT), gi, (long) go * gi, beta,
                            pc.position(SHIFT), cout, go, groups);
                    got = new float[y0.length];
                    pc.position(SHIFT).get(got);
                }
                for (int p = 0; p < groups; p++)
                    for (int r = 0; r < rows; r++)
                        for (int o = 0; o < go; o++) {
                            double s = beta * y0[r * cout + p * go + o];
                            for (int i = 0; i < gi; i++) s += (double) x[r * cin + p * gi + i] * w[(p * go + o) * gi + i];
                            assertEquals(s, got[r * cout + p * go + o], 1e-5 * (gi + 1), name + " β" + beta + " group " + p + " row " + r);
                        }
            }
    }

    @Test
    void openBlasMatchesFloat64() { checkProvider(GemmProviders.named("openblas")); }

    @Test
    void oneDnnSgemmMatchesFloat64() {
        assertNull(OneDnn.unavailable(), "oneDNN (org.bytedeco:dnnl) must load on linux-x86_64");
        checkProvider(GemmProviders.named("onednn"));
    }

    @Test
    void oneDnnMatmulPathMatchesFloat64() { checkProvider(GemmProviders.named("onednn-matmul")); }

    @Test
    void defaultProviderIsOneDnnAndSaysSo() {
        assertTrue(GemmProviders.describe().startsWith("oneDNN "), GemmProviders.describe());
        assertTrue(GemmProviders.describe().contains("OMP_NUM_THREADS=2"), GemmProviders.describe());
    }
}
