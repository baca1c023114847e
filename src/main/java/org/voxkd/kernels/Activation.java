package org.voxkd.kernels;

import java.nio.FloatBuffer;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Philox;
import org.voxkd.engine.Range;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.Parallel;

/**
 * Pointwise non-linearities and dropout (tornado-kernels/activation.cl). Forward: {@code y = f(x)};
 * backward accumulates {@code dx += dy·f'(x)}, recomputing f' from the saved input (or output for tanh),
 * so no masks are stored.
 */
public final class Activation {
    private Activation() {}

    static final String FAMILY = "activation";
    private static final double INV_SQRT2 = 0.7071067811865476, INV_SQRT_2PI = 0.3989422804014327;

    // Each pointwise kernel has its own loop on purpose: a loop shared through a functional interface sees every
    // kernel's lambda at one call site, the JIT cannot inline a megamorphic call, and the per-element virtual call
    // cost several times the arithmetic. Args (forward): y, x, x (unused), n. Args (backward): dx, dy, x (y for tanh), n.

    public static final Kernel RELU_FWD = Kernel.source(FAMILY, "relu_fwd", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), n = a.i(3);
        Parallel.range(n, 2, (from, to) -> {
            for (int i = from; i < to; i++) y.put(yo + i, Math.max(x.get(xo + i), 0f));
        });
    });

    public static final Kernel RELU_BWD = Kernel.source(FAMILY, "relu_bwd", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1), x = a.buf(2);
        int dxo = a.off(0), dyo = a.off(1), xo = a.off(2), n = a.i(3);
        Parallel.range(n, 3, (from, to) -> {
            for (int i = from; i < to; i++) if (x.get(xo + i) > 0f) dx.put(dxo + i, dx.get(dxo + i) + dy.get(dyo + i));
        });
    });

    public static final Kernel GELU_FWD = Kernel.source(FAMILY, "gelu_fwd", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), n = a.i(3);
        Parallel.range(n, 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = x.get(xo + i);
                y.put(yo + i, (float) (v * stdNormalCdf(v, Math.exp(-0.5 * v * v))));
            }
        });
    });

    /** dx += dy·(Φ(x) + x·φ(x)); Φ's erfc and φ share one exp(−x²/2). */
    public static final Kernel GELU_BWD = Kernel.source(FAMILY, "gelu_bwd", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1), x = a.buf(2);
        int dxo = a.off(0), dyo = a.off(1), xo = a.off(2), n = a.i(3);
        Parallel.range(n, 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = x.get(xo + i), e = Math.exp(-0.5 * v * v);
                double d = stdNormalCdf(v, e) + v * INV_SQRT_2PI * e;
                dx.put(dxo + i, (float) (dx.get(dxo + i) + dy.get(dyo + i) * d));
            }
        });
    });

    public static final Kernel TANH_FWD = Kernel.source(FAMILY, "tanh_fwd", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), n = a.i(3);
        Parallel.range(n, 16, (from, to) -> {
            for (int i = from; i < to; i++) y.put(yo + i, (float) Math.tanh(x.get(xo + i)));
        });
    });

    /** Backward from the saved output: dx += dy·(1 − y²). Args: dx, dy, y, n. */
    public static final Kernel TANH_BWD = Kernel.source(FAMILY, "tanh_bwd", a -> {
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
     * Standard normal CDF Φ(v) given {@code e = exp(−v²/2)}, through erfc(z) = P(t)·exp(−z²), t = 1/(1 + p·z) for z ≥ 0
     * (Abramowitz & Stegun 7.1.26, |error of erf| ≤ 1.5e-7, below float resolution near 1). One exp per element, shared
     * with the density φ(v) = e/√(2π) in the backward; tornado-kernels/activation.cl uses the same formula.
     */
    static double stdNormalCdf(double v, double e) {
        double z = Math.abs(v) * INV_SQRT2, t = 1.0 / (1.0 + 0.3275911 * z);
        double half = 0.5 * t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * e;
        return v >= 0 ? 1.0 - half : half;
    }

    /**
     * MFM (max-feature-map): {@code y[r, j] = max(x[r, j], x[r, j + C])} for rows of 2C channels.
     * Args: y, x, rows, C.
     */
    public static final Kernel MFM_FWD = Kernel.source(FAMILY, "mfm_fwd", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), rows = a.i(2), c = a.i(3);
        Parallel.range(rows, 3 * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int xr = xo + r * 2 * c, yr = yo + r * c;
                for (int j = 0; j < c; j++) y.put(yr + j, Math.max(x.get(xr + j), x.get(xr + c + j)));
            }
        });
    });

    /** dx[r, winner] += dy[r, j]; ties go to the first half. Args: dx, dy, x, rows, C. */
    public static final Kernel MFM_BWD = Kernel.source(FAMILY, "mfm_bwd", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1), x = a.buf(2);
        int dxo = a.off(0), dyo = a.off(1), xo = a.off(2), rows = a.i(3), c = a.i(4);
        Parallel.range(rows, 5 * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int xr = r * 2 * c, yr = dyo + r * c;
                for (int j = 0; j < c; j++) {
                    int w = x.get(xo + xr + j) >= x.get(xo + xr + c + j) ? j : c + j;
                    dx.put(dxo + xr + w, dx.get(dxo + xr + w) + dy.get(yr + j));
                }
            }
        });
    });

    /**
     * Inverted dropout with a counter-based mask: element i is kept when its uniform draw is at least p,
     * and scaled by 1/(1 − p). The draw is lane {@code i mod 4} of philox(counter = (i/4, step, layer, 0),
     * key = seed): one Philox block serves four elements. The backward kernel redraws the same mask.
     * Args: y, x, n, p, seedLo, seedHi, step, layer.
     */
    public static final Kernel DROPOUT_FWD = Kernel.source(FAMILY, "dropout_fwd", a -> dropout(a, false));

    /** Args: dx, dy, n, p, seedLo, seedHi, step, layer (dx += mask·dy/(1 − p)). */
    public static final Kernel DROPOUT_BWD = Kernel.source(FAMILY, "dropout_bwd", a -> dropout(a, true));

    /** Whether dropout keeps element i (the rule both kernels and the tests use). */
    public static boolean dropoutKeeps(int i, float p, int step, int layer, long seed) {
        int[] w = new int[4];
        Philox.block(i >>> 2, step, layer, 0, (int) seed, (int) (seed >>> 32), w);
        return Philox.uniform(w[i & 3]) >= p;
    }

    private static void dropout(org.voxkd.engine.cpu.CpuArgs a, boolean accumulate) {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), n = a.i(2), k0 = a.i(4), k1 = a.i(5), step = a.i(6), layer = a.i(7);
        float p = a.f(3), scale = 1f / (1f - p);
        int blocks = (n + 3) >>> 2;
        Parallel.range(blocks, 16, (from, to) -> {
            int[] w = new int[4];
            for (int blk = from; blk < to; blk++) {
                Philox.block(blk, step, layer, 0, k0, k1, w);
                for (int lane = 0, i = blk << 2; lane < 4 && i < n; lane++, i++) {
                    float v = Philox.uniform(w[lane]) >= p ? x.get(xo + i) * scale : 0f;
                    y.put(yo + i, accumulate ? y.get(yo + i) + v : v);
                }
            }
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
