package org.voxkd.kernels;

import static org.voxkd.kernels.Reductions.scratch;
import static org.voxkd.kernels.Reductions.t;

import java.nio.FloatBuffer;
import java.util.List;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Lowering;
import org.voxkd.engine.Range;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.engine.cpu.Simd;

/**
 * Linear over channels at every frame (tornado-kernels/linear.cl for the bias kernels, GEMM for the rest).
 * Activations are row-major {@code [rows = B·T, C]}, weights PyTorch-shaped {@code [Cout, Cin]}.
 *
 * <pre>
 *   forward:  y[R,Cout] = x[R,Cin]·Wᵀ (+ b)
 *   backward: dx += dy·W,  dW += dyᵀ·x,  db += Σ_rows dy
 * </pre>
 */
public final class Linear {
    private Linear() {}

    static final String FAMILY = "linear";

    /** y[r, c] += b[c]. */
    public static final Kernel BIAS_ADD = Kernel.source(FAMILY, "bias_add", "inout y, in b, int rows, int c", a -> {
        FloatBuffer y = a.buf(0), b = a.buf(1);
        int yo = a.off(0), bo = a.off(1), rows = a.i(2), c = a.i(3);
        Parallel.range(rows, c, (from, to) -> {
            float[] bias = Simd.scratch(0, c), row = Simd.scratch(1, c);
            b.get(bo, bias, 0, c);
            int end = Simd.vectorBound(c);
            for (int r = from; r < to; r++) {
                y.get(yo + r * c, row, 0, c);
                Simd.add(row, bias, end);
                y.put(yo + r * c, row, 0, c);
            }
        });
    });

    /**
     * Inference epilogue of a residual branch: {@code y = (pre + bias) + res} in one pass; the same bits as bias_add
     * then a residual add ({@code y} may be {@code pre}).
     */
    public static final Kernel BIAS_RESIDUAL = Kernel.source(FAMILY, "bias_residual", "out y, in pre, in b, in res, int rows, int c", a -> {
        FloatBuffer y = a.buf(0), pre = a.buf(1), b = a.buf(2), res = a.buf(3);
        int yo = a.off(0), po = a.off(1), bo = a.off(2), ro = a.off(3), rows = a.i(4), c = a.i(5);
        Parallel.range(rows, 3 * c, (from, to) -> {
            float[] bias = Simd.scratch(0, c), row = Simd.scratch(1, c), skip = Simd.scratch(2, c);
            b.get(bo, bias, 0, c);
            int end = Simd.vectorBound(c);
            for (int r = from; r < to; r++) {
                pre.get(po + r * c, row, 0, c);
                res.get(ro + r * c, skip, 0, c);
                Simd.add(row, bias, end);
                Simd.add(row, skip, end);
                y.put(yo + r * c, row, 0, c);
            }
        });
    });

    /** db[c] += Σ_r dy[r, c], rows summed in order. */
    public static final Kernel BIAS_GRAD = Kernel.source(FAMILY, "bias_grad", "inout db, in dy, int rows, int c", Linear::biasGradStages, a -> {
        FloatBuffer db = a.buf(0), dy = a.buf(1);
        int dbo = a.off(0), dyo = a.off(1), rows = a.i(2), c = a.i(3);
        Parallel.range(c, rows, (from, to) -> {
            int w = to - from, end = Simd.vectorBound(w);
            float[] acc = Simd.scratch(0, w), row = Simd.scratch(1, w);
            java.util.Arrays.fill(acc, 0f);
            for (int r = 0; r < rows; r++) {
                dy.get(dyo + r * c + from, row, 0, w);
                Simd.add(acc, row, end);
            }
            db.get(dbo + from, row, 0, w);
            Simd.add(row, acc, end);
            db.put(dbo + from, row, 0, w);
        });
    });

    /** bias_grad on opencl: column partial sums per chunk of rows, then each channel adds its chunks in order. */
    static final Kernel COLSUM_PARTIAL = Kernel.stage(FAMILY, "colsum_partial", "out double part, in v, int rows, int c, int chunk");
    static final Kernel BIAS_GRAD_FINAL = Kernel.stage(FAMILY, "bias_grad_final", "inout db, in double part, int chunks, int c");

    private static Lowering.Plan biasGradStages(Object[] a) {
        int rows = (Integer) a[2], c = (Integer) a[3], p = Reductions.chunks(rows), chunk = Reductions.chunkRows(rows, p);
        return new Lowering.Plan(List.of(
                Reductions.partial(COLSUM_PARTIAL, rows, c, scratch(0), t(1), rows, c, chunk),
                Reductions.perItem(BIAS_GRAD_FINAL, c, t(0), scratch(0), p, c)), (long) p * c);
    }

    /** y = x·Wᵀ + b over {@code rows} rows; {@code bias} may be null. */
    public static void forward(TaskGraph g, View y, View x, View w, View bias, int rows, int cin, int cout) {
        y.require(rows * cout, "linear y");
        x.require(rows * cin, "linear x");
        w.require(cout * cin, "linear W");
        Blas.gemm(g, false, true, rows, cout, cin, 1f, x, cin, w, cin, 0f, y, cout);
        if (bias != null) biasAdd(g, y, bias, rows, cout);
    }

    /** Accumulates dx (if non-null), dW and db (if non-null). */
    public static void backward(TaskGraph g, View dx, View dw, View db, View dy, View x, View w, int rows, int cin, int cout) {
        dy.require(rows * cout, "linear dy");
        if (dx != null) Blas.gemm(g, false, false, rows, cin, cout, 1f, dy, cout, w, cin, 1f, dx, cin);
        Blas.gemm(g, true, false, cout, cin, rows, 1f, dy, cout, x, cin, 1f, dw, cin);
        if (db != null) biasGrad(g, db, dy, rows, cout);
    }

    public static void biasAdd(TaskGraph g, View y, View b, int rows, int c) {
        y.require(rows * c, "bias_add y");
        b.require(c, "bias_add b");
        g.task(BIAS_ADD, Range.of(rows * c), y, b, rows, c);
    }

    /** y = (pre + bias) + res over rows of C (inference: a bias and a residual, no dropout between). */
    public static void biasResidual(TaskGraph g, View y, View pre, View bias, View res, int rows, int c) {
        y.require(rows * c, "bias_residual y");
        pre.require(rows * c, "bias_residual pre");
        res.require(rows * c, "bias_residual res");
        bias.require(c, "bias_residual bias");
        g.task(BIAS_RESIDUAL, Range.of(rows * c), y, pre, bias, res, rows, c);
    }

    public static void biasGrad(TaskGraph g, View db, View dy, int rows, int c) {
        db.require(c, "bias_grad db");
        dy.require(rows * c, "bias_grad dy");
        g.task(BIAS_GRAD, Range.of(c), db, dy, rows, c);
    }
}
