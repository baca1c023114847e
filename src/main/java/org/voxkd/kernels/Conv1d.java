package org.voxkd.kernels;

import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Range;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuArgs;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.engine.cpu.Simd;

/**
 * Convolutions over time on row-major {@code [B, T, C]} activations (tornado-kernels/conv1d.cl for the
 * im2col and depthwise kernels, GEMM for the rest). Row {@code r = b·T + t}; its time neighbours are
 * rows {@code r ± 1} of the same batch item, and frames outside {@code [0, T)} are zero padding, so a
 * convolution never reads across from one batch item into the next.
 *
 * <pre>
 *   conv3, kernel 3, padding 1 (W [Cout, Cin, 3] seen as [Cout, Cin·3]):
 *     forward:  col[B·T, Cin·3] = im2col(x);   y = col·Wᵀ (+ b)
 *     backward: dW += dyᵀ·col;   db += Σ_rows dy;   dcol = dy·W;   dx += col2im(dcol)
 *   depthwise, kernel 3, padding 1, no bias (w [C, 1, 3] seen as [C, 3]):
 *     forward:  y[b,t,c]  = Σ_k w[c,k]·x[b,t+k−1,c]
 *     backward: dx[b,t,c] += Σ_k w[c,k]·dy[b,t−k+1,c];   dw[c,k] += Σ_{b,t} dy[b,t,c]·x[b,t+k−1,c]
 *   grouped pointwise, G groups (W [Cout, Cin/G]: group g maps channels g·Cin/G.. to g·Cout/G..):
 *     forward:  y_g = x_g·W_gᵀ + b            (one strided-batched GEMM over the groups)
 *     backward: dx_g += dy_g·W_g;   dW_g += dy_gᵀ·x_g;   db += Σ_rows dy
 * </pre>
 */
public final class Conv1d {
    private Conv1d() {}

    static final String FAMILY = "conv1d";
    /** Taps of the kernel-3 convolutions; tap k reads time step t + k − 1. */
    static final int K = 3;

    /**
     * col[r, i·3 + k] = x[b, t+k−1, i] (0 outside the item), the layout of W viewed as [Cout, Cin·3].
     */
    public static final Kernel IM2COL3 = Kernel.source(FAMILY, "im2col3", "out col, in x, int b, int t, int cin", a -> {
        FloatBuffer col = a.buf(0), x = a.buf(1);
        int co = a.off(0), xo = a.off(1), t = a.i(3), cin = a.i(4), rows = a.i(2) * t;
        Parallel.range(rows, 2 * K * cin, (from, to) -> {
            for (int r = from; r < to; r++) {
                int tr = r % t, dst = co + r * K * cin;
                for (int k = 0; k < K; k++) {
                    int src = xo + (r + k - 1) * cin;
                    boolean inside = tr + k - 1 >= 0 && tr + k - 1 < t;
                    for (int i = 0; i < cin; i++) col.put(dst + i * K + k, inside ? x.get(src + i) : 0f);
                }
            }
        });
    });

    /**
     * The adjoint of im2col3: dx[b, t, i] += Σ_k dcol[(b, t−k+1), i·3 + k] over the taps that stay inside
     * the item, k in order.
     */
    public static final Kernel COL2IM3 = Kernel.source(FAMILY, "col2im3", "inout dx, in dcol, int b, int t, int cin", a -> {
        FloatBuffer dx = a.buf(0), dcol = a.buf(1);
        int dxo = a.off(0), co = a.off(1), t = a.i(3), cin = a.i(4), rows = a.i(2) * t;
        Parallel.range(rows, (K + 1) * cin, (from, to) -> {
            for (int r = from; r < to; r++) {
                int tr = r % t, dst = dxo + r * cin;
                for (int i = 0; i < cin; i++) {
                    float acc = 0f;
                    for (int k = 0; k < K; k++)
                        if (tr - k + 1 >= 0 && tr - k + 1 < t) acc += dcol.get(co + (r - k + 1) * K * cin + i * K + k);
                    dx.put(dst + i, dx.get(dst + i) + acc);
                }
            }
        });
    });

    /** y[b,t,c] = Σ_k w[c,k]·x[b,t+k−1,c]. */
    public static final Kernel DEPTHWISE_FWD = Kernel.source(FAMILY, "depthwise3_fwd", "out y, in x, in w, int b, int t, int c", a -> depthwise(a, false));

    /** dx[b,t,c] += Σ_k w[c,k]·dy[b,t−k+1,c]. */
    public static final Kernel DEPTHWISE_BWD_DATA = Kernel.source(FAMILY, "depthwise3_bwd_data", "inout dx, in dy, in w, int b, int t, int c", a -> depthwise(a, true));

    /**
     * The forward and its adjoint are the same stencil: out[r, c] (+)= Σ_k w[c,k]·in[r + s_k, c] with
     * s_k = k − 1 forward and 1 − k (the taps mirrored) for the data gradient, which accumulates.
     */
    private static void depthwise(CpuArgs a, boolean adjoint) {
        FloatBuffer out = a.buf(0), in = a.buf(1), w = a.buf(2);
        int oo = a.off(0), io = a.off(1), wo = a.off(2), t = a.i(4), c = a.i(5), rows = a.i(3) * t;
        // Tap-major copy, so the inner loop over channels is contiguous; one vector of slack for the last tap's tail.
        float[] taps = new float[K * c + Simd.LANES];
        for (int j = 0; j < c; j++)
            for (int k = 0; k < K; k++) taps[k * c + j] = w.get(wo + j * K + k);
        int end = Simd.vectorBound(c);
        Parallel.range(rows, (K + 2) * c, (from, to) -> {
            float[] acc = Simd.scratch(0, c), src = Simd.scratch(1, c), dst = Simd.scratch(2, c);
            for (int r = from; r < to; r++) {
                int tr = r % t;
                Arrays.fill(acc, 0f);
                for (int k = 0; k < K; k++) {
                    int s = adjoint ? 1 - k : k - 1;
                    if (tr + s < 0 || tr + s >= t) continue;
                    in.get(io + (r + s) * c, src, 0, c);
                    // acc += tap·src, a multiply then an add as in the scalar stencil (no fma: the same bits as before).
                    for (int j = 0; j < end; j += Simd.LANES)
                        FloatVector.fromArray(Simd.F, taps, k * c + j).mul(FloatVector.fromArray(Simd.F, src, j))
                                .add(FloatVector.fromArray(Simd.F, acc, j)).intoArray(acc, j);
                }
                if (adjoint) {
                    out.get(oo + r * c, dst, 0, c);
                    Simd.add(dst, acc, end);
                    out.put(oo + r * c, dst, 0, c);
                } else out.put(oo + r * c, acc, 0, c);
            }
        });
    }

    /**
     * dw[c,k] += Σ_{b,t} dy[b,t,c]·x[b,t+k−1,c], rows summed in order (float64 accumulator); threads
     * split the channels only, so every sum has one fixed order.
     */
    public static final Kernel DEPTHWISE_BWD_WEIGHT = Kernel.source(FAMILY, "depthwise3_bwd_weight", "inout dw, in dy, in x, int b, int t, int c", a -> {
        FloatBuffer dw = a.buf(0), dy = a.buf(1), x = a.buf(2);
        int dwo = a.off(0), dyo = a.off(1), xo = a.off(2), t = a.i(4), c = a.i(5), rows = a.i(3) * t;
        Parallel.range(c, (K + 1) * rows, (from, to) -> {
            int n = to - from;
            double[] acc = new double[K * n];
            for (int r = 0; r < rows; r++) {
                int tr = r % t, g = dyo + r * c;
                for (int k = 0; k < K; k++) {
                    if (tr + k - 1 < 0 || tr + k - 1 >= t) continue;
                    int src = xo + (r + k - 1) * c;
                    for (int j = from; j < to; j++) acc[k * n + j - from] += (double) dy.get(g + j) * x.get(src + j);
                }
            }
            for (int j = from; j < to; j++)
                for (int k = 0; k < K; k++) {
                    int d = dwo + j * K + k;
                    dw.put(d, (float) (dw.get(d) + acc[k * n + j - from]));
                }
        });
    });

    // ---- dense kernel-3 convolution ----

    /**
     * y[B·T, Cout] = conv(x[B·T, Cin]) with W [Cout, Cin, 3] and optional bias; {@code col} ([B·T, Cin·3])
     * receives the im2col matrix, which the backward reuses.
     */
    public static void conv3Forward(TaskGraph g, View y, View col, View x, View w, View bias, int b, int t, int cin, int cout) {
        sizes("conv3", b, t, cin, cout);
        int rows = b * t;
        y.require(rows * cout, "conv3 y");
        col.require(rows * cin * K, "conv3 col");
        x.require(rows * cin, "conv3 x");
        w.require(cout * cin * K, "conv3 W");
        g.task(IM2COL3, Range.of(rows * cin * K), col, x, b, t, cin);
        Blas.gemm(g, false, true, rows, cout, cin * K, 1f, col, cin * K, w, cin * K, 0f, y, cout);
        if (bias != null) Linear.biasAdd(g, y, bias, rows, cout);
    }

    /**
     * Accumulates dW, db (if non-null) and dx (if non-null; then {@code dcol}, [B·T, Cin·3], is scratch
     * for dy·W) from the forward's {@code col}.
     */
    public static void conv3Backward(TaskGraph g, View dx, View dw, View db, View dcol, View dy, View col, View w,
                                     int b, int t, int cin, int cout) {
        sizes("conv3", b, t, cin, cout);
        int rows = b * t;
        dy.require(rows * cout, "conv3 dy");
        col.require(rows * cin * K, "conv3 col");
        w.require(cout * cin * K, "conv3 W");
        dw.require(cout * cin * K, "conv3 dW");
        Blas.gemm(g, true, false, cout, cin * K, rows, 1f, dy, cout, col, cin * K, 1f, dw, cin * K);
        if (db != null) Linear.biasGrad(g, db, dy, rows, cout);
        if (dx == null) return;
        if (dcol == null) throw new IllegalArgumentException("conv3 backward: dx needs a dcol scratch view of " + rows * cin * K + " floats");
        dx.require(rows * cin, "conv3 dx");
        dcol.require(rows * cin * K, "conv3 dcol");
        Blas.gemm(g, false, false, rows, cin * K, cout, 1f, dy, cout, w, cin * K, 0f, dcol, cin * K);
        g.task(COL2IM3, Range.of(rows * cin), dx, dcol, b, t, cin);
    }

    // ---- depthwise kernel-3 convolution ----

    public static void depthwiseForward(TaskGraph g, View y, View x, View w, int b, int t, int c) {
        sizes("depthwise conv", b, t, c, c);
        y.require(b * t * c, "depthwise y");
        x.require(b * t * c, "depthwise x");
        w.require(c * K, "depthwise w");
        g.task(DEPTHWISE_FWD, Range.of(b * t * c), y, x, w, b, t, c);
    }

    /** Accumulates dx and dw. */
    public static void depthwiseBackward(TaskGraph g, View dx, View dw, View dy, View x, View w, int b, int t, int c) {
        sizes("depthwise conv", b, t, c, c);
        dx.require(b * t * c, "depthwise dx");
        dw.require(c * K, "depthwise dw");
        dy.require(b * t * c, "depthwise dy");
        x.require(b * t * c, "depthwise x");
        w.require(c * K, "depthwise w");
        g.task(DEPTHWISE_BWD_DATA, Range.of(b * t * c), dx, dy, w, b, t, c);
        g.task(DEPTHWISE_BWD_WEIGHT, Range.of(c), dw, dy, x, b, t, c);
    }

    // ---- grouped pointwise (kernel 1) convolution ----

    /** y = grouped 1×1 conv of x over {@code rows} frames, W [Cout, Cin/G], bias [Cout] (may be null). */
    public static void groupedPointwiseForward(TaskGraph g, View y, View x, View w, View bias, int rows, int cin, int cout, int groups) {
        groupSizes(rows, cin, cout, groups);
        int gi = cin / groups, go = cout / groups;
        y.require(rows * cout, "grouped pointwise y");
        x.require(rows * cin, "grouped pointwise x");
        w.require(cout * gi, "grouped pointwise W");
        // Group p: A = x columns [p·gi, +gi) (row stride Cin), B = W rows [p·go, +go), C = y columns [p·go, +go).
        Blas.gemmStridedBatched(g, false, true, rows, go, gi, 1f, x, cin, gi, w, gi, go * gi, 0f, y, cout, go, groups);
        if (bias != null) Linear.biasAdd(g, y, bias, rows, cout);
    }

    /** Accumulates dx (if non-null), dW and db (if non-null). */
    public static void groupedPointwiseBackward(TaskGraph g, View dx, View dw, View db, View dy, View x, View w,
                                                int rows, int cin, int cout, int groups) {
        groupSizes(rows, cin, cout, groups);
        int gi = cin / groups, go = cout / groups;
        dy.require(rows * cout, "grouped pointwise dy");
        x.require(rows * cin, "grouped pointwise x");
        w.require(cout * gi, "grouped pointwise W");
        dw.require(cout * gi, "grouped pointwise dW");
        if (dx != null) {
            dx.require(rows * cin, "grouped pointwise dx");
            Blas.gemmStridedBatched(g, false, false, rows, gi, go, 1f, dy, cout, go, w, gi, go * gi, 1f, dx, cin, gi, groups);
        }
        Blas.gemmStridedBatched(g, true, false, go, gi, rows, 1f, dy, cout, go, x, cin, gi, 1f, dw, gi, go * gi, groups);
        if (db != null) Linear.biasGrad(g, db, dy, rows, cout);
    }

    private static void sizes(String op, int b, int t, int cin, int cout) {
        if (b <= 0 || t <= 0 || cin <= 0 || cout <= 0)
            throw new IllegalArgumentException(op + ": sizes must be positive, got B=" + b + " T=" + t + " Cin=" + cin + " Cout=" + cout);
    }

    private static void groupSizes(int rows, int cin, int cout, int groups) {
        if (rows <= 0 || cin <= 0 || cout <= 0 || groups <= 0)
            throw new IllegalArgumentException("grouped pointwise: sizes must be positive, got rows=" + rows + " Cin=" + cin
                    + " Cout=" + cout + " G=" + groups);
        if (cin % groups != 0 || cout % groups != 0)
            throw new IllegalArgumentException("grouped pointwise: Cin=" + cin + " and Cout=" + cout + " must both be divisible by G=" + groups);
    }
}
