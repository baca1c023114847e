package org.voxkd.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.Philox;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Activation;
import org.voxkd.kernels.Tensor;

/**
 * The SIMD layer of the cpu backend: the vector math against float64, the vector Philox against the scalar
 * one, and the tiled kernels on several tiles with an odd tail, on views in the middle of a buffer whose
 * neighbours must stay untouched (the op cases elsewhere use small views at offset 0).
 */
class SimdTest {
    private static final int N = 3 * Simd.TILE + 37, GUARD = 101;
    private static final float SENTINEL = -7.25f;

    private static float[] grid(int n, double lo, double hi) {
        float[] x = new float[n + Simd.LANES];
        for (int i = 0; i < n; i++) x[i] = (float) (lo + (hi - lo) * i / (n - 1));
        return x;
    }

    @Test
    void vectorMathMatchesFloat64() {
        int n = 4096;
        float[] x = grid(n, -30, 30), out = new float[x.length], e = new float[x.length];
        int end = Simd.vectorBound(n);
        Simd.exp(x, out, 0, end);
        for (int i = 0; i < n; i++) {
            double ref = Math.exp(Math.max(x[i], -87.3365447504));
            assertEquals(ref, out[i], 3e-7 * ref, "exp(" + x[i] + ")");
        }
        Simd.tanh(x, out, 0, end);
        for (int i = 0; i < n; i++) {
            double ref = Math.tanh(x[i]);
            assertEquals(ref, out[i], 2e-7 * Math.max(Math.abs(ref), 1e-3), "tanh(" + x[i] + ")");
        }
        float[] small = grid(n, -1e-3, 1e-3);
        Simd.tanh(small, out, 0, end);
        for (int i = 0; i < n; i++) assertEquals(Math.tanh(small[i]), out[i], 2e-7 * Math.abs(small[i]) + 1e-30, "tanh near 0");
        Simd.sigmoid(x, out, 0, end);
        for (int i = 0; i < n; i++) assertEquals(1 / (1 + Math.exp(-x[i])), out[i], 2e-7, "sigmoid(" + x[i] + ")");
        float[] v = grid(n, -8, 8);
        Simd.gaussian(v, e, end);
        Simd.normalCdf(v, e, out, end);
        for (int i = 0; i < n; i++) {
            double z = v[i] / Math.sqrt(2), ref = 0.5 * (1 + erf(z));
            assertEquals(ref, out[i], 4e-7, "Φ(" + v[i] + ")");
        }
    }

    /** erf to 1e-15 by its Taylor series (|z| ≤ 3) or the continued fraction of erfc (|z| > 3). */
    private static double erf(double z) {
        double a = Math.abs(z);
        if (a > 3) {
            double f = 0;
            for (int k = 60; k >= 1; k--) f = k / 2.0 / (a + f);
            return Math.signum(z) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f));
        }
        double sum = 0, term = a;
        for (int k = 0; k < 200; k++) {
            sum += term / (2 * k + 1);
            term *= -a * a / (k + 1);
        }
        return Math.signum(z) * 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void vectorPhiloxKeepsExactlyTheScalarRule() {
        Random rnd = new Random(7);
        int[] w = new int[4];
        for (int trial = 0; trial < 200; trial++) {
            int block0 = rnd.nextInt(1 << 28) & ~7, step = rnd.nextInt(), layer = rnd.nextInt(64);
            long seed = rnd.nextLong();
            float p = trial == 0 ? 0f : trial == 1 ? 0.999f : rnd.nextFloat();
            long bits = Simd.dropoutKeepBits(block0, step, layer, (int) seed, (int) (seed >>> 32), Simd.dropoutThreshold(p));
            for (int j = 0; j < Simd.MASK_ELEMENTS; j++) {
                Philox.block(block0 + j / 4, step, layer, 0, (int) seed, (int) (seed >>> 32), w);
                boolean keep = Philox.uniform(w[j % 4]) >= p;
                assertEquals(keep, (bits >>> j & 1) == 1, "element " + j + " of block " + block0 + ", p " + p);
            }
        }
    }

    /** Records {@code record} on views {out, in1, in2} of N floats in the middle of one buffer, runs it once, checks the gaps stayed untouched. */
    private static float[][] run(float[] in1, float[] in2, float[] out0, BiConsumer<TaskGraph, View[]> record) {
        Buffer buf = new Buffer("simd.test", 3 * N + 4 * GUARD);
        View whole = buf.view(0, buf.length());
        View out = buf.view(GUARD, N), a = buf.view(2 * GUARD + N, N), b = buf.view(3 * GUARD + 2 * N, N);
        TaskGraph g = new TaskGraph("simd");
        record.accept(g, new View[] {out, a, b});
        float[] init = new float[buf.length()];
        java.util.Arrays.fill(init, SENTINEL);
        System.arraycopy(out0, 0, init, out.offset(), N);
        System.arraycopy(in1, 0, init, a.offset(), N);
        System.arraycopy(in2, 0, init, b.offset(), N);
        try (CpuBackend cpu = new CpuBackend(); ExecutionPlan plan = new ExecutionPlan(cpu, g.snapshot())) {
            plan.write(whole, init);
            plan.execute();
            float[] all = plan.read(whole);
            for (int i = 0; i < all.length; i++) {
                boolean inside = (i >= out.offset() && i < out.offset() + N) || (i >= a.offset() && i < a.offset() + N)
                        || (i >= b.offset() && i < b.offset() + N);
                if (!inside) assertEquals(SENTINEL, all[i], "float " + i + " outside the views was written");
            }
            float[][] r = new float[3][N];
            System.arraycopy(all, out.offset(), r[0], 0, N);
            System.arraycopy(all, a.offset(), r[1], 0, N);
            System.arraycopy(all, b.offset(), r[2], 0, N);
            return r;
        }
    }

    private static float[] random(long seed, float scale) {
        Random r = new Random(seed);
        float[] v = new float[N];
        for (int i = 0; i < N; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    @Test
    void fillClearsExactlyItsViewAtAnyOffset() {
        float[] x = random(1, 1), y = random(2, 1);
        float[][] r = run(x, y, random(3, 1), (g, v) -> Tensor.fill(g, v[1], 0f));
        for (int i = 0; i < N; i++) assertEquals(0f, r[1][i]);
        r = run(x, y, random(3, 1), (g, v) -> Tensor.fill(g, v[2], 1.5f));
        for (int i = 0; i < N; i++) assertEquals(1.5f, r[2][i]);
    }

    @Test
    void pointwiseKernelsOnSeveralTilesWithATail() {
        float[] x = random(4, 2), dy = random(5, 1), acc = random(6, 1);
        float[][] r = run(x, dy, acc, (g, v) -> Activation.geluForward(g, v[0], v[1], N));
        for (int i = 0; i < N; i++) {
            double ref = x[i] * 0.5 * (1 + erf(x[i] / Math.sqrt(2)));
            assertEquals(ref, r[0][i], 1e-6 + 2e-6 * Math.abs(ref), "gelu(" + x[i] + ")");
        }
        r = run(x, dy, acc, (g, v) -> Activation.geluBackward(g, v[0], v[2], v[1], N));
        for (int i = 0; i < N; i++) {
            double cdf = 0.5 * (1 + erf(x[i] / Math.sqrt(2))), pdf = Math.exp(-0.5 * x[i] * x[i]) / Math.sqrt(2 * Math.PI);
            double ref = acc[i] + dy[i] * (cdf + x[i] * pdf);
            assertEquals(ref, r[0][i], 2e-6 * (1 + Math.abs(ref)), "gelu' at " + x[i]);
        }
        r = run(x, dy, acc, (g, v) -> Activation.tanhForward(g, v[0], v[1], N));
        for (int i = 0; i < N; i++) assertEquals(Math.tanh(x[i]), r[0][i], 3e-7, "tanh(" + x[i] + ")");
        r = run(x, dy, acc, (g, v) -> Tensor.axpby(g, v[0], v[1], 0.5f, -2f));
        for (int i = 0; i < N; i++) assertEquals(0.5f * x[i] + -2f * acc[i], r[0][i]);
    }

    @Test
    void dropoutOnSeveralTilesFollowsTheScalarMask() {
        float[] x = random(7, 1), acc = random(8, 1);
        float p = 0.3f, scale = 1f / (1f - p);
        long seed = 0x1234_5678_9ABCL;
        Scalar step = Scalar.ofInt("step", 11);
        float[][] fwd = run(x, x, acc, (g, v) -> Activation.dropoutForward(g, v[0], v[1], N, p, seed, step, 5));
        float[][] bwd = run(x, x, acc, (g, v) -> Activation.dropoutBackward(g, v[0], v[1], N, p, seed, step, 5));
        int kept = 0;
        for (int i = 0; i < N; i++) {
            boolean keep = Activation.dropoutKeeps(i, p, 11, 5, seed);
            kept += keep ? 1 : 0;
            assertEquals(keep ? x[i] * scale : 0f, fwd[0][i], "forward element " + i);
            assertEquals(acc[i] + (keep ? x[i] * scale : 0f), bwd[0][i], "backward element " + i);
        }
        assertTrue(Math.abs(kept / (double) N - (1 - p)) < 0.02, "keep rate " + kept / (double) N);
    }
}
