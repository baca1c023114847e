package org.voxkd.kernels;

import java.nio.FloatBuffer;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Range;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuArgs;
import org.voxkd.engine.cpu.Parallel;

/**
 * L2 normalisation of rows with PyTorch {@code F.normalize} semantics (tornado-kernels/l2norm.cl):
 *
 * <pre>
 *   forward:  n = ‖x_r‖₂,  y_r = x_r / max(n, 1e-12)
 *   backward: n > 1e-12: dx_r += (dy_r − y_r·(y_r·dy_r)) / n
 *             else:      dx_r += dy_r / 1e-12   (the clamp passes no gradient to the norm)
 * </pre>
 *
 * The norm is recomputed in the backward from x (float64, channels in order), so nothing is saved.
 */
public final class L2Norm {
    private L2Norm() {}

    static final String FAMILY = "l2norm";

    static final double EPS = 1e-12;

    public static final Kernel FWD = Kernel.source(FAMILY, "l2norm_fwd", "out y, in x, int rows, int c", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), rows = a.i(2), c = a.i(3);
        Parallel.range(rows, 3 * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                double inv = 1 / Math.max(norm(a, 1, r, c), EPS);
                for (int j = 0; j < c; j++) y.put(yo + r * c + j, (float) (x.get(xo + r * c + j) * inv));
            }
        });
    });

    public static final Kernel BWD = Kernel.source(FAMILY, "l2norm_bwd", "inout dx, in dy, in x, int rows, int c", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1), x = a.buf(2);
        int dxo = a.off(0), dyo = a.off(1), xo = a.off(2), rows = a.i(3), c = a.i(4);
        Parallel.range(rows, 5 * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * c;
                double n = norm(a, 2, r, c);
                if (n > EPS) {
                    double dot = 0; // x·dy / n = y·dy
                    for (int j = 0; j < c; j++) dot += (double) x.get(xo + o + j) * dy.get(dyo + o + j);
                    double k = dot / (n * n * n);
                    for (int j = 0; j < c; j++)
                        dx.put(dxo + o + j, dx.get(dxo + o + j) + (float) (dy.get(dyo + o + j) / n - k * x.get(xo + o + j)));
                } else {
                    for (int j = 0; j < c; j++) dx.put(dxo + o + j, dx.get(dxo + o + j) + (float) (dy.get(dyo + o + j) / EPS));
                }
            }
        });
    });

    /** ‖row r‖₂ of view argument k, accumulated in float64 in channel order. */
    private static double norm(CpuArgs a, int k, int r, int c) {
        FloatBuffer x = a.buf(k);
        int o = a.off(k) + r * c;
        double s = 0;
        for (int j = 0; j < c; j++) {
            double v = x.get(o + j);
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** y = x / max(‖x‖, 1e-12) per row of C channels. */
    public static void forward(TaskGraph g, View y, View x, int rows, int c) {
        check(rows, c);
        y.require(rows * c, "l2norm y");
        x.require(rows * c, "l2norm x");
        g.task(FWD, Range.of(rows), y, x, rows, c);
    }

    /** Accumulates dx from dy, recomputing the norm from the forward input x. */
    public static void backward(TaskGraph g, View dx, View dy, View x, int rows, int c) {
        check(rows, c);
        dx.require(rows * c, "l2norm dx");
        dy.require(rows * c, "l2norm dy");
        x.require(rows * c, "l2norm x");
        g.task(BWD, Range.of(rows), dx, dy, x, rows, c);
    }

    private static void check(int rows, int c) {
        if (rows <= 0 || c <= 0) throw new IllegalArgumentException("l2norm: sizes must be positive, got rows=" + rows + " C=" + c);
    }
}
