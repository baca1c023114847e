package org.voxkd.kernels;

import java.nio.FloatBuffer;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.Range;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.Parallel;

/**
 * Losses on embeddings (tornado-kernels/loss.cl): margin-softmax classification (AAM, AM) and the three
 * distillation losses of the spec. Each loss's forward also produces its gradient, already multiplied by
 * a {@code weight} (the term's share of the total, e.g. (1 − α)/accumulation), so combining terms is
 * adding gradients: the chain rule of {@code total = Σ w_i·L_i} without a separate pass.
 *
 * <pre>
 *   classification: labels checked (check_labels → a status the host reads after the step)
 *                   xn = x/|x|, wn = W/|W| (rows) ─ cos[B,K] = xn·wnᵀ ─ margin_ce: loss_b, correct_b, dcos (·w/B)
 *                   ─ mean ─► loss, accuracy(%)        backward: dxn = dcos·wn, dwn = dcosᵀ·xn, through the norms
 *   distillation:   kd_rows: loss_b and ds_b += w/B · ∂loss_b/∂s (teacher t gets none) ─ mean ─► loss
 * </pre>
 */
public final class Loss {
    private Loss() {}

    static final String FAMILY = "loss";

    /** The margin of the target logit. */
    public enum Margin {
        /** Additive angular margin: cos(θ + m), with voxceleb_trainer's fallback below θ = π − m. */
        AAM,
        /** Additive margin: cos θ − m. */
        AM
    }

    /** The distillation losses of the spec. */
    public enum Distillation {
        /** mean over the batch of 1 − cos(s, t). */
        COSINE,
        /** mean over the batch and the D dimensions of (ŝ/τ − t̂/τ)², ŝ and t̂ unit length. */
        MSE,
        /** τ²·KL(softmax(t/τ) ‖ softmax(s/τ)), mean over the batch. */
        KL,
        /**
         * {@link #MSE} multiplied by D·τ²/2: since MSE = (2 − 2cos)/(D·τ²) per sample for unit vectors, this is the cosine
         * loss analytically (value and gradient); it differs from {@link #COSINE} only in float rounding.
         */
        MSE_RESCALED;

        /** The factor this loss applies to the kernel's value and gradient (the kernel computes the loss of {@link #kernel()}). */
        public double scale(int d, float tau) { return this == MSE_RESCALED ? d * (double) tau * tau / 2 : 1; }

        /** The kernel formula this loss evaluates. */
        public Distillation kernel() { return this == MSE_RESCALED ? MSE : this; }
    }

    /**
     * Per row of cos[B, K] with target y_b: the margin logit, softmax cross-entropy, top-1 correctness, and
     * dcos = weight/B · s·(p − onehot) (target column times ∂phi/∂cos); margin kind 0 AAM, 1 AM.
     */
    public static final Kernel MARGIN_CE = Kernel.source(FAMILY, "margin_ce", "out rl, out cr, out dc, in cs, in lb, int b, int k, int kind, float m, float s, float weight", a -> {
        FloatBuffer rl = a.buf(0), cr = a.buf(1), dc = a.buf(2), cs = a.buf(3), lb = a.buf(4);
        int rlo = a.off(0), cro = a.off(1), dco = a.off(2), cso = a.off(3), lbo = a.off(4);
        int b = a.i(5), k = a.i(6), kind = a.i(7);
        float m = a.f(8), s = a.f(9), weight = a.f(10);
        // exp/log: StrictMath in portable numerics (Numerics); the margin's constants always (once per launch, free).
        Numerics nm = a.numerics();
        double cosM = StrictMath.cos(m), sinM = StrictMath.sin(m), th = StrictMath.cos(Math.PI - m), mm = StrictMath.sin(Math.PI - m) * m;
        Parallel.range(b, 4 * k, (from, to) -> {
            for (int r = from; r < to; r++) {
                float yf = lb.get(lbo + r);
                int row = r * k, y = yf >= 0 && yf < k ? (int) yf : 0; // bad labels are flagged by check_labels; never read out of bounds
                double c = cs.get(cso + row + y), phi, dphi;
                if (kind == 0) {
                    double sin = Math.sqrt(Math.min(1, Math.max(0, 1 - c * c)));
                    if (c - th > 0) {
                        phi = c * cosM - sin * sinM;
                        dphi = cosM + (sin > 1e-12 ? sinM * c / sin : 0);
                    } else {
                        phi = c - mm;
                        dphi = 1;
                    }
                } else {
                    phi = c - m;
                    dphi = 1;
                }
                double max = Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int j = 0; j < k; j++) {
                    double z = s * (j == y ? phi : cs.get(cso + row + j));
                    if (z > max) { max = z; arg = j; }
                }
                double sum = 0;
                for (int j = 0; j < k; j++) sum += nm.exp(s * (j == y ? phi : cs.get(cso + row + j)) - max);
                double lse = max + nm.log(sum), g = weight / (double) b;
                rl.put(rlo + r, (float) (lse - s * phi));
                cr.put(cro + r, arg == y ? 1f : 0f);
                for (int j = 0; j < k; j++) {
                    double z = s * (j == y ? phi : cs.get(cso + row + j)), p = nm.exp(z - lse);
                    double d = j == y ? g * s * (p - 1) * dphi : g * s * p;
                    dc.put(dco + row + j, (float) d);
                }
            }
        });
    });

    /**
     * The label check of a batch, one work item, rows in order: status[0] = 1 + the first row whose label is not a
     * class index in [0, K) (NaN, negative, too large, fractional), status[1] = that label; both 0 when every label is
     * good. The host reads the status after the step ({@link #requireLabels}): the same error on every backend.
     */
    public static final Kernel CHECK_LABELS = Kernel.source(FAMILY, "check_labels", "out st, in lb, int b, int k", a -> {
        FloatBuffer st = a.buf(0), lb = a.buf(1);
        int so = a.off(0), lbo = a.off(1), b = a.i(2), k = a.i(3);
        float bad = 0, label = 0;
        for (int r = 0; r < b; r++) {
            float y = lb.get(lbo + r);
            if (!(y >= 0 && y < k && y == (float) Math.floor(y))) {
                bad = r + 1;
                label = y;
                break;
            }
        }
        st.put(so, bad);
        st.put(so + 1, label);
    });

    /** Throws when a label status read back from the device ({@link #labelStatus}) reports a bad label. */
    public static void requireLabels(float[] status, int classes) {
        if (status[0] != 0)
            throw new IllegalArgumentException("batch row " + (int) (status[0] - 1) + " has label " + status[1] + ", which is not a class index in [0, "
                    + classes + ")");
    }

    /** The two floats of the classification scratch holding the label status of the last forward ({@link #CHECK_LABELS}). */
    public static View labelStatus(View scratch, int b, int k, int d) {
        return new Parts(scratch, b, k, d).status;
    }

    /**
     * Per row: the distillation loss of student s_b against teacher t_b, and ds_b += weight/B·∂loss_b/∂s_b.
     * kind: 0 cosine, 1 mse, 2 kl.
     */
    public static final Kernel KD_ROWS = Kernel.source(FAMILY, "kd_rows", "out rl, inout ds, in sv, in tv, int b, int d, int kind, float tau, float weight", a -> {
        FloatBuffer rl = a.buf(0), ds = a.buf(1), sv = a.buf(2), tv = a.buf(3);
        int rlo = a.off(0), dso = a.off(1), so = a.off(2), to = a.off(3), b = a.i(4), d = a.i(5), kind = a.i(6);
        float tau = a.f(7), weight = a.f(8);
        Numerics nm = a.numerics();
        Parallel.range(b, 8 * d, (from, to2) -> {
            for (int r = from; r < to2; r++) {
                int row = r * d;
                double g = weight / (double) b;
                if (kind == 2) {
                    double ms = Double.NEGATIVE_INFINITY, mt = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < d; i++) {
                        ms = Math.max(ms, sv.get(so + row + i) / tau);
                        mt = Math.max(mt, tv.get(to + row + i) / tau);
                    }
                    double zs = 0, zt = 0;
                    for (int i = 0; i < d; i++) {
                        zs += nm.exp(sv.get(so + row + i) / tau - ms);
                        zt += nm.exp(tv.get(to + row + i) / tau - mt);
                    }
                    double lzs = ms + nm.log(zs), lzt = mt + nm.log(zt), kl = 0;
                    for (int i = 0; i < d; i++) {
                        double lp = tv.get(to + row + i) / tau - lzt, lq = sv.get(so + row + i) / tau - lzs, p = nm.exp(lp);
                        kl += p * (lp - lq);
                        ds.put(dso + row + i, (float) (ds.get(dso + row + i) + g * tau * (nm.exp(lq) - p)));
                    }
                    rl.put(rlo + r, (float) (tau * tau * kl));
                    continue;
                }
                double ss = 0, tt = 0, st = 0;
                for (int i = 0; i < d; i++) {
                    double x = sv.get(so + row + i), y = tv.get(to + row + i);
                    ss += x * x;
                    tt += y * y;
                    st += x * y;
                }
                double ns = Math.max(Math.sqrt(ss), 1e-12), nt = Math.max(Math.sqrt(tt), 1e-12);
                if (kind == 1) {
                    // The seed's mse as it wrote it: the mean over D of (ŝ/τ − t̂/τ)² on the float unit vectors,
                    // element by element (mathematically (2 − 2cos)/(D·τ²), but not the same floating-point computation).
                    double acc = 0, dot = 0;
                    for (int i = 0; i < d; i++) {
                        float us = (float) (sv.get(so + row + i) / ns), ut = (float) (tv.get(to + row + i) / nt), e = us / tau - ut / tau;
                        acc += (double) e * e;
                        dot += (double) us * e;
                    }
                    rl.put(rlo + r, (float) (acc / d));
                    double gs = 2 * g / (tau * (double) d); // ∂loss/∂ŝ_i = 2·e_i/(τ·D), times the term's weight over B
                    for (int i = 0; i < d; i++) {
                        float us = (float) (sv.get(so + row + i) / ns), ut = (float) (tv.get(to + row + i) / nt), e = us / tau - ut / tau;
                        // through ŝ = s/|s|: ∂/∂s = (∂/∂ŝ − ŝ·(ŝ·∂/∂ŝ))/|s|
                        ds.put(dso + row + i, (float) (ds.get(dso + row + i) + gs * (e - us * dot) / ns));
                    }
                    continue;
                }
                double cos = st / (ns * nt);
                rl.put(rlo + r, (float) (1 - cos));
                double dcos = -g; // ∂loss/∂cos, times the term's weight
                for (int i = 0; i < d; i++) {
                    double x = sv.get(so + row + i), y = tv.get(to + row + i);
                    double dx = (y / (ns * nt) - cos * x / (ns * ns)) * dcos;
                    ds.put(dso + row + i, (float) (ds.get(dso + row + i) + dx));
                }
            }
        });
    });

    /** out[0] = scale·Σ_i x[i]/n in index order (double accumulator). */
    public static final Kernel MEAN = Kernel.source(FAMILY, "mean_scaled", "out out, in x, int n, float scale", a -> {
        FloatBuffer x = a.buf(1);
        int xo = a.off(1), n = a.i(2);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x.get(xo + i);
        a.buf(0).put(a.off(0), (float) (a.f(3) * sum / n));
    });

    /** Scratch floats the classification loss needs for B rows, K classes, D dimensions. */
    public static int classificationScratch(int b, int k, int d) { return 2 * b * d + 2 * k * d + 2 * b * k + 2 * b + 2; }

    /**
     * Margin-softmax cross-entropy of embeddings x[B, D] against class weights w[K, D] and labels[B]: writes
     * loss and accuracy (percent, one float each) and keeps in {@code scratch} what {@link #classificationBackward}
     * needs (the gradient, already scaled by {@code weight}).
     */
    public static void classificationForward(TaskGraph g, View loss, View accuracy, View scratch, View x, View w, View labels,
                                             int b, int k, int d, Margin margin, float m, float s, Object weight) {
        loss.require(1, "classification loss");
        accuracy.require(1, "classification accuracy");
        x.require(b * d, "classification embeddings [B, D]");
        w.require(k * d, "classification weights [K, D]");
        labels.require(b, "classification labels [B]");
        scratch.require(classificationScratch(b, k, d), "classification scratch");
        Parts p = new Parts(scratch, b, k, d);
        g.task(CHECK_LABELS, Range.of(1), p.status, labels, b, k);
        cosines(g, p.cos, p.xn, p.wn, x, w, b, k, d);
        g.task(MARGIN_CE, Range.of(b), p.rowLoss, p.correct, p.dcos, p.cos, labels, b, k, margin == Margin.AAM ? 0 : 1, m, s, weight(weight));
        g.task(MEAN, Range.of(1), loss, p.rowLoss, b, 1f);
        g.task(MEAN, Range.of(1), accuracy, p.correct, b, 100f);
    }

    /** Accumulates dx[B, D] and dw[K, D] from the gradient kept by the forward. */
    public static void classificationBackward(TaskGraph g, View dx, View dw, View scratch, View x, View w, int b, int k, int d) {
        Parts p = new Parts(scratch, b, k, d);
        cosinesBackward(g, dx, dw, p.dxn, p.dwn, p.dcos, p.xn, p.wn, x, w, b, k, d);
    }

    /** cos[B, K] = (x/|x|)·(w/|w|)ᵀ over rows, keeping the unit rows xn[B, D] and wn[K, D] for the backward. */
    public static void cosines(TaskGraph g, View cos, View xn, View wn, View x, View w, int b, int k, int d) {
        L2Norm.forward(g, xn, x, b, d);
        L2Norm.forward(g, wn, w, k, d);
        Blas.gemm(g, false, true, b, k, d, 1f, xn, d, wn, d, 0f, cos, k);
    }

    /**
     * Accumulates dx[B, D] and (when non-null) dw[K, D] from dcos[B, K] through {@link #cosines}; dxn and dwn are
     * scratch of B·D and K·D floats.
     */
    public static void cosinesBackward(TaskGraph g, View dx, View dw, View dxn, View dwn, View dcos, View xn, View wn, View x, View w,
                                       int b, int k, int d) {
        Blas.gemm(g, false, false, b, d, k, 1f, dcos, k, wn, d, 0f, dxn, d);
        L2Norm.backward(g, dx, dxn, x, b, d);
        if (dw == null) return;
        Blas.gemm(g, true, false, k, d, b, 1f, dcos, k, xn, d, 0f, dwn, d);
        L2Norm.backward(g, dw, dwn, w, k, d);
    }

    /** The carving of the classification scratch. */
    private record Parts(View xn, View wn, View cos, View dcos, View dxn, View dwn, View rowLoss, View correct, View status) {
        Parts(View s, int b, int k, int d) {
            this(s.slice(0, b * d), s.slice(b * d, k * d), s.slice(b * d + k * d, b * k), s.slice(b * d + k * d + b * k, b * k),
                    s.slice(b * d + k * d + 2 * b * k, b * d), s.slice(2 * b * d + k * d + 2 * b * k, k * d),
                    s.slice(2 * b * d + 2 * k * d + 2 * b * k, b), s.slice(2 * b * d + 2 * k * d + 2 * b * k + b, b),
                    s.slice(2 * b * d + 2 * k * d + 2 * b * k + 2 * b, 2));
        }
    }

    /**
     * A distillation loss of student embeddings s[B, D] against a frozen teacher's t[B, D]: writes the loss and
     * accumulates ds += weight·∂loss/∂s. {@code rows} is scratch of B floats. A kind with a scale (MSE_RESCALED)
     * needs a constant weight here; a changing one goes through {@link #distillationScaled}.
     */
    public static void distillation(TaskGraph g, View loss, View ds, View rows, View s, View t, int b, int d, Distillation kind,
                                    float tau, Object weight) {
        float k = scale(kind, d, tau);
        Object w = weight(weight);
        if (k != 1f) {
            if (!(w instanceof Float f)) throw new IllegalArgumentException(kind + " with a changing weight: pass weight × scale to distillationScaled");
            w = f * k;
        }
        distillationScaled(g, loss, ds, rows, s, t, b, d, kind, tau, w);
    }

    /**
     * As {@link #distillation}, but {@code scaledWeight} already includes the kind's scale ({@link Distillation#scale}):
     * how a term with a scheduled weight (a {@link Scalar} set each epoch) records a scaled kind.
     */
    public static void distillationScaled(TaskGraph g, View loss, View ds, View rows, View s, View t, int b, int d, Distillation kind,
                                          float tau, Object scaledWeight) {
        loss.require(1, "distillation loss");
        ds.require(b * d, "distillation ds");
        rows.require(b, "distillation rows");
        s.require(b * d, "distillation student [B, D]");
        t.require(b * d, "distillation teacher [B, D]");
        float k = scale(kind, d, tau);
        g.task(KD_ROWS, Range.of(b), rows, ds, s, t, b, d, kind.kernel().ordinal(), tau, weight(scaledWeight));
        g.task(MEAN, Range.of(1), loss, rows, b, k);
    }

    /** The factor a kind multiplies its loss by (1 but for MSE_RESCALED); checks the temperature. */
    public static float scale(Distillation kind, int d, float tau) {
        if (!(tau > 0)) throw new IllegalArgumentException("distillation temperature must be positive: " + tau);
        return (float) kind.scale(d, tau);
    }

    static Object weight(Object w) {
        if (w instanceof Float || (w instanceof Scalar sc && !sc.isInt())) return w;
        throw new IllegalArgumentException("a loss weight is a Float or a float Scalar, got " + w);
    }
}
