package org.voxkd.kernels;

import java.nio.FloatBuffer;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.Range;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.Parallel;

/**
 * The distillation methods beyond the spec's three embedding losses (tornado-kernels/distill.cl): feature
 * matching of hidden activations (time pooling, plain MSE), relational KD, label-level KD on classifier
 * posteriors, and the per-sample mixing of several teachers. As in {@link Loss}, a loss kernel writes its rows'
 * losses and accumulates weight·∂loss/∂(student) into the student's gradient; the teacher side gets none.
 *
 * <pre>
 *   feature mse:   loss = mean over N rows of Σ_i (a_i − t_i)²/D                          (FitNets, per row)
 *   relational:    ψ_ij = ‖s_i − s_j‖ / mean_{i≠j}‖s_i − s_j‖, φ_ij likewise for t;
 *                  loss = mean over the B×B matrix of smooth-L1(ψ_ij − φ_ij)        (Park et al. 2019, RKD-D)
 *   label:         z = scale·cos(x, W)/τ for the student (own head) and the teacher (its head);
 *                  loss = τ²·KL(softmax(z_t) ‖ softmax(z_s)), batch mean             (Hinton et al. 2015)
 *   teacher mix:   target_b = Σ_k w_kb · t̂_kb (unit rows), w fixed or w_kb = (1 − softmax_k(CE_kb))/(K − 1)
 *                  from each teacher's cross-entropy on the label (CA-MKD, Zhang et al. 2022)
 * </pre>
 * Every sum runs in index order in double; parallel loops split only independent rows.
 */
public final class Distill {
    private Distill() {}

    static final String FAMILY = "distill";

    /** y[b, c] = Σ_t x[b, t, c] / T. */
    public static final Kernel TIME_MEAN_FWD = Kernel.source(FAMILY, "time_mean_fwd", "out y, in x, int b, int t, int c", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), b = a.i(2), t = a.i(3), c = a.i(4);
        Parallel.range(b * c, t, (from, to) -> {
            for (int i = from; i < to; i++) {
                int bi = i / c, ci = i % c;
                double s = 0;
                for (int f = 0; f < t; f++) s += x.get(xo + (bi * t + f) * c + ci);
                y.put(yo + i, (float) (s / t));
            }
        });
    });

    /** dx[b, t, c] += dy[b, c] / T. */
    public static final Kernel TIME_MEAN_BWD = Kernel.source(FAMILY, "time_mean_bwd", "inout dx, in dy, int b, int t, int c", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1);
        int dxo = a.off(0), dyo = a.off(1), b = a.i(2), t = a.i(3), c = a.i(4);
        Parallel.range(b * t, 2 * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int bi = r / t;
                for (int ci = 0; ci < c; ci++)
                    dx.put(dxo + r * c + ci, dx.get(dxo + r * c + ci) + (float) (dy.get(dyo + bi * c + ci) / (double) t));
            }
        });
    });

    /** Per row: loss_r = Σ_i (a − t)²/D and da += weight/N · 2(a − t)/D. */
    public static final Kernel FEATURE_MSE_ROWS = Kernel.source(FAMILY, "feature_mse_rows", "out rl, inout da, in av, in tv, int n, int d, float weight", a -> {
        FloatBuffer rl = a.buf(0), da = a.buf(1), av = a.buf(2), tv = a.buf(3);
        int rlo = a.off(0), dao = a.off(1), ao = a.off(2), to = a.off(3), n = a.i(4), d = a.i(5);
        double g = a.f(6) / (double) n;
        Parallel.range(n, 4 * d, (from, to2) -> {
            for (int r = from; r < to2; r++) {
                double s = 0;
                for (int i = 0; i < d; i++) {
                    double e = av.get(ao + r * d + i) - (double) tv.get(to + r * d + i);
                    s += e * e;
                    da.put(dao + r * d + i, (float) (da.get(dao + r * d + i) + g * 2 * e / d));
                }
                rl.put(rlo + r, (float) (s / d));
            }
        });
    });

    /** dist[i, j] = ‖x_i − x_j‖₂ (0 on the diagonal). */
    public static final Kernel RKD_PDIST = Kernel.source(FAMILY, "rkd_pdist", "out dist, in x, int b, int d", a -> {
        FloatBuffer dist = a.buf(0), x = a.buf(1);
        int dso = a.off(0), xo = a.off(1), b = a.i(2), d = a.i(3);
        Parallel.range(b, b * d, (from, to) -> {
            for (int i = from; i < to; i++)
                for (int j = 0; j < b; j++) {
                    double s = 0;
                    if (j != i)
                        for (int k = 0; k < d; k++) {
                            double e = x.get(xo + i * d + k) - (double) x.get(xo + j * d + k);
                            s += e * e;
                        }
                    dist.put(dso + i * b + j, (float) Math.sqrt(s));
                }
        });
    });

    /**
     * The distance-wise relational loss from the two distance matrices (one work item): loss[0] = mean over the B×B
     * entries of smooth-L1(ψ − φ) (β = 1), and coef[i, j] = 2·(g_ij/μ_s − c)/d_ij with g_ij = weight·h'(ψ_ij − φ_ij)/B²
     * and c = Σ g·d/(μ_s²·B(B − 1)), so that ∂(weight·loss)/∂s_k = Σ_l coef_kl·(s_k − s_l).
     */
    public static final Kernel RKD_DIST_LOSS = Kernel.source(FAMILY, "rkd_dist_loss", "out out, out coef, in ds, in dt, int b, float weight", a -> {
        FloatBuffer out = a.buf(0), coef = a.buf(1), ds = a.buf(2), dt = a.buf(3);
        int oo = a.off(0), co = a.off(1), so = a.off(2), to = a.off(3), b = a.i(4);
        double weight = a.f(5), pairs = (double) b * (b - 1), ms = 0, mt = 0;
        for (int i = 0; i < b * b; i++) {
            ms += ds.get(so + i);
            mt += dt.get(to + i);
        }
        ms /= pairs;
        mt /= pairs;
        double loss = 0, c = 0;
        for (int i = 0; i < b * b; i++) {
            if (i / b == i % b || !(ms > 0) || !(mt > 0)) continue;
            double e = ds.get(so + i) / ms - dt.get(to + i) / mt, ae = Math.abs(e);
            loss += ae < 1 ? 0.5 * e * e : ae - 0.5;
            c += (ae < 1 ? e : Math.signum(e)) * ds.get(so + i);
        }
        double gs = weight / ((double) b * b);
        c *= gs / (ms * ms * pairs);
        for (int i = 0; i < b * b; i++) {
            double dij = ds.get(so + i);
            if (i / b == i % b || !(dij > 0) || !(ms > 0) || !(mt > 0)) {
                coef.put(co + i, 0f);
                continue;
            }
            double e = dij / ms - dt.get(to + i) / mt, h = Math.abs(e) < 1 ? e : Math.signum(e);
            coef.put(co + i, (float) (2 * (gs * h / ms - c) / dij));
        }
        out.put(oo, (float) (loss / ((double) b * b)));
    });

    /** dx_k += Σ_l coef[k, l]·(x_k − x_l). */
    public static final Kernel RKD_DIST_GRAD = Kernel.source(FAMILY, "rkd_dist_grad", "inout dx, in coef, in x, int b, int d", a -> {
        FloatBuffer dx = a.buf(0), coef = a.buf(1), x = a.buf(2);
        int dxo = a.off(0), co = a.off(1), xo = a.off(2), b = a.i(3), d = a.i(4);
        Parallel.range(b, b * d, (from, to) -> {
            for (int k = from; k < to; k++)
                for (int i = 0; i < d; i++) {
                    double s = 0, xk = x.get(xo + k * d + i);
                    for (int l = 0; l < b; l++) s += coef.get(co + k * b + l) * (xk - x.get(xo + l * d + i));
                    dx.put(dxo + k * d + i, (float) (dx.get(dxo + k * d + i) + s));
                }
        });
    });

    /**
     * Per row of the cosine matrices [B, K]: z = scale·cos/τ, loss_b = τ²·KL(softmax(z_t) ‖ softmax(z_s)) and
     * dcs += weight/B·τ·scale·(softmax(z_s) − softmax(z_t)).
     */
    public static final Kernel LABEL_KD_ROWS = Kernel.source(FAMILY, "label_kd_rows", "out rl, inout dc, in cs, in ct, int b, int k, float scale, float tau, float weight", a -> {
        FloatBuffer rl = a.buf(0), dc = a.buf(1), cs = a.buf(2), ct = a.buf(3);
        int rlo = a.off(0), dco = a.off(1), cso = a.off(2), cto = a.off(3), b = a.i(4), k = a.i(5);
        double scale = a.f(6), tau = a.f(7), g = a.f(8) / (double) b, z = scale / tau;
        Numerics nm = a.numerics();
        Parallel.range(b, 6 * k, (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = r * k;
                double ms = Double.NEGATIVE_INFINITY, mt = Double.NEGATIVE_INFINITY, ss = 0, st = 0, kl = 0;
                for (int j = 0; j < k; j++) {
                    ms = Math.max(ms, z * cs.get(cso + row + j));
                    mt = Math.max(mt, z * ct.get(cto + row + j));
                }
                for (int j = 0; j < k; j++) {
                    ss += nm.exp(z * cs.get(cso + row + j) - ms);
                    st += nm.exp(z * ct.get(cto + row + j) - mt);
                }
                double ls = ms + nm.log(ss), lt = mt + nm.log(st);
                for (int j = 0; j < k; j++) {
                    double lq = z * cs.get(cso + row + j) - ls, lp = z * ct.get(cto + row + j) - lt, p = nm.exp(lp);
                    kl += p * (lp - lq);
                    dc.put(dco + row + j, (float) (dc.get(dco + row + j) + g * tau * scale * (nm.exp(lq) - p)));
                }
                rl.put(rlo + r, (float) (tau * tau * kl));
            }
        });
    });

    /**
     * Per sample b, the teachers' weights from their cross-entropies ce[k, b]: w_kb = (1 − softmax_k(ce)_k)/(K − 1) —
     * the teacher that fits the label better weighs more.
     */
    public static final Kernel CONFIDENCE_WEIGHTS = Kernel.source(FAMILY, "confidence_weights", "out w, in ce, int nt, int b", a -> {
        FloatBuffer w = a.buf(0), ce = a.buf(1);
        int wo = a.off(0), ceo = a.off(1), nt = a.i(2), b = a.i(3);
        Numerics nm = a.numerics();
        for (int r = 0; r < b; r++) {
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int k = 0; k < nt; k++) m = Math.max(m, ce.get(ceo + k * b + r));
            for (int k = 0; k < nt; k++) s += nm.exp(ce.get(ceo + k * b + r) - m);
            for (int k = 0; k < nt; k++) w.put(wo + k * b + r, (float) ((1 - nm.exp(ce.get(ceo + k * b + r) - m) / s) / (nt - 1)));
        }
    });

    /** y_b = Σ_k w[k, b]·x_kb/max(‖x_kb‖, 1e-12) over K stacked teachers. */
    public static final Kernel MIX_ROWS = Kernel.source(FAMILY, "mix_rows", "out y, in w, in x, int nt, int b, int d", a -> {
        FloatBuffer y = a.buf(0), w = a.buf(1), x = a.buf(2);
        int yo = a.off(0), wo = a.off(1), xo = a.off(2), nt = a.i(3), b = a.i(4), d = a.i(5);
        Parallel.range(b, 2 * nt * d, (from, to) -> {
            double[] f = new double[nt];
            for (int r = from; r < to; r++) {
                for (int k = 0; k < nt; k++) {
                    int o = xo + (k * b + r) * d;
                    double n = 0;
                    for (int i = 0; i < d; i++) n += (double) x.get(o + i) * x.get(o + i);
                    f[k] = w.get(wo + k * b + r) / Math.max(Math.sqrt(n), L2Norm.EPS);
                }
                for (int i = 0; i < d; i++) {
                    double acc = 0;
                    for (int k = 0; k < nt; k++) acc += f[k] * x.get(xo + (k * b + r) * d + i);
                    y.put(yo + r * d + i, (float) acc);
                }
            }
        });
    });

    /** y[B, C] = mean over the T frames of x[B, T, C] (time-aligned pooling of a per-frame activation). */
    public static void timeMeanForward(TaskGraph g, View y, View x, int b, int t, int c) {
        y.require(b * c, "time mean y [B, C]");
        x.require(b * t * c, "time mean x [B, T, C]");
        g.task(TIME_MEAN_FWD, Range.of(b * c), y, x, b, t, c);
    }

    /** Accumulates dx[B, T, C] from dy[B, C]. */
    public static void timeMeanBackward(TaskGraph g, View dx, View dy, int b, int t, int c) {
        dx.require(b * t * c, "time mean dx [B, T, C]");
        dy.require(b * c, "time mean dy [B, C]");
        g.task(TIME_MEAN_BWD, Range.of(b * t * c), dx, dy, b, t, c);
    }

    /** Plain MSE of a[N, D] against a frozen t[N, D]: loss[1], da += weight·∂loss/∂a; {@code rows} is scratch of N floats. */
    public static void featureMse(TaskGraph g, View loss, View da, View rows, View a, View t, int n, int d, Object weight) {
        loss.require(1, "feature mse loss");
        rows.require(n, "feature mse rows");
        for (View v : new View[] {da, a, t}) v.require(n * d, "feature mse [N, D]");
        g.task(FEATURE_MSE_ROWS, Range.of(n), rows, da, a, t, n, d, Loss.weight(weight));
        g.task(Loss.MEAN, Range.of(1), loss, rows, n, 1f);
    }

    /** out[0] = the mean of x[n] in index order (a term made of parts reports their mean). */
    public static void mean(TaskGraph g, View out, View x, int n) {
        out.require(1, "mean out");
        x.require(n, "mean x");
        g.task(Loss.MEAN, Range.of(1), out, x, n, 1f);
    }

    /** Scratch floats of {@link #relationalDistance} for a batch of B. */
    public static int relationalScratch(int b) { return 3 * b * b; }

    /**
     * Distance-wise relational KD of s[B, Ds] against a frozen t[B, Dt] (the widths may differ: each side's distances
     * stay in its own space): loss[1], ds += weight·∂loss/∂s.
     */
    public static void relationalDistance(TaskGraph g, View loss, View ds, View scratch, View s, View t, int b, int dS, int dT, Object weight) {
        if (b < 3) throw new IllegalArgumentException("relational KD needs at least 3 samples per batch, got " + b);
        loss.require(1, "relational loss");
        scratch.require(relationalScratch(b), "relational scratch");
        ds.require(b * dS, "relational ds [B, Ds]");
        s.require(b * dS, "relational student [B, Ds]");
        t.require(b * dT, "relational teacher [B, Dt]");
        View distS = scratch.slice(0, b * b), distT = scratch.slice(b * b, b * b), coef = scratch.slice(2 * b * b, b * b);
        g.task(RKD_PDIST, Range.of(b), distS, s, b, dS);
        g.task(RKD_PDIST, Range.of(b), distT, t, b, dT);
        g.task(RKD_DIST_LOSS, Range.of(1), loss, coef, distS, distT, b, Loss.weight(weight));
        g.task(RKD_DIST_GRAD, Range.of(b * dS), ds, coef, s, b, dS);
    }

    /** Scratch floats of {@link #labelKd} for B rows, K classes, D dimensions. */
    public static int labelScratch(int b, int k, int d) { return 2 * b * d + 2 * k * d + 3 * b * k + b; }

    /**
     * Label-level KD: the student's posteriors over its own classifier w[K, D] against the teacher's cosines ct[B, K]
     * (its embeddings against its own head, see {@link #headCosines}); loss[1], dx += weight·∂loss/∂x and dw likewise.
     */
    public static void labelKd(TaskGraph g, View loss, View dx, View dw, View scratch, View x, View w, View ct, int b, int k, int d,
                               float scale, float tau, Object weight) {
        if (!(tau > 0)) throw new IllegalArgumentException("label KD temperature must be positive: " + tau);
        loss.require(1, "label KD loss");
        scratch.require(labelScratch(b, k, d), "label KD scratch");
        ct.require(b * k, "label KD teacher cosines [B, K]");
        View xn = scratch.slice(0, b * d), wn = scratch.slice(b * d, k * d), cs = scratch.slice(b * d + k * d, b * k),
                dcs = scratch.slice(b * d + k * d + b * k, b * k), dxn = scratch.slice(b * d + k * d + 2 * b * k, b * d),
                dwn = scratch.slice(2 * b * d + k * d + 2 * b * k, k * d), rows = scratch.slice(2 * b * d + 2 * k * d + 2 * b * k, b);
        Loss.cosines(g, cs, xn, wn, x, w, b, k, d);
        Tensor.fill(g, dcs, 0f);
        g.task(LABEL_KD_ROWS, Range.of(b), rows, dcs, cs, ct, b, k, scale, tau, Loss.weight(weight));
        g.task(Loss.MEAN, Range.of(1), loss, rows, b, 1f);
        Loss.cosinesBackward(g, dx, dw, dxn, dwn, dcs, xn, wn, x, w, b, k, d);
    }

    /** Scratch floats of {@link #headCosines} (B rows, K classes, D dimensions). */
    public static int headScratch(int b, int k, int d) { return b * d + k * d; }

    /** cos[B, K] of frozen embeddings x[B, D] against a frozen classifier head w[K, D] (a teacher's). */
    public static void headCosines(TaskGraph g, View cos, View scratch, View x, View w, int b, int k, int d) {
        scratch.require(headScratch(b, k, d), "head cosines scratch");
        Loss.cosines(g, cos, scratch.slice(0, b * d), scratch.slice(b * d, k * d), x, w, b, k, d);
    }

    /**
     * Per-row cross-entropy ce[B] of the logits scale·cos[B, K] (no margin) against the labels: a teacher's fit to the
     * label. {@code scratch} holds B·K + B floats.
     */
    public static void crossEntropyRows(TaskGraph g, View ce, View scratch, View cos, View labels, int b, int k, float scale) {
        ce.require(b, "cross-entropy rows");
        scratch.require(b * k + b, "cross-entropy scratch");
        labels.require(b, "labels");
        g.task(Loss.MARGIN_CE, Range.of(b), ce, scratch.slice(b * k, b), scratch.slice(0, b * k), cos, labels, b, k, 1, 0f, scale, 0f);
    }

    /** w[K, B] = per-sample teacher weights from the cross-entropies ce[K, B] (K ≥ 2). */
    public static void confidenceWeights(TaskGraph g, View w, View ce, int teachers, int b) {
        if (teachers < 2) throw new IllegalArgumentException("confidence weights need at least two teachers, got " + teachers);
        w.require(teachers * b, "teacher weights [K, B]");
        ce.require(teachers * b, "teacher cross-entropies [K, B]");
        g.task(CONFIDENCE_WEIGHTS, Range.of(1), w, ce, teachers, b);
    }

    /** y[B, D] = Σ_k w[k, b]·unit(x[k, b]) over K stacked teacher embeddings x[K, B, D]. */
    public static void mix(TaskGraph g, View y, View w, View x, int teachers, int b, int d) {
        y.require(b * d, "mixed target [B, D]");
        w.require(teachers * b, "teacher weights [K, B]");
        x.require(teachers * b * d, "stacked teachers [K, B, D]");
        g.task(MIX_ROWS, Range.of(b * d), y, w, x, teachers, b, d);
    }
}
