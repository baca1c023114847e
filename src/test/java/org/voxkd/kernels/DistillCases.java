package org.voxkd.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Op cases of the distill family on odd shapes, each with a float64 reference written from the formulas of
 * {@link Distill}: time pooling, plain feature MSE, distance-wise relational KD, label-level KD, and the teacher side
 * of multi-teacher KD (head cosines, cross-entropy rows, confidence weights, mixing).
 */
public final class DistillCases {
    private DistillCases() {}

    static double[] timeMean(double[] x, int b, int t, int c) {
        double[] y = new double[b * c];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < c; j++) {
                double s = 0;
                for (int f = 0; f < t; f++) s += x[(i * t + f) * c + j];
                y[i * c + j] = s / t;
            }
        return y;
    }

    static double featureMse(double[] a, double[] t, int n, int d) {
        double s = 0;
        for (int i = 0; i < n * d; i++) s += (a[i] - t[i]) * (a[i] - t[i]);
        return s / (n * d);
    }

    /** Park et al.'s RKD-D: distances over their off-diagonal mean, smooth-L1 averaged over the whole B×B matrix. */
    static double relational(double[] s, double[] t, int b, int dS, int dT) {
        double[] ds = distances(s, b, dS), dt = distances(t, b, dT);
        double ms = 0, mt = 0;
        for (int i = 0; i < b * b; i++) { ms += ds[i]; mt += dt[i]; }
        ms /= b * (b - 1.0);
        mt /= b * (b - 1.0);
        double loss = 0;
        for (int i = 0; i < b * b; i++) {
            double e = ds[i] / ms - dt[i] / mt, ae = Math.abs(e);
            loss += ae < 1 ? 0.5 * e * e : ae - 0.5;
        }
        return loss / (b * b);
    }

    static double[] distances(double[] x, int b, int d) {
        double[] out = new double[b * b];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += (x[i * d + k] - x[j * d + k]) * (x[i * d + k] - x[j * d + k]);
                out[i * b + j] = Math.sqrt(s);
            }
        return out;
    }

    /** cos[B, K] between rows of x[B, D] and w[K, D]. */
    static double[] cosines(double[] x, double[] w, int b, int k, int d) {
        double[] c = new double[b * k];
        for (int r = 0; r < b; r++)
            for (int j = 0; j < k; j++)
                c[r * k + j] = LossCases.dot(LossCases.normalise(x, r * d, d), LossCases.normalise(w, j * d, d));
        return c;
    }

    static double[] logSoftmax(double[] z, int off, int k) {
        double m = Double.NEGATIVE_INFINITY, s = 0;
        for (int j = 0; j < k; j++) m = Math.max(m, z[off + j]);
        for (int j = 0; j < k; j++) s += Math.exp(z[off + j] - m);
        double[] out = new double[k];
        for (int j = 0; j < k; j++) out[j] = z[off + j] - m - Math.log(s);
        return out;
    }

    /** τ²·KL(softmax(scale·ct/τ) ‖ softmax(scale·cos(x, w)/τ)), batch mean. */
    static double labelKd(double[] x, double[] w, double[] ct, int b, int k, int d, double scale, double tau) {
        double[] cs = cosines(x, w, b, k, d), zs = new double[b * k], zt = new double[b * k];
        for (int i = 0; i < b * k; i++) { zs[i] = scale * cs[i] / tau; zt[i] = scale * ct[i] / tau; }
        double total = 0;
        for (int r = 0; r < b; r++) {
            double[] lq = logSoftmax(zs, r * k, k), lp = logSoftmax(zt, r * k, k);
            for (int j = 0; j < k; j++) total += Math.exp(lp[j]) * (lp[j] - lq[j]);
        }
        return tau * tau * total / b;
    }

    public static List<OpCase> cases() {
        List<OpCase> out = new ArrayList<>();
        float weight = 0.3f;
        int b = 3, t = 7, c = 5;
        out.add(OpCase.named("time mean " + b + "x" + t + "x" + c).input("x", b * t * c).output("y", b * c)
                .forward((g, v) -> Distill.timeMeanForward(g, v.get("y"), v.get("x"), b, t, c))
                .backward((g, v) -> Distill.timeMeanBackward(g, v.grad("x"), v.grad("y"), b, t, c))
                .reference(in -> Map.of("y", timeMean(in.get("x"), b, t, c))));
        int n = 7, d = 5;
        out.add(OpCase.named("feature mse " + n + "x" + d).input("a", n * d).constant("t", n * d, OpCase.Init.normal(1)).output("loss", 1)
                .scratch("rows", n).upstream("loss", weight)
                .forward((g, v) -> Distill.featureMse(g, v.get("loss"), v.grad("a"), v.get("rows"), v.get("a"), v.get("t"), n, d, weight))
                .backward((g, v) -> {})
                .reference(in -> Map.of("loss", new double[] {featureMse(in.get("a"), in.get("t"), n, d)})));
        for (int[] bd : new int[][] {{6, 5, 5}, {11, 4, 7}}) {
            int rb = bd[0], rd = bd[1], td = bd[2];
            // Teacher embeddings at another scale than the student's: the loss must not care (distances over their mean).
            out.add(OpCase.named("relational distance " + rb + "x" + rd + " vs " + rb + "x" + td).input("s", rb * rd).constant("t", rb * td, OpCase.Init.normal(3))
                    .output("loss", 1).scratch("scratch", Distill.relationalScratch(rb)).upstream("loss", weight)
                    .forward((g, v) -> Distill.relationalDistance(g, v.get("loss"), v.grad("s"), v.get("scratch"), v.get("s"), v.get("t"), rb, rd, td, weight))
                    .backward((g, v) -> {})
                    .reference(in -> Map.of("loss", new double[] {relational(in.get("s"), in.get("t"), rb, rd, td)})));
        }
        int lb = 5, lk = 7, ld = 9;
        for (float[] st : new float[][] {{30f, 4f}, {5f, 1f}}) {
            float scale = st[0], tau = st[1];
            out.add(OpCase.named("label KD s" + scale + " τ" + tau + " " + lb + "x" + ld + "→" + lk)
                    .input("x", lb * ld).input("w", lk * ld).constant("ct", lb * lk, OpCase.Init.uniform(-1, 1)).output("loss", 1)
                    .scratch("scratch", Distill.labelScratch(lb, lk, ld)).upstream("loss", weight)
                    .forward((g, v) -> Distill.labelKd(g, v.get("loss"), v.grad("x"), v.grad("w"), v.get("scratch"), v.get("x"), v.get("w"),
                            v.get("ct"), lb, lk, ld, scale, tau, weight))
                    .backward((g, v) -> {})
                    .reference(in -> Map.of("loss", new double[] {labelKd(in.get("x"), in.get("w"), in.get("ct"), lb, lk, ld, scale, tau)})));
        }
        // The teacher side of multi-teacher KD: no gradient, forward against the reference only.
        double[] labels = {3, 0, 6, 2, 5};
        float scale = 30f;
        out.add(OpCase.named("head cosines and cross-entropy rows " + lb + "x" + ld + "→" + lk)
                .constant("x", lb * ld, OpCase.Init.normal(1)).constant("w", lk * ld, OpCase.Init.normal(1)).constant("labels", lb, OpCase.Init.values(labels))
                .aux("cos", lb * lk).aux("ce", lb).scratch("scratch", Distill.headScratch(lb, lk, ld)).scratch("ces", lb * lk + lb)
                .forward((g, v) -> {
                    Distill.headCosines(g, v.get("cos"), v.get("scratch"), v.get("x"), v.get("w"), lb, lk, ld);
                    Distill.crossEntropyRows(g, v.get("ce"), v.get("ces"), v.get("cos"), v.get("labels"), lb, lk, scale);
                })
                .reference(in -> {
                    double[] cos = cosines(in.get("x"), in.get("w"), lb, lk, ld), z = new double[lb * lk], ce = new double[lb];
                    for (int i = 0; i < z.length; i++) z[i] = scale * cos[i];
                    for (int r = 0; r < lb; r++) ce[r] = -logSoftmax(z, r * lk, lk)[(int) labels[r]];
                    return Map.of("cos", cos, "ce", ce);
                }));
        int nt = 3, mb = 4, md = 6;
        out.add(OpCase.named("confidence weights and mix " + nt + " teachers " + mb + "x" + md)
                .constant("ce", nt * mb, OpCase.Init.uniform(0, 4)).constant("x", nt * mb * md, OpCase.Init.normal(2))
                .aux("w", nt * mb).aux("y", mb * md)
                .forward((g, v) -> {
                    Distill.confidenceWeights(g, v.get("w"), v.get("ce"), nt, mb);
                    Distill.mix(g, v.get("y"), v.get("w"), v.get("x"), nt, mb, md);
                })
                .reference(in -> {
                    double[] ce = in.get("ce"), x = in.get("x"), w = new double[nt * mb], y = new double[mb * md];
                    for (int r = 0; r < mb; r++) {
                        double s = 0;
                        for (int k = 0; k < nt; k++) s += Math.exp(ce[k * mb + r]);
                        for (int k = 0; k < nt; k++) w[k * mb + r] = (1 - Math.exp(ce[k * mb + r]) / s) / (nt - 1);
                        for (int k = 0; k < nt; k++) {
                            double[] u = LossCases.normalise(x, (k * mb + r) * md, md);
                            for (int i = 0; i < md; i++) y[r * md + i] += w[k * mb + r] * u[i];
                        }
                    }
                    return Map.of("w", w, "y", y);
                }));
        return out;
    }
}
