package org.voxkd.kernels;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Philox;
import org.voxkd.engine.Range;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuArgs;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.engine.cpu.Simd;

/**
 * Pointwise non-linearities and dropout (tornado-kernels/activation.cl). Forward: {@code y = f(x)};
 * backward accumulates {@code dx += dy·f'(x)}, recomputing f' from the saved input (or output for tanh),
 * so no masks are stored.
 */
public final class Activation {
    private Activation() {}

    static final String FAMILY = "activation";

    // Each pointwise kernel has its own loop on purpose: a loop shared through a functional interface sees every
    // kernel's lambda at one call site, the JIT cannot inline a megamorphic call, and the per-element virtual call
    // cost several times the arithmetic. Forward: p is x, q unused; backward: y is dx, p is dy, q is x (y for tanh).

    public static final Kernel RELU_FWD = Kernel.source(FAMILY, "relu_fwd", "out y, in p, in q, int n", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), n = a.i(3);
        Parallel.range(n, 2, (from, to) -> {
            for (int i = from; i < to; i++) y.put(yo + i, Math.max(x.get(xo + i), 0f));
        });
    });

    public static final Kernel RELU_BWD = Kernel.source(FAMILY, "relu_bwd", "inout y, in p, in q, int n", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1), x = a.buf(2);
        int dxo = a.off(0), dyo = a.off(1), xo = a.off(2), n = a.i(3);
        Parallel.range(n, 3, (from, to) -> {
            for (int i = from; i < to; i++) if (x.get(xo + i) > 0f) dx.put(dxo + i, dx.get(dxo + i) + dy.get(dyo + i));
        });
    });

    public static final Kernel GELU_FWD = Kernel.source(FAMILY, "gelu_fwd", "out y, in p, in q, int n", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), n = a.i(3);
        Simd.tiles(n, 16, (start, len, s) -> {
            float[] v = s[0], cdf = s[1];
            int end = Simd.vectorBound(len);
            x.get(xo + start, v, 0, len);
            geluRow(v, cdf, end);
            y.put(yo + start, v, 0, len);
        });
    });

    /** dx += dy·(Φ(x) + x·φ(x)); Φ's erfc and φ share one exp(−x²/2). */
    public static final Kernel GELU_BWD = Kernel.source(FAMILY, "gelu_bwd", "inout y, in p, in q, int n", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1), x = a.buf(2);
        int dxo = a.off(0), dyo = a.off(1), xo = a.off(2), n = a.i(3);
        Simd.tiles(n, 16, (start, len, s) -> {
            float[] v = s[0], g = s[1], acc = s[2], e = s[3], cdf = s[4];
            int end = Simd.vectorBound(len);
            x.get(xo + start, v, 0, len);
            dy.get(dyo + start, g, 0, len);
            dx.get(dxo + start, acc, 0, len);
            Simd.gaussian(v, e, end);
            Simd.normalCdf(v, e, cdf, end);
            for (int i = 0; i < end; i += Simd.LANES) {
                FloatVector xv = FloatVector.fromArray(Simd.F, v, i);
                FloatVector d = xv.mul(Simd.INV_SQRT_2PI).mul(FloatVector.fromArray(Simd.F, e, i)).add(FloatVector.fromArray(Simd.F, cdf, i));
                FloatVector.fromArray(Simd.F, g, i).fma(d, FloatVector.fromArray(Simd.F, acc, i)).intoArray(acc, i);
            }
            dx.put(dxo + start, acc, 0, len);
        });
    });

    public static final Kernel TANH_FWD = Kernel.source(FAMILY, "tanh_fwd", "out y, in p, in q, int n", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), n = a.i(3);
        Simd.tiles(n, 16, (start, len, s) -> {
            float[] v = s[0], t = s[1];
            x.get(xo + start, v, 0, len);
            Simd.tanh(v, t, 0, Simd.vectorBound(len));
            y.put(yo + start, t, 0, len);
        });
    });

    /** Backward from the saved output: dx += dy·(1 − y²). */
    public static final Kernel TANH_BWD = Kernel.source(FAMILY, "tanh_bwd", "inout y, in p, in q, int n", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1), y = a.buf(2);
        int dxo = a.off(0), dyo = a.off(1), yo = a.off(2), n = a.i(3);
        Parallel.range(n, 3, (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = y.get(yo + i);
                dx.put(dxo + i, dx.get(dxo + i) + dy.get(dyo + i) * (1f - v * v));
            }
        });
    });

    /**
     * GEMM epilogue, fused: {@code pre[r, j] += bias[j]; y[r, j] = gelu(pre[r, j])} in one pass over rows of C. With
     * {@code keep} 0 the biased pre-activation is not written back (inference: nothing reads it; {@code y} may then be
     * {@code pre}). The same arithmetic as bias_add then gelu_fwd, so the same bits.
     */
    public static final Kernel BIAS_GELU_FWD = Kernel.source(FAMILY, "bias_gelu_fwd", "out y, inout pre, in bias, int rows, int c, int keep", a -> {
        FloatBuffer y = a.buf(0), pre = a.buf(1), b = a.buf(2);
        int yo = a.off(0), po = a.off(1), bo = a.off(2), rows = a.i(3), c = a.i(4);
        boolean keep = a.i(5) != 0;
        Parallel.range(rows, 16 * c, (from, to) -> {
            float[] bias = Simd.scratch(0, c), v = Simd.scratch(1, c), cdf = Simd.scratch(2, c);
            b.get(bo, bias, 0, c);
            int end = Simd.vectorBound(c);
            for (int r = from; r < to; r++) {
                pre.get(po + r * c, v, 0, c);
                Simd.add(v, bias, end);
                if (keep) pre.put(po + r * c, v, 0, c);
                geluRow(v, cdf, end);
                y.put(yo + r * c, v, 0, c);
            }
        });
    });

    /**
     * GEMM epilogue, fused: {@code pre[r, ·] += bias} over rows of 2C, {@code m = max(pre[r, j], pre[r, j + C])},
     * {@code y = gelu(m)}: bias_add, mfm_fwd and gelu_fwd in one pass, the same bits. With {@code keep} 0 neither the
     * biased {@code pre} nor {@code m} is written (inference).
     */
    public static final Kernel BIAS_MFM_GELU_FWD = Kernel.source(FAMILY, "bias_mfm_gelu_fwd", "out y, out m, inout pre, in bias, int rows, int c, int keep", a -> {
        FloatBuffer y = a.buf(0), m = a.buf(1), pre = a.buf(2), b = a.buf(3);
        int yo = a.off(0), mo = a.off(1), po = a.off(2), bo = a.off(3), rows = a.i(4), c = a.i(5);
        boolean keep = a.i(6) != 0;
        Parallel.range(rows, 24 * c, (from, to) -> {
            float[] bias = Simd.scratch(0, 2 * c), v = Simd.scratch(1, 2 * c), mx = Simd.scratch(2, c), cdf = Simd.scratch(3, c);
            b.get(bo, bias, 0, 2 * c);
            int end2 = Simd.vectorBound(2 * c), end = Simd.vectorBound(c);
            for (int r = from; r < to; r++) {
                pre.get(po + r * 2 * c, v, 0, 2 * c);
                Simd.add(v, bias, end2);
                for (int j = 0; j < end; j += Simd.LANES)
                    FloatVector.fromArray(Simd.F, v, j).max(FloatVector.fromArray(Simd.F, v, c + j)).intoArray(mx, j);
                if (keep) {
                    pre.put(po + r * 2 * c, v, 0, 2 * c);
                    m.put(mo + r * c, mx, 0, c);
                }
                geluRow(mx, cdf, end);
                y.put(yo + r * c, mx, 0, c);
            }
        });
    });

    /** v ← gelu(v) on [0, end), {@code cdf} as scratch: the arithmetic of {@link #GELU_FWD}. */
    private static void geluRow(float[] v, float[] cdf, int end) {
        Simd.gaussian(v, cdf, end);
        Simd.normalCdf(v, cdf, cdf, end);
        for (int i = 0; i < end; i += Simd.LANES)
            FloatVector.fromArray(Simd.F, v, i).mul(FloatVector.fromArray(Simd.F, cdf, i)).intoArray(v, i);
    }

    /**
     * MFM (max-feature-map): {@code y[r, j] = max(x[r, j], x[r, j + C])} for rows of 2C channels.
     */
    public static final Kernel MFM_FWD = Kernel.source(FAMILY, "mfm_fwd", "out y, in x, int rows, int c", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), rows = a.i(2), c = a.i(3);
        Parallel.range(rows, 3 * c, (from, to) -> {
            float[] in = Simd.scratch(0, 2 * c), out = Simd.scratch(1, c);
            int end = Simd.vectorBound(c);
            for (int r = from; r < to; r++) {
                x.get(xo + r * 2 * c, in, 0, 2 * c);
                for (int j = 0; j < end; j += Simd.LANES)
                    FloatVector.fromArray(Simd.F, in, j).max(FloatVector.fromArray(Simd.F, in, c + j)).intoArray(out, j);
                y.put(yo + r * c, out, 0, c);
            }
        });
    });

    /** dx[r, winner] += dy[r, j]; ties go to the first half. */
    public static final Kernel MFM_BWD = Kernel.source(FAMILY, "mfm_bwd", "inout dx, in dy, in x, int rows, int c", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1), x = a.buf(2);
        int dxo = a.off(0), dyo = a.off(1), xo = a.off(2), rows = a.i(3), c = a.i(4);
        Parallel.range(rows, 5 * c, (from, to) -> {
            float[] in = Simd.scratch(0, 2 * c), acc = Simd.scratch(1, 2 * c), g = Simd.scratch(2, c);
            float[] first = Simd.scratch(3, c), second = Simd.scratch(4, c);
            int end = Simd.vectorBound(c);
            for (int r = from; r < to; r++) {
                x.get(xo + r * 2 * c, in, 0, 2 * c);
                dx.get(dxo + r * 2 * c, acc, 0, 2 * c);
                dy.get(dyo + r * c, g, 0, c);
                for (int j = 0; j < end; j += Simd.LANES) {
                    FloatVector a1 = FloatVector.fromArray(Simd.F, acc, j), a2 = FloatVector.fromArray(Simd.F, acc, c + j);
                    FloatVector gv = FloatVector.fromArray(Simd.F, g, j);
                    VectorMask<Float> win = FloatVector.fromArray(Simd.F, in, j).compare(VectorOperators.GE, FloatVector.fromArray(Simd.F, in, c + j));
                    a1.blend(a1.add(gv), win).intoArray(first, j);
                    a2.add(gv).blend(a2, win).intoArray(second, j);
                }
                dx.put(dxo + r * 2 * c, first, 0, c);
                dx.put(dxo + r * 2 * c + c, second, 0, c);
            }
        });
    });

    /**
     * Inverted dropout with a counter-based mask: element i is kept when its uniform draw is at least p,
     * and scaled by 1/(1 − p). The draw is lane {@code i mod 4} of philox(counter = (i/4, step, layer, 0),
     * key = seed): one Philox block serves four elements. The backward kernel redraws the same mask.
     */
    public static final Kernel DROPOUT_FWD = Kernel.source(FAMILY, "dropout_fwd", "out y, in x, int n, float p, int k0, int k1, int step, int layer", a -> dropout(a, false));

    /** dx += mask·dy/(1 − p), the forward's mask redrawn. */
    public static final Kernel DROPOUT_BWD = Kernel.source(FAMILY, "dropout_bwd", "inout dx, in dy, int n, float p, int k0, int k1, int step, int layer", a -> dropout(a, true));

    /** Whether dropout keeps element i (the rule both kernels and the tests use). */
    public static boolean dropoutKeeps(int i, float p, int step, int layer, long seed) {
        int[] w = new int[4];
        Philox.block(i >>> 2, step, layer, 0, (int) seed, (int) (seed >>> 32), w);
        return Philox.uniform(w[i & 3]) >= p;
    }

    private static void dropout(CpuArgs a, boolean accumulate) {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), n = a.i(2), k0 = a.i(4), k1 = a.i(5), step = a.i(6), layer = a.i(7);
        float p = a.f(3), scale = 1f / (1f - p);
        long threshold = Simd.dropoutThreshold(p);
        Simd.tiles(n, 16, (start, len, s) -> {
            float[] xs = s[0], ys = s[1];
            x.get(xo + start, xs, 0, len);
            if (accumulate) y.get(yo + start, ys, 0, len);
            FloatVector zero = FloatVector.zero(Simd.F);
            for (int i = 0; i < len; i += Simd.MASK_ELEMENTS) {
                long keep = Simd.dropoutKeepBits((start + i) >>> 2, step, layer, k0, k1, threshold);
                for (int j = i; j < i + Simd.MASK_ELEMENTS; j += Simd.LANES, keep >>>= Simd.LANES) {
                    FloatVector v = zero.blend(FloatVector.fromArray(Simd.F, xs, j).mul(scale), VectorMask.fromLong(Simd.F, keep));
                    (accumulate ? FloatVector.fromArray(Simd.F, ys, j).add(v) : v).intoArray(ys, j);
                }
            }
            y.put(yo + start, ys, 0, len);
        });
    }

    // ---- ops: forward and backward with plain signatures (outputs, inputs, sizes) ----

    public static void reluForward(TaskGraph g, View y, View x, int n) { pointwise(g, RELU_FWD, y, x, x, n); }

    public static void reluBackward(TaskGraph g, View dx, View dy, View x, int n) { pointwise(g, RELU_BWD, dx, dy, x, n); }

    public static void geluForward(TaskGraph g, View y, View x, int n) { pointwise(g, GELU_FWD, y, x, x, n); }

    public static void geluBackward(TaskGraph g, View dx, View dy, View x, int n) { pointwise(g, GELU_BWD, dx, dy, x, n); }

    public static void tanhForward(TaskGraph g, View y, View x, int n) { pointwise(g, TANH_FWD, y, x, x, n); }

    /** Note: takes the forward output y, not the input. */
    public static void tanhBackward(TaskGraph g, View dx, View dy, View y, int n) { pointwise(g, TANH_BWD, dx, dy, y, n); }

    private static void pointwise(TaskGraph g, Kernel k, View out, View p, View q, int n) {
        out.require(n, k.name() + " out");
        p.require(n, k.name() + " in");
        q.require(n, k.name() + " in");
        g.task(k, Range.of(n), out, p, q, n);
    }

    /** pre += bias, y = gelu(pre) over rows of C; {@code keep} false: pre is not written back (y may be pre). */
    public static void biasGeluForward(TaskGraph g, View y, View pre, View bias, int rows, int c, boolean keep) {
        y.require(rows * c, "bias_gelu y");
        pre.require(rows * c, "bias_gelu pre");
        bias.require(c, "bias_gelu bias");
        g.task(BIAS_GELU_FWD, Range.of(rows * c), y, pre, bias, rows, c, keep ? 1 : 0);
    }

    /** pre [rows, 2C] += bias, m = mfm(pre), y = gelu(m); {@code keep} false: neither pre nor m is written. */
    public static void biasMfmGeluForward(TaskGraph g, View y, View m, View pre, View bias, int rows, int c, boolean keep) {
        y.require(rows * c, "bias_mfm_gelu y");
        m.require(rows * c, "bias_mfm_gelu m");
        pre.require(rows * 2 * c, "bias_mfm_gelu pre");
        bias.require(2 * c, "bias_mfm_gelu bias");
        g.task(BIAS_MFM_GELU_FWD, Range.of(rows * c), y, m, pre, bias, rows, c, keep ? 1 : 0);
    }

    /** x: rows × 2C → y: rows × C. */
    public static void mfmForward(TaskGraph g, View y, View x, int rows, int c) {
        y.require(rows * c, "mfm y");
        x.require(rows * 2 * c, "mfm x");
        g.task(MFM_FWD, Range.of(rows * c), y, x, rows, c);
    }

    public static void mfmBackward(TaskGraph g, View dx, View dy, View x, int rows, int c) {
        dx.require(rows * 2 * c, "mfm dx");
        dy.require(rows * c, "mfm dy");
        x.require(rows * 2 * c, "mfm x");
        g.task(MFM_BWD, Range.of(rows * c), dx, dy, x, rows, c);
    }

    /** Dropout keyed by (seed, step, layer, element); {@code step} changes per training step. */
    public static void dropoutForward(TaskGraph g, View y, View x, int n, float p, long seed, Scalar step, int layer) {
        dropoutTask(g, DROPOUT_FWD, y, x, n, p, seed, step, layer);
    }

    public static void dropoutBackward(TaskGraph g, View dx, View dy, int n, float p, long seed, Scalar step, int layer) {
        dropoutTask(g, DROPOUT_BWD, dx, dy, n, p, seed, step, layer);
    }

    private static void dropoutTask(TaskGraph g, Kernel k, View out, View in, int n, float p, long seed, Scalar step, int layer) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout probability must be in [0, 1): " + p);
        if (!step.isInt()) throw new IllegalArgumentException("dropout step counter must be an int scalar");
        out.require(n, k.name() + " out");
        in.require(n, k.name() + " in");
        g.task(k, Range.of((n + 3) / 4), out, in, n, p, (int) seed, (int) (seed >>> 32), step, layer); // one work item per Philox block
    }
}
