package org.voxkd.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.voxkd.engine.Philox;

/**
 * The portable GEMM gives exactly the bits of its scalar rule ({@link Gemm#reference}) — one fma chain per output in
 * k order — on odd shapes, every transpose, β 0 (NaN in C ignored), 1 and 0.5, α ≠ 1, offsets and padded leading
 * dimensions, sizes past the blocking (k > KC, n > NC, partial row and column tiles), products computed transposed,
 * split over threads and serial.
 */
class PortableGemmTest {
    private static float[] random(int n, long stream) {
        Philox.Stream r = new Philox.Stream(31, stream);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return v;
    }

    private static void check(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int pad, int off) {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        float[] a = random(off + (ta ? k : m) * lda, 1), b = random(off + (tb ? n : k) * ldb, 2), c0 = random(off + m * ldc + pad, 3);
        if (beta == 0f) java.util.Arrays.fill(c0, off, off + m * ldc, Float.NaN);
        float[] want = c0.clone(), got = c0.clone(), serial = c0.clone();
        PortableGemm.reference(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, want, off, ldc);
        PortableGemm.sgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, got, off, ldc);
        Parallel.serially(() -> {
            PortableGemm.sgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, serial, off, ldc);
            return null;
        });
        String what = (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " α=" + alpha + " β=" + beta + " pad=" + pad;
        assertArrayEquals(want, got, what + ": not the bits of the rule");
        assertArrayEquals(want, serial, what + ": serial differs");
    }

    @Test
    void bitsOfTheRuleOnOddShapes() {
        // {7, 200, 41} and {3, 100, 9} are computed transposed (B much wider than A is tall).
        int[][] shapes = {{1, 1, 1}, {5, 7, 3}, {6, 16, 1}, {13, 33, 17}, {37, 9, 300}, {7, 200, 41}, {3, 100, 9}, {50, 3, 513},
                // a last panel of one vector or less (the one-vector tile), whole or partial, at 8 and 16 lanes
                {12, 48, 20}, {12, 40, 5}, {18, 24, 7}, {6, 8, 4}};
        for (int[] s : shapes)
            for (int t = 0; t < 4; t++)
                for (float beta : new float[] {0f, 1f, 0.5f}) check((t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 1f, beta, t, 3 * t);
        check(false, true, 11, 19, 23, -0.75f, 1f, 2, 5);
        check(true, false, 11, 19, 23, 2f, 0f, 0, 0);
    }

    @Test
    void bitsOfTheRuleWhenTheWorkSplitsOverThreads() {
        check(false, true, 700, 70, 96, 1f, 0f, 0, 0);
        check(true, false, 45, 260, 700, 1f, 1f, 1, 2);
        check(false, false, 64, 400, 70, 1f, 1f, 3, 7);
        check(false, true, 64, 1100, 90, 1f, 1f, 0, 0); // transposed, split over threads
        check(true, false, 30, 700, 300, 1f, 0f, 2, 1);
    }

    @Test
    void aReusedTransposedPanelFollowsEveryChangeOfB() {
        // A recurrent step's shape (few rows, B transposed, B wider than a panel): the packed B is reused while B is unchanged.
        int m = 64, n = 256, k = 64;
        float[] a = random(m * k, 1), b = random(n * k, 2), c = new float[m * n], want = new float[m * n];
        for (int round = 0; round < 4; round++) {
            if (round == 2) b[n * k - 1] += 1f;          // one element of the last row (the second panel)
            if (round == 3) b[5] = -b[5];                 // one element of the first row
            for (int rep = 0; rep < 2; rep++) {
                PortableGemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n);
                PortableGemm.reference(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, want, 0, n);
                assertArrayEquals(want, c, "round " + round + " rep " + rep);
            }
            float[] other = b.clone(); // the same values in another array: a panel of its own
            PortableGemm.sgemm(false, true, m, n, k, 1f, a, 0, k, other, 0, k, 0f, c, 0, n);
            assertArrayEquals(want, c, "round " + round + ", a copy of B");
        }
    }

    @Test
    void kZeroScalesCAndOutsideTheViewNothingChanges() {
        float[] c = {1f, 2f, 3f, 4f, 5f};
        PortableGemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0.5f, c, 0, 2);
        assertArrayEquals(new float[] {0.5f, 1f, 1.5f, 2f, 5f}, c);
        float[] a = random(12, 4), b = random(16, 5), d = new float[30];
        java.util.Arrays.fill(d, -9f);
        PortableGemm.sgemm(false, false, 3, 4, 4, 1f, a, 0, 4, b, 0, 4, 0f, d, 10, 4);
        for (int i = 0; i < 10; i++) assertEquals(-9f, d[i], "before the view");
        for (int i = 22; i < 30; i++) assertEquals(-9f, d[i], "after the view");
        assertTrue(Float.isFinite(d[10]));
    }
}
