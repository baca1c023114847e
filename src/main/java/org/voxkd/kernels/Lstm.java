package org.voxkd.kernels;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Range;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.engine.cpu.Simd;

/**
 * One bidirectional LSTM layer with PyTorch's equations and gate layout (tornado-kernels/lstm.cl for the cell
 * kernels, GEMM for the rest). Zero initial states; the model stacks layers (and applies dropout between them).
 * Activations are row-major, row {@code b·T + t}: input x[B, T, In], output y[B, T, 2H] with the forward
 * direction in channels 0..H−1 and the reverse direction in H..2H−1. Per direction, weights
 * W_ih [4H, In], W_hh [4H, H], b_ih [4H], b_hh [4H], gate blocks in the order i, f, g, o.
 *
 * <pre>
 * forward, per direction (steps s = 0..T−1 visit t = s, or t = T−1−s for the reverse direction):
 *   gates[B,T,4H] = x·W_ihᵀ + b_ih + b_hh                          one GEMM over all rows, two bias adds
 *   for each step t (previous step tp, next step tn in visiting order):
 *     gates[:,t] += hprev[:,t]·W_hhᵀ          (not at the first step)  GEMM, M = B rows strided by T·4H
 *     lstm_cell_fwd: i,f,o = σ(·), g = tanh(·) written back in place over gates[:,t]
 *                    c[:,t] = f⊙c[:,tp] + i⊙g,  h = o⊙tanh(c[:,t])
 *                    y[:,t, dir·H ..] = h,  hprev[:,tn] = h  (hprev[:,first] = 0)
 *   saved for the backward: gates (activated), cells c, hprev (the h each step started from)
 *
 * backward, per direction, steps in reverse visiting order:
 *   lstm_cell_bwd at t: dh = dy[:,t] + dhrec,  dc = dcrec + dh⊙o⊙(1 − tanh²c)
 *                       dgates[:,t] = (dc⊙g⊙i(1−i), dc⊙c[:,tp]⊙f(1−f), dc⊙i⊙(1−g²), dh⊙tanh c⊙o(1−o))
 *                       dcrec = dc⊙f
 *   dhrec[B,H] = dgates[:,t]·W_hh              (not after the last) GEMM, overwrites
 *   after the loop:  dW_hh += dgatesᵀ·hprev    (one GEMM over all steps: hprev rows line up with dgates rows)
 *                    dW_ih += dgatesᵀ·x,  db_ih += Σ dgates,  db_hh += Σ dgates,  dx += dgates·W_ih
 * </pre>
 *
 * Per layer the caller provides saved views {@code gates} [2·B·T·4H], {@code cells} and {@code hprev}
 * [2·B·T·H] each (direction d at offset d·B·T·4H, resp. d·B·T·H), and for the backward a scratch view of
 * {@link #scratchSize} floats, reused by both directions.
 */
public final class Lstm {
    private Lstm() {}

    static final String FAMILY = "lstm";

    /** The weights (or their gradients) of one direction of one layer. */
    public record Params(View wih, View whh, View bih, View bhh) {
        void check(String what, int in, int h) {
            wih.require(4 * h * in, what + " W_ih [4H, In]");
            whh.require(4 * h * h, what + " W_hh [4H, H]");
            bih.require(4 * h, what + " b_ih [4H]");
            bhh.require(4 * h, what + " b_hh [4H]");
        }
    }

    /** Floats of the saved {@code gates} view of one layer. */
    public static int gatesSize(int batch, int t, int h) { return 2 * batch * t * 4 * h; }

    /** Floats of the saved {@code cells} and of the saved {@code hprev} view of one layer. */
    public static int stateSize(int batch, int t, int h) { return 2 * batch * t * h; }

    /** Floats of the backward scratch: dgates [B·T·4H], dhrec [B·H], dcrec [B·H]. */
    public static int scratchSize(int batch, int t, int h) { return batch * t * 4 * h + 2 * batch * h; }

    /**
     * One time step of the cell for every batch item (sp/sn, the previous/next step in visiting order, −1 at the
     * first/last step). Reads the gate
     * pre-activations of row (b, t) and writes them back activated; writes c, h (into y at channel yOff of a
     * row of yStride floats) and the next step's hprev row.
     */
    public static final Kernel CELL_FWD = Kernel.source(FAMILY, "lstm_cell_fwd", "inout gates, inout cells, out hprev, out y, int batch, int t, int h, int ys, int yOff, int s, int sp, int sn", a -> {
        FloatBuffer gs = a.buf(0), cs = a.buf(1), hp = a.buf(2), y = a.buf(3);
        int go = a.off(0), co = a.off(1), ho = a.off(2), yo = a.off(3);
        int batch = a.i(4), t = a.i(5), h = a.i(6), ys = a.i(7), yOff = a.i(8), s = a.i(9), sp = a.i(10), sn = a.i(11);
        Parallel.range(batch, 12 * h, (from, to) -> {
            float[] pre = Simd.scratch(0, 4 * h), act = Simd.scratch(1, 4 * h), cp = Simd.scratch(2, h), c = Simd.scratch(3, h),
                    th = Simd.scratch(4, h);
            int hb = Simd.vectorBound(h);
            if (sp < 0) java.util.Arrays.fill(cp, 0f);
            for (int b = from; b < to; b++) {
                int row = b * t + s, gr = go + row * 4 * h;
                gs.get(gr, pre, 0, 4 * h);
                // i, f | g | o, in this order: each range's vector tail spills into the next range, which then overwrites it.
                Simd.sigmoid(pre, act, 0, Simd.vectorBound(2 * h));
                Simd.tanh(pre, act, 2 * h, 2 * h + hb);
                Simd.sigmoid(pre, act, 3 * h, 3 * h + hb);
                gs.put(gr, act, 0, 4 * h);
                if (sp >= 0) cs.get(co + (b * t + sp) * h, cp, 0, h);
                for (int j = 0; j < hb; j += Simd.LANES) {
                    FloatVector i = FloatVector.fromArray(Simd.F, act, j), f = FloatVector.fromArray(Simd.F, act, h + j);
                    FloatVector g = FloatVector.fromArray(Simd.F, act, 2 * h + j);
                    f.mul(FloatVector.fromArray(Simd.F, cp, j)).add(i.mul(g)).intoArray(c, j);
                }
                Simd.tanh(c, th, 0, hb);
                for (int j = 0; j < hb; j += Simd.LANES)
                    FloatVector.fromArray(Simd.F, act, 3 * h + j).mul(FloatVector.fromArray(Simd.F, th, j)).intoArray(th, j);
                cs.put(co + row * h, c, 0, h);
                y.put(yo + row * ys + yOff, th, 0, h);
                if (sn >= 0) hp.put(ho + (b * t + sn) * h, th, 0, h);
                if (sp < 0) hp.put(ho + row * h, cp, 0, h);
            }
        });
    });

    /**
     * Backward of one step.
     * Overwrites dgates row (b, t) and dc [B, H]; reads dh [B, H] and dc as the recurrent gradients from the step
     * after t in visiting order (none when tNext = −1).
     */
    public static final Kernel CELL_BWD = Kernel.source(FAMILY, "lstm_cell_bwd", "out dgates, inout dcs, in dhs, in dy, in gates, in cells, int batch, int t, int h, int ys, int yOff, int s, int sp, int sn", a -> {
        FloatBuffer dgs = a.buf(0), dcs = a.buf(1), dhs = a.buf(2), dy = a.buf(3), gs = a.buf(4), cs = a.buf(5);
        int dgo = a.off(0), dco = a.off(1), dho = a.off(2), dyo = a.off(3), go = a.off(4), co = a.off(5);
        int batch = a.i(6), t = a.i(7), h = a.i(8), ys = a.i(9), yOff = a.i(10), s = a.i(11), sp = a.i(12), sn = a.i(13);
        int hb = Simd.vectorBound(h);
        // Scratch rows of hb floats (whole vectors, so no row's vector tail runs into the next): 0–3 gates i, f, g, o
        // (activated); 4–7 their gradients; 8 c_prev; 9 dh and 10 dc from the next step in visiting order (0 at the
        // last); 11 dy; 12 dc to the previous step. c and tanh(c) in arrays of their own (Simd.tanh maps index to index).
        int gi = 0, dgi = 4 * hb, cp = 8 * hb, dhn = 9 * hb, dcn = 10 * hb, dyr = 11 * hb, dcp = 12 * hb;
        Parallel.range(batch, 16 * h, (from, to) -> {
            float[] w = Simd.scratch(0, 13 * hb), c = Simd.scratch(1, hb), tc = Simd.scratch(2, hb);
            java.util.Arrays.fill(w, 0, 13 * hb, 0f);
            for (int b = from; b < to; b++) {
                int row = b * t + s;
                for (int q = 0; q < 4; q++) gs.get(go + row * 4 * h + q * h, w, gi + q * hb, h);
                cs.get(co + row * h, c, 0, h);
                if (sp >= 0) cs.get(co + (b * t + sp) * h, w, cp, h);
                if (sn >= 0) {
                    dhs.get(dho + b * h, w, dhn, h);
                    dcs.get(dco + b * h, w, dcn, h);
                }
                dy.get(dyo + row * ys + yOff, w, dyr, h);
                // tanh(c) by the forward's own function: the backward differentiates what the forward computed, with the
                // same bits in both numerics modes and on every CPU (no Math/StrictMath call).
                Simd.tanh(c, tc, 0, hb);
                FloatVector one = FloatVector.broadcast(Simd.F, 1f);
                for (int j = 0; j < hb; j += Simd.LANES) {
                    FloatVector i = FloatVector.fromArray(Simd.F, w, gi + j), f = FloatVector.fromArray(Simd.F, w, gi + hb + j);
                    FloatVector g = FloatVector.fromArray(Simd.F, w, gi + 2 * hb + j), o = FloatVector.fromArray(Simd.F, w, gi + 3 * hb + j);
                    FloatVector th = FloatVector.fromArray(Simd.F, tc, j);
                    FloatVector dh = FloatVector.fromArray(Simd.F, w, dyr + j).add(FloatVector.fromArray(Simd.F, w, dhn + j));
                    FloatVector dc = FloatVector.fromArray(Simd.F, w, dcn + j).add(dh.mul(o).mul(one.sub(th.mul(th))));
                    dc.mul(g).mul(i).mul(one.sub(i)).intoArray(w, dgi + j);
                    dc.mul(FloatVector.fromArray(Simd.F, w, cp + j)).mul(f).mul(one.sub(f)).intoArray(w, dgi + hb + j);
                    dc.mul(i).mul(one.sub(g.mul(g))).intoArray(w, dgi + 2 * hb + j);
                    dh.mul(th).mul(o).mul(one.sub(o)).intoArray(w, dgi + 3 * hb + j);
                    dc.mul(f).intoArray(w, dcp + j);
                }
                for (int q = 0; q < 4; q++) dgs.put(dgo + row * 4 * h + q * h, w, dgi + q * hb, h);
                dcs.put(dco + b * h, w, dcp, h);
            }
        });
    });

    /**
     * Forward of one bidirectional layer: y[B, T, 2H] from x[B, T, In]; fills the saved views gates, cells and
     * hprev (sizes {@link #gatesSize}, {@link #stateSize}).
     */
    public static void lstmLayerForward(TaskGraph g, View y, View gates, View cells, View hprev, View x,
                                        Params fwd, Params bwd, int batch, int t, int in, int h) {
        checkLayer(batch, t, in, h, y, gates, cells, hprev, x, fwd, bwd, "weights");
        for (int d = 0; d < 2; d++) {
            try (TaskGraph.Scope ignored = g.scope(d == 0 ? "dir_fwd" : "dir_rev")) {
                directionForward(g, y, gates.slice(d * batch * t * 4 * h, batch * t * 4 * h), cells.slice(d * batch * t * h, batch * t * h),
                        hprev.slice(d * batch * t * h, batch * t * h), x, d == 0 ? fwd : bwd, batch, t, in, h, d == 1);
            }
        }
    }

    /**
     * Backward of one bidirectional layer: accumulates dx (skipped when null) and the weight gradients dFwd, dBwd
     * from dy[B, T, 2H], using the saved views of the forward and {@code scratch} ({@link #scratchSize} floats,
     * overwritten).
     */
    public static void lstmLayerBackward(TaskGraph g, View dx, Params dFwd, Params dBwd, View scratch, View dy, View x,
                                         View gates, View cells, View hprev, Params fwd, Params bwd,
                                         int batch, int t, int in, int h) {
        checkLayer(batch, t, in, h, dy, gates, cells, hprev, x, fwd, bwd, "weights");
        dFwd.check("lstm forward-direction gradient", in, h);
        dBwd.check("lstm reverse-direction gradient", in, h);
        if (dx != null) dx.require(batch * t * in, "lstm dx [B, T, In]");
        scratch.require(scratchSize(batch, t, h), "lstm backward scratch");
        int rows = batch * t;
        View dgates = scratch.slice(0, rows * 4 * h), dh = scratch.slice(rows * 4 * h, batch * h),
                dc = scratch.slice(rows * 4 * h + batch * h, batch * h);
        for (int d = 0; d < 2; d++) {
            try (TaskGraph.Scope ignored = g.scope(d == 0 ? "dir_fwd" : "dir_rev")) {
                directionBackward(g, dx, d == 0 ? dFwd : dBwd, dgates, dh, dc, dy, x, gates.slice(d * rows * 4 * h, rows * 4 * h),
                        cells.slice(d * rows * h, rows * h), hprev.slice(d * rows * h, rows * h), d == 0 ? fwd : bwd,
                        batch, t, in, h, d == 1);
            }
        }
    }

    /** Step s of the visiting order as {t, tPrev, tNext}, −1 where there is none. */
    private static int[] step(int s, int t, boolean reverse) {
        int tt = reverse ? t - 1 - s : s, dir = reverse ? -1 : 1;
        return new int[] {tt, s == 0 ? -1 : tt - dir, s == t - 1 ? -1 : tt + dir};
    }

    private static void directionForward(TaskGraph g, View y, View gates, View cells, View hprev, View x, Params p,
                                         int batch, int t, int in, int h, boolean reverse) {
        int rows = batch * t, g4 = 4 * h;
        Blas.gemm(g, false, true, rows, g4, in, 1f, x, in, p.wih(), in, 0f, gates, g4);
        Linear.biasAdd(g, gates, p.bih(), rows, g4);
        Linear.biasAdd(g, gates, p.bhh(), rows, g4);
        for (int s = 0; s < t; s++) {
            int[] st = step(s, t, reverse);
            // Rows (b, t) of all batch items at once: the batch stride is a whole sequence (T rows).
            if (s > 0)
                Blas.gemm(g, false, true, batch, g4, h, 1f, tail(hprev, st[0] * h), t * h, p.whh(), h,
                        1f, tail(gates, st[0] * g4), t * g4);
            g.task(CELL_FWD, Range.of(batch * h), gates, cells, hprev, y, batch, t, h, 2 * h, reverse ? h : 0, st[0], st[1], st[2]);
        }
    }

    private static void directionBackward(TaskGraph g, View dx, Params d, View dgates, View dh, View dc, View dy, View x,
                                          View gates, View cells, View hprev, Params p,
                                          int batch, int t, int in, int h, boolean reverse) {
        int rows = batch * t, g4 = 4 * h;
        for (int s = t - 1; s >= 0; s--) {
            int[] st = step(s, t, reverse);
            g.task(CELL_BWD, Range.of(batch * h), dgates, dc, dh, dy, gates, cells, batch, t, h, 2 * h, reverse ? h : 0,
                    st[0], st[1], st[2]);
            if (s > 0) Blas.gemm(g, false, false, batch, h, g4, 1f, tail(dgates, st[0] * g4), t * g4, p.whh(), h, 0f, dh, h);
        }
        // hprev row (b, t) is the state step t started from (zero at the first), so one GEMM covers every step.
        Blas.gemm(g, true, false, g4, h, rows, 1f, dgates, g4, hprev, h, 1f, d.whh(), h);
        Linear.biasGrad(g, d.bhh(), dgates, rows, g4);
        Linear.backward(g, dx, d.wih(), d.bih(), dgates, x, p.wih(), rows, in, g4);
    }

    /** The view from {@code from} to its end (the first row of a strided GEMM operand). */
    private static View tail(View v, int from) { return v.slice(from, v.length() - from); }

    private static void checkLayer(int batch, int t, int in, int h, View y, View gates, View cells, View hprev, View x,
                                   Params fwd, Params bwd, String what) {
        if (batch <= 0 || t <= 0 || in <= 0 || h <= 0)
            throw new IllegalArgumentException("lstm: sizes must be positive, got B=" + batch + " T=" + t + " In=" + in + " H=" + h);
        y.require(batch * t * 2 * h, "lstm y/dy [B, T, 2H]");
        x.require(batch * t * in, "lstm x [B, T, In]");
        gates.require(gatesSize(batch, t, h), "lstm saved gates [2, B, T, 4H]");
        cells.require(stateSize(batch, t, h), "lstm saved cells [2, B, T, H]");
        hprev.require(stateSize(batch, t, h), "lstm saved hprev [2, B, T, H]");
        fwd.check("lstm forward-direction " + what, in, h);
        bwd.check("lstm reverse-direction " + what, in, h);
    }
}
