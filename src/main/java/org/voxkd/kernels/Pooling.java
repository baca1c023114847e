package org.voxkd.kernels;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Range;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuArgs;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.engine.cpu.Simd;

/**
 * Attentive statistics pooling over time (tornado-kernels/pooling.cl): softmax over the frames of each
 * utterance, and the weighted mean and standard deviation that turn {@code [B, T, C]} frames into one
 * {@code [B, 2C]} row per utterance. Activations are row-major, row {@code b·T + t}.
 *
 * <pre>
 *   x[B,T,C] ─ Linear C→C (+b) ─ tanh ─ hidden[B,T,C] ─ Linear C→A (+b) ─ z[B,T,A] ─ softmax over t ─ w[B,T,A]
 *   (x, w) ─ stats ─ y[B, 2C] = [mu | sigma]
 *
 *   CHANNEL (student, A = C): mu = Σ_t w·x,  sigma = sqrt(max(Σ_t w·x² − mu², 1e-5))
 *   SCALAR  (teacher, A = 1): mu = Σ_t w·x,  sigma = sqrt(max(Σ_t w·(x − mu)², 1e-5)), w broadcast over channels
 *
 *   backward: stats_bwd → dx, dw;  softmax_time_bwd → dz;  then the Linear/tanh backward chain
 * </pre>
 *
 * Reductions over time run in a fixed order with float64 accumulators; work is split over
 * (utterance, channel block), never inside one reduction.
 */
public final class Pooling {
    private Pooling() {}

    static final String FAMILY = "pooling";
    /** Variance floor of both variants. */
    static final double VAR_FLOOR = 1e-5;
    /** Channels per work unit: enough contiguous floats per row for the inner loop, enough units to share out. */
    private static final int CHANNEL_BLOCK = 64;
    /**
     * OpenCL work-group size of attn_stats_bwd's SCALAR variant (one group per utterance, since dw sums over all
     * channels); pooling.cl requires it, and it equals the opencl backend's 1-D work-group size.
     */
    static final int STATS_GROUP = 64;

    /** How the attention weights relate to the channels (and which variance formula the original code used). */
    public enum Attention {
        /** One weight per (frame, channel); uncentred variance {@code Σ w·x² − mu²}. */
        CHANNEL,
        /** One weight per frame shared by all channels; centred variance {@code Σ w·(x − mu)²}. */
        SCALAR;

        /** Channels of the attention logits/weights for {@code c} feature channels. */
        public int channels(int c) { return this == CHANNEL ? c : 1; }
    }

    /** A loop body over one utterance {@code b} and channels [c0, c1), with float64 scratch of the block's width. */
    @FunctionalInterface
    private interface BlockBody {
        void run(int b, int c0, int c1, double[] s1, double[] s2, double[] s3);
    }

    /**
     * Runs {@code body} for every (utterance, channel block); {@code block} is the block width. Each unit owns its
     * channels' reductions entirely, so the result does not depend on how units are shared among threads.
     */
    private static void blocks(int batch, int c, int block, int costPerUnit, BlockBody body) {
        int nb = (c + block - 1) / block;
        Parallel.range(batch * nb, costPerUnit, (from, to) -> {
            double[] s1 = new double[block], s2 = new double[block], s3 = new double[block];
            for (int u = from; u < to; u++) {
                int b = u / nb, c0 = (u % nb) * block;
                body.run(b, c0, Math.min(c, c0 + block), s1, s2, s3);
            }
        });
    }

    // ---- softmax over time ----

    /**
     * {@code w[b,t,c] = exp(x[b,t,c] − max_t) / Σ_t exp(x[b,t,c] − max_t)}.
     * {@code w} may be the same view as {@code x} (the maxima are taken first, then each frame is read before it is overwritten).
     */
    public static final Kernel SOFTMAX_TIME_FWD = Kernel.source(FAMILY, "softmax_time_fwd", "inout w, in x, int batch, int t, int c", a -> {
        FloatBuffer w = a.buf(0), x = a.buf(1);
        int wo = a.off(0), xo = a.off(1), batch = a.i(2), t = a.i(3), c = a.i(4);
        int end = Simd.vectorBound(c);
        // One utterance at a time ([T, C] stays in cache), channels in vector lanes, frames in order per channel.
        Parallel.range(batch, 3 * t * c, (from, to) -> {
            float[] max = Simd.scratch(0, c), sum = Simd.scratch(1, c), row = Simd.scratch(2, c), e = Simd.scratch(3, c);
            for (int b = from; b < to; b++) {
                int base = b * t * c;
                java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
                java.util.Arrays.fill(sum, 0f);
                for (int s = 0; s < t; s++) {
                    x.get(xo + base + s * c, row, 0, c);
                    for (int j = 0; j < end; j += Simd.LANES)
                        FloatVector.fromArray(Simd.F, max, j).max(FloatVector.fromArray(Simd.F, row, j)).intoArray(max, j);
                }
                for (int s = 0; s < t; s++) {
                    x.get(xo + base + s * c, row, 0, c);
                    for (int j = 0; j < end; j += Simd.LANES)
                        FloatVector.fromArray(Simd.F, row, j).sub(FloatVector.fromArray(Simd.F, max, j)).intoArray(row, j);
                    Simd.exp(row, e, 0, end);
                    Simd.add(sum, e, end);
                    w.put(wo + base + s * c, e, 0, c);
                }
                for (int s = 0; s < t; s++) {
                    w.get(wo + base + s * c, row, 0, c);
                    for (int j = 0; j < end; j += Simd.LANES)
                        FloatVector.fromArray(Simd.F, row, j).div(FloatVector.fromArray(Simd.F, sum, j)).intoArray(row, j);
                    w.put(wo + base + s * c, row, 0, c);
                }
            }
        });
    });

    /** {@code dx += w·(dw − Σ_t w·dw)} per (b, c). */
    public static final Kernel SOFTMAX_TIME_BWD = Kernel.source(FAMILY, "softmax_time_bwd", "inout dx, in dw, in w, int batch, int t, int c", a -> {
        FloatBuffer dx = a.buf(0), dw = a.buf(1), w = a.buf(2);
        int dxo = a.off(0), dwo = a.off(1), wo = a.off(2), batch = a.i(3), t = a.i(4), c = a.i(5);
        blocks(batch, c, Math.min(c, CHANNEL_BLOCK), 4 * t * Math.min(c, CHANNEL_BLOCK), (b, c0, c1, dot, u1, u2) -> {
            int base = b * t * c;
            for (int j = c0; j < c1; j++) dot[j - c0] = 0;
            for (int s = 0; s < t; s++)
                for (int j = c0, r = base + s * c; j < c1; j++) dot[j - c0] += (double) w.get(wo + r + j) * dw.get(dwo + r + j);
            for (int s = 0; s < t; s++)
                for (int j = c0, r = base + s * c; j < c1; j++) {
                    int i = r + j;
                    dx.put(dxo + i, dx.get(dxo + i) + (float) (w.get(wo + i) * (dw.get(dwo + i) - dot[j - c0])));
                }
        });
    });

    // ---- weighted statistics ----

    /**
     * Weighted mean and standard deviation over time; mode 0 = CHANNEL: w is [B,T,C],
     * uncentred variance; 1 = SCALAR: w is [B,T,1], centred variance). y is [B, 2C]: mu in 0..C−1, sigma in C..2C−1.
     */
    public static final Kernel STATS_FWD = Kernel.source(FAMILY, "attn_stats_fwd", "out y, in x, in w, int batch, int t, int c, int mode", a -> {
        FloatBuffer y = a.buf(0);
        int yo = a.off(0), batch = a.i(3), t = a.i(4), c = a.i(5);
        boolean scalar = a.i(6) != 0;
        blocks(batch, c, statsBlock(c, scalar), 3 * t * statsBlock(c, scalar), (b, c0, c1, mu, variance, q) -> {
            moments(a, 1, 2, b, c0, c1, t, c, scalar, mu, variance, q);
            for (int j = c0; j < c1; j++) {
                y.put(yo + b * 2 * c + j, (float) mu[j - c0]);
                y.put(yo + b * 2 * c + c + j, (float) Math.sqrt(Math.max(variance[j - c0], VAR_FLOOR)));
            }
        });
    });

    /**
     * Backward of {@link #STATS_FWD}, recomputing the moments: with ds = dsigma/sigma where the variance exceeds
     * the floor (else 0), m = mu (SCALAR) or 0 (CHANNEL), q = ∂var/∂mu / −2 (Σ w·(x−mu), resp. mu) and
     * dmu' = dmu − ds·q: {@code dx += w·(dmu' + ds·(x − m))}, {@code dw += dmu'·x + ds/2·(x − m)²} (summed over
     * channels for SCALAR).
     */
    public static final Kernel STATS_BWD = Kernel.source(FAMILY, "attn_stats_bwd", "inout dx, inout dw, in dy, in x, in w, int batch, int t, int c, int mode", a -> {
        FloatBuffer dx = a.buf(0), dw = a.buf(1), dy = a.buf(2), x = a.buf(3), w = a.buf(4);
        int dxo = a.off(0), dwo = a.off(1), dyo = a.off(2), xo = a.off(3), wo = a.off(4), batch = a.i(5), t = a.i(6), c = a.i(7);
        boolean scalar = a.i(8) != 0;
        int wc = scalar ? 1 : c;
        blocks(batch, c, statsBlock(c, scalar), 6 * t * statsBlock(c, scalar), (b, c0, c1, mu, variance, q) -> {
            moments(a, 3, 4, b, c0, c1, t, c, scalar, mu, variance, q);
            // From here on: mu → dmu', variance → ds, q → the centre m (the arrays are reused to avoid scratch).
            for (int j = c0; j < c1; j++) {
                int k = j - c0;
                double sigma = Math.sqrt(Math.max(variance[k], VAR_FLOOR));
                double ds = variance[k] > VAR_FLOOR ? dy.get(dyo + b * 2 * c + c + j) / sigma : 0;
                double centre = scalar ? mu[k] : 0;
                mu[k] = dy.get(dyo + b * 2 * c + j) - ds * q[k];
                variance[k] = ds;
                q[k] = centre;
            }
            for (int s = 0; s < t; s++) {
                int r = (b * t + s) * c, rw = (b * t + s) * wc;
                double acc = 0;
                for (int j = c0; j < c1; j++) {
                    int k = j - c0;
                    double xv = x.get(xo + r + j), wv = w.get(wo + rw + (scalar ? 0 : j)), d = xv - q[k];
                    dx.put(dxo + r + j, dx.get(dxo + r + j) + (float) (wv * (mu[k] + variance[k] * d)));
                    double g = mu[k] * xv + 0.5 * variance[k] * d * d;
                    if (scalar) acc += g;
                    else dw.put(dwo + rw + j, dw.get(dwo + rw + j) + (float) g);
                }
                if (scalar) dw.put(dwo + rw, dw.get(dwo + rw) + (float) acc);
            }
        });
    });

    /** SCALAR reduces dw over all channels, so one unit must own every channel of its utterance. */
    private static int statsBlock(int c, boolean scalar) { return scalar ? c : Math.min(c, CHANNEL_BLOCK); }

    /**
     * Per channel j in [c0, c1) of utterance b: mu = Σ w·x, the variance of the chosen variant, and q = Σ w·(x − mu)
     * (SCALAR) or mu (CHANNEL). x and w are the view arguments at positions xa and wa.
     */
    private static void moments(CpuArgs a, int xa, int wa, int b, int c0, int c1, int t, int c, boolean scalar,
                                double[] mu, double[] variance, double[] q) {
        FloatBuffer x = a.buf(xa), w = a.buf(wa);
        int xo = a.off(xa), wo = a.off(wa), wc = scalar ? 1 : c;
        for (int j = c0; j < c1; j++) { mu[j - c0] = 0; variance[j - c0] = 0; q[j - c0] = 0; }
        for (int s = 0; s < t; s++) {
            int r = (b * t + s) * c, rw = (b * t + s) * wc;
            for (int j = c0; j < c1; j++) {
                double xv = x.get(xo + r + j), wx = w.get(wo + rw + (scalar ? 0 : j)) * xv;
                mu[j - c0] += wx;
                if (!scalar) variance[j - c0] += wx * xv; // Σ w·x²
            }
        }
        if (!scalar) {
            for (int j = c0; j < c1; j++) {
                variance[j - c0] -= mu[j - c0] * mu[j - c0];
                q[j - c0] = mu[j - c0];
            }
            return;
        }
        // SCALAR: a second pass around the finished mean, as the original code computed it.
        for (int s = 0; s < t; s++) {
            int r = (b * t + s) * c;
            double wv = w.get(wo + b * t + s);
            for (int j = c0; j < c1; j++) {
                double d = x.get(xo + r + j) - mu[j - c0];
                variance[j - c0] += wv * d * d;
                q[j - c0] += wv * d;
            }
        }
    }

    // ---- ops ----

    /** w = softmax over time of x, both [B, T, C] (w may alias x). */
    public static void softmaxTimeForward(TaskGraph g, View w, View x, int batch, int t, int c) {
        checkSizes("softmax_time", batch, t, c);
        w.require(batch * t * c, "softmax_time w");
        x.require(batch * t * c, "softmax_time x");
        g.task(SOFTMAX_TIME_FWD, Range.of(batch * c), w, x, batch, t, c);
    }

    /** dx += w·(dw − Σ_t w·dw), from the saved softmax output w. */
    public static void softmaxTimeBackward(TaskGraph g, View dx, View dw, View w, int batch, int t, int c) {
        checkSizes("softmax_time", batch, t, c);
        dx.require(batch * t * c, "softmax_time dx");
        dw.require(batch * t * c, "softmax_time dw");
        w.require(batch * t * c, "softmax_time w");
        g.task(SOFTMAX_TIME_BWD, Range.of(batch * c), dx, dw, w, batch, t, c);
    }

    /** y[B, 2C] = [mu | sigma] of x[B, T, C] under weights w[B, T, kind.channels(C)]. */
    public static void statsForward(TaskGraph g, View y, View x, View w, int batch, int t, int c, Attention kind) {
        checkSizes("attn_stats", batch, t, c);
        y.require(batch * 2 * c, "attn_stats y");
        x.require(batch * t * c, "attn_stats x");
        w.require(batch * t * kind.channels(c), "attn_stats w (" + kind + ")");
        // OpenCL: one work item per (utterance, channel) in both variants.
        g.task(STATS_FWD, Range.of(batch * c), y, x, w, batch, t, c, kind == Attention.SCALAR ? 1 : 0);
    }

    /** Accumulates dx and dw from dy[B, 2C]. */
    public static void statsBackward(TaskGraph g, View dx, View dw, View dy, View x, View w, int batch, int t, int c, Attention kind) {
        checkSizes("attn_stats", batch, t, c);
        dx.require(batch * t * c, "attn_stats dx");
        dw.require(batch * t * kind.channels(c), "attn_stats dw (" + kind + ")");
        dy.require(batch * 2 * c, "attn_stats dy");
        x.require(batch * t * c, "attn_stats x");
        w.require(batch * t * kind.channels(c), "attn_stats w (" + kind + ")");
        // OpenCL: one work item per (utterance, channel) for CHANNEL; one work group per utterance for SCALAR.
        g.task(STATS_BWD, Range.of(kind == Attention.SCALAR ? batch * STATS_GROUP : batch * c), dx, dw, dy, x, w, batch, t, c,
                kind == Attention.SCALAR ? 1 : 0);
    }

    /**
     * The whole pooling layer: {@code hidden = tanh(x·W1ᵀ + b1)}, {@code attn = softmax_t(hidden·W2ᵀ + b2)},
     * {@code y = stats(x, attn)}. W1 is [C, C], W2 is [A, C] with A = kind.channels(C). {@code hidden} [B·T·C] and
     * {@code attn} [B·T·A] are saved for the backward (attn also holds the logits before the softmax).
     */
    public static void attentiveStatsForward(TaskGraph g, View y, View hidden, View attn, View x, View w1, View b1,
                                             View w2, View b2, int batch, int t, int c, Attention kind) {
        checkSizes("attentive_stats", batch, t, c);
        int rows = batch * t, ac = kind.channels(c);
        hidden.require(rows * c, "attentive_stats hidden");
        attn.require(rows * ac, "attentive_stats attn");
        Linear.forward(g, hidden, x, w1, b1, rows, c, c);
        Activation.tanhForward(g, hidden, hidden, rows * c);
        Linear.forward(g, attn, hidden, w2, b2, rows, c, ac);
        softmaxTimeForward(g, attn, attn, batch, t, ac);
        statsForward(g, y, x, attn, batch, t, c, kind);
    }

    /**
     * Backward of {@link #attentiveStatsForward}: accumulates dx, dW1, db1, dW2, db2. {@code scratch1} and
     * {@code scratch2} hold B·T·C floats each and are overwritten (zeroed here, since the backward ops accumulate):
     * <pre>
     *   s1 = dattn (stats_bwd, which also adds its share to dx)
     *   s2 = dlogits (softmax_time_bwd)
     *   s1 = dhidden, dW2, db2 (Linear backward)
     *   s2 = dpre-tanh (tanh backward)
     *   dx, dW1, db1 (Linear backward)
     * </pre>
     */
    public static void attentiveStatsBackward(TaskGraph g, View dx, View dw1, View db1, View dw2, View db2,
                                              View scratch1, View scratch2, View dy, View x, View hidden, View attn,
                                              View w1, View w2, int batch, int t, int c, Attention kind) {
        checkSizes("attentive_stats", batch, t, c);
        int rows = batch * t, ac = kind.channels(c);
        scratch1.require(rows * c, "attentive_stats scratch1");
        scratch2.require(rows * c, "attentive_stats scratch2");
        View dattn = scratch1.slice(0, rows * ac), dlogits = scratch2.slice(0, rows * ac);
        Tensor.fill(g, dattn, 0f);
        statsBackward(g, dx, dattn, dy, x, attn, batch, t, c, kind);
        Tensor.fill(g, dlogits, 0f);
        softmaxTimeBackward(g, dlogits, dattn, attn, batch, t, ac);
        Tensor.fill(g, scratch1, 0f);
        Linear.backward(g, scratch1, dw2, db2, dlogits, hidden, w2, rows, c, ac);
        Tensor.fill(g, scratch2, 0f);
        Activation.tanhBackward(g, scratch2, scratch1, hidden, rows * c);
        Linear.backward(g, dx, dw1, db1, scratch2, x, w1, rows, c, c);
    }

    static void checkSizes(String op, int batch, int t, int c) {
        if (batch <= 0 || t <= 0 || c <= 0)
            throw new IllegalArgumentException(op + ": sizes must be positive, got B=" + batch + " T=" + t + " C=" + c);
    }
}
