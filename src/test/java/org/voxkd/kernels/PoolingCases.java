package org.voxkd.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.voxkd.kernels.Pooling.Attention;

/** Op cases of the pooling family: softmax over time, attentive statistics (both variants, alone and composed), L2 norm. */
public final class PoolingCases {
    private PoolingCases() {}

    /** Float64 softmax over t of x[B, T, C] for every (b, c). */
    static double[] softmaxTime(double[] x, int batch, int t, int c) {
        double[] w = new double[x.length];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < c; j++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int s = 0; s < t; s++) max = Math.max(max, x[(b * t + s) * c + j]);
                for (int s = 0; s < t; s++) sum += Math.exp(x[(b * t + s) * c + j] - max);
                for (int s = 0; s < t; s++) w[(b * t + s) * c + j] = Math.exp(x[(b * t + s) * c + j] - max) / sum;
            }
        return w;
    }

    /** Float64 [mu | sigma] of x[B, T, C] under w[B, T, C] (CHANNEL) or w[B, T] (SCALAR), as models.md writes them. */
    static double[] stats(double[] x, double[] w, int batch, int t, int c, Attention kind) {
        double[] y = new double[batch * 2 * c];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < c; j++) {
                double mu = 0, s2 = 0;
                for (int s = 0; s < t; s++) {
                    double wv = kind == Attention.CHANNEL ? w[(b * t + s) * c + j] : w[b * t + s], xv = x[(b * t + s) * c + j];
                    mu += wv * xv;
                    s2 += wv * xv * xv;
                }
                double var = s2 - mu * mu;
                if (kind == Attention.SCALAR) {
                    var = 0;
                    for (int s = 0; s < t; s++) {
                        double d = x[(b * t + s) * c + j] - mu;
                        var += w[b * t + s] * d * d;
                    }
                }
                y[b * 2 * c + j] = mu;
                y[b * 2 * c + c + j] = Math.sqrt(Math.max(var, 1e-5));
            }
        return y;
    }

    /** Float64 y[rows, cout] = x·Wᵀ + b. */
    static double[] linear(double[] x, double[] w, double[] bias, int rows, int cin, int cout) {
        double[] y = new double[rows * cout];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < cout; o++) {
                double s = bias[o];
                for (int i = 0; i < cin; i++) s += x[r * cin + i] * w[o * cin + i];
                y[r * cout + o] = s;
            }
        return y;
    }

    /**
     * Attention weights as a softmax would give them (positive, summing to one over t for every (b, channel)),
     * times {@code scale}: with a scale other than one the terms that vanish when the weights sum to one
     * (the centred variant's Σ w·(x − mu)) are exercised too.
     */
    static OpCase.Init attentionWeights(int batch, int t, int c, double scale) {
        return (n, r) -> {
            double[] w = softmaxTime(OpCase.Init.normal(1).make(n, r), batch, t, c);
            for (int i = 0; i < n; i++) w[i] *= scale;
            return w;
        };
    }

    /**
     * Features whose channel 0 is constant over time in every utterance, so its variance falls below the floor and
     * the clamp's zero-gradient branch is exercised next to ordinary channels.
     */
    static OpCase.Init featuresWithFlatChannel(int batch, int t, int c) {
        return (n, r) -> {
            double[] x = OpCase.Init.normal(1).make(n, r);
            for (int b = 0; b < batch; b++)
                for (int s = 0; s < t; s++) x[(b * t + s) * c] = 0.7 - 0.3 * b;
            return x;
        };
    }

    public static List<OpCase> cases() {
        List<OpCase> out = new ArrayList<>();
        int batch = 3, t = 7;
        for (int c : new int[] {5, 1, 67}) { // 1: scalar attention logits; 67: more than one channel block
            int n = batch * t * c;
            out.add(OpCase.named("softmax_time B" + batch + " T" + t + " C" + c).input("x", n, OpCase.Init.normal(2)).output("w", n)
                    .forward((g, v) -> Pooling.softmaxTimeForward(g, v.get("w"), v.get("x"), batch, t, c))
                    .backward((g, v) -> Pooling.softmaxTimeBackward(g, v.grad("x"), v.grad("w"), v.get("w"), batch, t, c))
                    .reference(in -> Map.of("w", softmaxTime(in.get("x"), batch, t, c))));
        }
        // Weights summing to one (as in the model; the flat channel then falls below the variance floor), a wider
        // channel-wise case spanning two channel blocks, and weights summing to 0.8 (general formula, no clamp).
        for (Attention kind : Attention.values())
            for (double[] cs : kind == Attention.CHANNEL ? new double[][] {{5, 1}, {67, 1}, {5, 0.8}} : new double[][] {{5, 1}, {5, 0.8}}) {
                int c = (int) cs[0], n = batch * t * c, ac = kind.channels(c);
                double scale = cs[1];
                out.add(OpCase.named("attn_stats " + kind + " B" + batch + " T" + t + " C" + c + " Σw=" + scale)
                        .input("x", n, featuresWithFlatChannel(batch, t, c))
                        .input("w", batch * t * ac, attentionWeights(batch, t, ac, scale))
                        .output("y", batch * 2 * c)
                        .forward((g, v) -> Pooling.statsForward(g, v.get("y"), v.get("x"), v.get("w"), batch, t, c, kind))
                        .backward((g, v) -> Pooling.statsBackward(g, v.grad("x"), v.grad("w"), v.grad("y"), v.get("x"), v.get("w"),
                                batch, t, c, kind))
                        .reference(in -> Map.of("y", stats(in.get("x"), in.get("w"), batch, t, c, kind))));
            }
        int cb = 2, ct = 5, cc = 3, rows = cb * ct;
        for (Attention kind : Attention.values()) {
            int ac = kind.channels(cc);
            out.add(OpCase.named("attentive_stats " + kind + " B" + cb + " T" + ct + " C" + cc)
                    .input("x", rows * cc).input("w1", cc * cc, OpCase.Init.normal(0.7)).input("b1", cc, OpCase.Init.normal(0.3))
                    .input("w2", ac * cc, OpCase.Init.normal(0.7))
                    // b2 shifts every logit of a softmax column equally, so its true gradient is exactly zero and a
                    // relative comparison would only measure float rounding: a constant, its gradient sink scratch.
                    .constant("b2", ac, OpCase.Init.normal(0.3)).scratch("db2", ac)
                    .output("y", cb * 2 * cc)
                    .scratch("hidden", rows * cc).scratch("attn", rows * ac).scratch("s1", rows * cc).scratch("s2", rows * cc)
                    .forward((g, v) -> Pooling.attentiveStatsForward(g, v.get("y"), v.get("hidden"), v.get("attn"), v.get("x"),
                            v.get("w1"), v.get("b1"), v.get("w2"), v.get("b2"), cb, ct, cc, kind))
                    .backward((g, v) -> Pooling.attentiveStatsBackward(g, v.grad("x"), v.grad("w1"), v.grad("b1"), v.grad("w2"),
                            v.get("db2"), v.get("s1"), v.get("s2"), v.grad("y"), v.get("x"), v.get("hidden"), v.get("attn"),
                            v.get("w1"), v.get("w2"), cb, ct, cc, kind))
                    .reference(in -> {
                        double[] hidden = linear(in.get("x"), in.get("w1"), in.get("b1"), rows, cc, cc);
                        for (int i = 0; i < hidden.length; i++) hidden[i] = Math.tanh(hidden[i]);
                        double[] w = softmaxTime(linear(hidden, in.get("w2"), in.get("b2"), rows, cc, ac), cb, ct, ac);
                        return Map.of("y", stats(in.get("x"), w, cb, ct, cc, kind));
                    }));
        }
        int lr = 5, lc = 11;
        out.add(OpCase.named("l2norm " + lr + "x" + lc).input("x", lr * lc).output("y", lr * lc)
                .forward((g, v) -> L2Norm.forward(g, v.get("y"), v.get("x"), lr, lc))
                .backward((g, v) -> L2Norm.backward(g, v.grad("x"), v.grad("y"), v.get("x"), lr, lc))
                .reference(in -> {
                    double[] x = in.get("x"), y = new double[x.length];
                    for (int r = 0; r < lr; r++) {
                        double s = 0;
                        for (int j = 0; j < lc; j++) s += x[r * lc + j] * x[r * lc + j];
                        double d = Math.max(Math.sqrt(s), 1e-12);
                        for (int j = 0; j < lc; j++) y[r * lc + j] = x[r * lc + j] / d;
                    }
                    return Map.of("y", y);
                }));
        return out;
    }
}
