package org.voxkd.kernels;

import static org.voxkd.kernels.Reductions.scratch;
import static org.voxkd.kernels.Reductions.t;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Lowering;
import org.voxkd.engine.Range;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.engine.cpu.Simd;

/**
 * Plain tensor kernels (tornado-kernels/tensor.cl): fill, copy, scaled accumulate (residuals,
 * gradient accumulation), and the fixed-order sum of squares behind gradient norms.
 */
public final class Tensor {
    private Tensor() {}

    static final String FAMILY = "tensor";

    /** x[i] = value. */
    public static final Kernel FILL = Kernel.source(FAMILY, "fill", "out x, float v, int n", a -> {
        FloatBuffer x = a.buf(0);
        int xo = a.off(0), n = a.i(2);
        float v = a.f(1);
        if (Float.floatToRawIntBits(v) == 0 && x.hasArray()) {
            float[] arr = x.array(); // portable numerics' Java memory
            Parallel.range(n, 1, (from, to) -> Arrays.fill(arr, xo + from, xo + to, 0f));
            return;
        }
        if (Float.floatToRawIntBits(v) == 0) {
            // +0 is all zero bytes: native memset, the fastest way to clear the gradient workspace every step.
            FloatPointer p = a.ptr(0);
            long base = p.position();
            Parallel.range(n, 1, (from, to) -> {
                // memset takes void*, where JavaCPP adds the position in bytes: a byte view of the same memory, owning none.
                BytePointer q = new BytePointer(p).position((base + from) * Float.BYTES);
                Pointer.memset(q, 0, (long) (to - from) * Float.BYTES);
            });
            return;
        }
        Simd.tiles(n, 1, (start, len, s) -> {
            Arrays.fill(s[0], 0, len, v);
            x.put(xo + start, s[0], 0, len);
        });
    });

    /** y[i] = alpha·x[i] + beta·y[i]. With beta 0, y is overwritten (NaN-safe). */
    public static final Kernel AXPBY = Kernel.source(FAMILY, "axpby", "inout y, in x, float alpha, float beta, int n", a -> {
        FloatBuffer y = a.buf(0), x = a.buf(1);
        int yo = a.off(0), xo = a.off(1), n = a.i(4);
        float alpha = a.f(2), beta = a.f(3);
        Simd.tiles(n, 2, (start, len, s) -> {
            float[] xs = s[0], ys = s[1];
            x.get(xo + start, xs, 0, len);
            int end = Simd.vectorBound(len);
            if (beta == 0f) {
                for (int i = 0; i < end; i += Simd.LANES) FloatVector.fromArray(Simd.F, xs, i).mul(alpha).intoArray(ys, i);
            } else {
                y.get(yo + start, ys, 0, len);
                for (int i = 0; i < end; i += Simd.LANES)
                    FloatVector.fromArray(Simd.F, xs, i).mul(alpha).add(FloatVector.fromArray(Simd.F, ys, i).mul(beta)).intoArray(ys, i);
            }
            y.put(yo + start, ys, 0, len);
        });
    });

    /** out[0] = Σ x[i]² in index order (float64 accumulator). */
    public static final Kernel SUMSQ = Kernel.source(FAMILY, "sumsq", "out out, in x, int n", Tensor::sumsqStages, a -> {
        FloatBuffer x = a.buf(1);
        int xo = a.off(1), n = a.i(2);
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = x.get(xo + i);
            s += v * v;
        }
        a.buf(0).put(a.off(0), (float) s);
    });

    /** sumsq on opencl: fixed work groups each sum a contiguous chunk (a tree inside the group), then one item adds them in order. */
    static final Kernel SUMSQ_PARTIAL = Kernel.stage(FAMILY, "sumsq_partial", "out double part, in x, int n, int chunk");
    static final Kernel SUMSQ_FINAL = Kernel.stage(FAMILY, "sumsq_final", "out out, in double part, int groups");

    private static Lowering.Plan sumsqStages(Object[] a) {
        int n = (Integer) a[2], groups = Math.max(1, Math.min(Reductions.SQ_MAX_GROUPS, n / Reductions.SQ_MIN_ELEMENTS)),
                chunk = Reductions.ceil(n, groups);
        return new Lowering.Plan(List.of(
                new Lowering.Stage(SUMSQ_PARTIAL, new long[] {(long) groups * Reductions.SQ_GROUP}, new long[] {Reductions.SQ_GROUP},
                        List.of(scratch(0), t(1), n, chunk)),
                new Lowering.Stage(SUMSQ_FINAL, new long[] {1}, new long[] {1}, List.of(t(0), scratch(0), groups))), groups);
    }

    /** bf16 GEMMs on opencl round both operands into scratch copies first (see {@link Blas#GEMM_BF16}). */
    static final Kernel ROUND_BF16 = Kernel.stage(FAMILY, "round_bf16", "out y, in x, int n");

    public static void fill(TaskGraph g, View x, float value) {
        g.task(FILL, Range.of(x.length()), x, value, x.length());
    }

    /** y = x. */
    public static void copy(TaskGraph g, View y, View x) {
        axpby(g, y, x, 1f, 0f);
    }

    /** y += x (residual connections, gradient accumulation). */
    public static void add(TaskGraph g, View y, View x) {
        axpby(g, y, x, 1f, 1f);
    }

    /** y = alpha·x + beta·y. */
    public static void axpby(TaskGraph g, View y, View x, float alpha, float beta) {
        x.require(y.length(), "axpby x");
        g.task(AXPBY, Range.of(y.length()), y, x, alpha, beta, y.length());
    }

    /** y = alpha·y with alpha read at each execution. */
    public static void scale(TaskGraph g, View y, Scalar alpha) {
        g.task(AXPBY, Range.of(y.length()), y, y, alpha, 0f, y.length());
    }

    /** out (one float) = Σ x². */
    public static void sumOfSquares(TaskGraph g, View out, View x) {
        out.require(1, "sumsq out");
        g.task(SUMSQ, Range.of(1), out, x, x.length());
    }
}
