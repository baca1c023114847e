package org.voxkd.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Op cases of the loss family: AAM and AM softmax, and the distillation losses, each with a weight. */
public final class LossCases {
    private LossCases() {}

    static double[] normalise(double[] v, int off, int d) {
        double n = 0;
        for (int i = 0; i < d; i++) n += v[off + i] * v[off + i];
        n = Math.max(Math.sqrt(n), 1e-12);
        double[] out = new double[d];
        for (int i = 0; i < d; i++) out[i] = v[off + i] / n;
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Float64 margin softmax: {loss, accuracy %}. */
    static double[] marginSoftmax(double[] x, double[] w, double[] labels, int b, int k, int d, boolean aam, double m, double s) {
        double loss = 0, correct = 0;
        for (int r = 0; r < b; r++) {
            double[] xn = normalise(x, r * d, d);
            int y = (int) labels[r];
            double[] z = new double[k];
            for (int j = 0; j < k; j++) {
                double c = dot(xn, normalise(w, j * d, d));
                if (j == y) {
                    if (aam) {
                        double sin = Math.sqrt(Math.min(1, Math.max(0, 1 - c * c)));
                        c = c - Math.cos(Math.PI - m) > 0 ? c * Math.cos(m) - sin * Math.sin(m) : c - Math.sin(Math.PI - m) * m;
                    } else c -= m;
                }
                z[j] = s * c;
            }
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            int arg = 0;
            for (int j = 0; j < k; j++) if (z[j] > max) { max = z[j]; arg = j; }
            for (int j = 0; j < k; j++) sum += Math.exp(z[j] - max);
            loss += max + Math.log(sum) - z[y];
            if (arg == y) correct++;
        }
        return new double[] {loss / b, 100 * correct / b};
    }

    static double distillation(double[] s, double[] t, int b, int d, Loss.Distillation kind, double tau) {
        double total = 0;
        for (int r = 0; r < b; r++) {
            double[] sn = normalise(s, r * d, d), tn = normalise(t, r * d, d);
            switch (kind) {
                case COSINE -> total += 1 - dot(sn, tn);
                // the identity: D·τ²/2 · mse = 1 − cos, so the rescaled mse kernel is checked against the cosine formula
                case MSE_RESCALED -> total += 1 - dot(sn, tn);
                case MSE -> {
                    double e = 0;
                    for (int i = 0; i < d; i++) e += Math.pow(sn[i] / tau - tn[i] / tau, 2);
                    total += e / d;
                }
                case KL -> {
                    double ms = Double.NEGATIVE_INFINITY, mt = Double.NEGATIVE_INFINITY, zs = 0, zt = 0, kl = 0;
                    for (int i = 0; i < d; i++) { ms = Math.max(ms, s[r * d + i] / tau); mt = Math.max(mt, t[r * d + i] / tau); }
                    for (int i = 0; i < d; i++) { zs += Math.exp(s[r * d + i] / tau - ms); zt += Math.exp(t[r * d + i] / tau - mt); }
                    for (int i = 0; i < d; i++) {
                        double lp = t[r * d + i] / tau - mt - Math.log(zt), lq = s[r * d + i] / tau - ms - Math.log(zs);
                        kl += Math.exp(lp) * (lp - lq);
                    }
                    total += tau * tau * kl;
                }
            }
        }
        return total / b;
    }

    public static List<OpCase> cases() {
        List<OpCase> out = new ArrayList<>();
        int b = 5, k = 7, d = 9;
        float weight = 0.3f;
        // Labels 0..4; class weights and embeddings random: cos stays away from the AAM branch point for this seed.
        double[] labels = {3, 0, 6, 2, 5};
        for (Loss.Margin margin : Loss.Margin.values())
            for (float m : new float[] {0.2f, 1.4f}) {
                if (margin == Loss.Margin.AM && m > 1) continue;
                // m = 1.4 (θ + m > π for many targets) exercises AAM's fallback branch cos − sin(π−m)·m.
                float s = m > 1 ? 3f : 30f;
                out.add(OpCase.named(margin + " softmax m" + m + " s" + s + " " + b + "x" + d + "→" + k)
                        .input("x", b * d).input("w", k * d).constant("labels", b, OpCase.Init.values(labels))
                        .output("loss", 1).aux("accuracy", 1).scratch("scratch", Loss.classificationScratch(b, k, d))
                        .upstream("loss", weight)
                        .forward((g, v) -> Loss.classificationForward(g, v.get("loss"), v.get("accuracy"), v.get("scratch"), v.get("x"),
                                v.get("w"), v.get("labels"), b, k, d, margin, m, s, weight))
                        .backward((g, v) -> Loss.classificationBackward(g, v.grad("x"), v.grad("w"), v.get("scratch"), v.get("x"), v.get("w"), b, k, d))
                        .reference(in -> {
                            double[] r = marginSoftmax(in.get("x"), in.get("w"), in.get("labels"), b, k, d, margin == Loss.Margin.AAM, m, s);
                            return Map.of("loss", new double[] {r[0]}, "accuracy", new double[] {r[1]});
                        }));
            }
        for (Loss.Distillation kind : Loss.Distillation.values()) {
            float tau = kind == Loss.Distillation.COSINE ? 1f : 4f;
            out.add(OpCase.named("distillation " + kind + " τ" + tau + " " + b + "x" + d)
                    .input("s", b * d).constant("t", b * d, OpCase.Init.normal(1)).output("loss", 1).scratch("rows", b)
                    .upstream("loss", weight)
                    .forward((g, v) -> Loss.distillation(g, v.get("loss"), v.grad("s"), v.get("rows"), v.get("s"), v.get("t"), b, d, kind, tau, weight))
                    .backward((g, v) -> {}) // the forward kernel already accumulated weight·∂loss/∂s
                    .reference(in -> Map.of("loss", new double[] {distillation(in.get("s"), in.get("t"), b, d, kind, tau)})));
        }
        return out;
    }
}
