package org.voxkd.kernels;

import static org.voxkd.kernels.Reductions.scratch;
import static org.voxkd.kernels.Reductions.t;

import java.nio.FloatBuffer;
import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Lowering;
import org.voxkd.engine.Range;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuArgs;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.engine.cpu.Simd;

/**
 * Normalisation over channels of row-major {@code [rows, C]} activations (tornado-kernels/norm.cl).
 * BatchNorm1d normalises each channel over all rows (B·T frames, or B embeddings); LayerNorm normalises
 * each row over its channels. Both save mean and rstd = 1/√(var + eps) for the backward.
 *
 * <pre>
 *   BatchNorm, training:  mean, rstd, running stats  = batchnorm_stats(x)      (per channel, over rows)
 *                         y = (x − mean)·rstd·γ + β                             batchnorm_apply
 *              backward:  dβ += Σ dy, dγ += Σ dy·x̂,
 *                         dx += γ·rstd·(dy − Σdy/n − x̂·Σ(dy·x̂)/n)              batchnorm_bwd (fused)
 *   BatchNorm, inference: y = (x − running_mean)/√(running_var + eps)·γ + β    batchnorm_infer_fwd
 *   LayerNorm:            y = (x − mean_r)·rstd_r·γ + β                         layernorm_fwd (per row)
 *              backward:  dx += rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·γ   layernorm_bwd_data (per row)
 *                         dβ += Σ dy, dγ += Σ dy·x̂                              layernorm_bwd_params (per channel)
 * </pre>
 * Reductions over rows run per channel in row order, threads splitting the channels only; reductions
 * over channels run per row. Accumulators are float64.
 */
public final class Norm {
    private Norm() {}

    static final String FAMILY = "norm";
    /** PyTorch's defaults for BatchNorm1d and LayerNorm. */
    public static final float EPS = 1e-5f, MOMENTUM = 0.1f;

    /**
     * Batch statistics per channel (two passes: mean, then biased variance) and the running-statistics
     * update {@code running = (1 − momentum)·running + momentum·batch}, with the unbiased variance
     * (factor n/(n − 1)) for running_var as PyTorch does.
     */
    public static final Kernel BN_STATS = Kernel.source(FAMILY, "batchnorm_stats", "out mean, out rstd, inout rm, inout rv, in x, int rows, int c, float eps, float momentum", Norm::batchNormStatsStages, a -> {
        FloatBuffer mean = a.buf(0), rstd = a.buf(1), rm = a.buf(2), rv = a.buf(3), x = a.buf(4);
        int mo = a.off(0), so = a.off(1), rmo = a.off(2), rvo = a.off(3), xo = a.off(4), rows = a.i(5), c = a.i(6);
        float eps = a.f(7), momentum = a.f(8);
        Parallel.range(c, 2 * rows, (from, to) -> {
            int n = to - from;
            double[] mu = new double[n], sq = new double[n];
            for (int r = 0; r < rows; r++) {
                int row = xo + r * c;
                for (int j = from; j < to; j++) mu[j - from] += x.get(row + j);
            }
            for (int j = 0; j < n; j++) mu[j] /= rows;
            for (int r = 0; r < rows; r++) {
                int row = xo + r * c;
                for (int j = from; j < to; j++) {
                    double d = x.get(row + j) - mu[j - from];
                    sq[j - from] += d * d;
                }
            }
            for (int j = from; j < to; j++) {
                double m = mu[j - from], var = sq[j - from] / rows;
                mean.put(mo + j, (float) m);
                rstd.put(so + j, (float) (1 / Math.sqrt(var + eps)));
                rm.put(rmo + j, (float) ((1.0 - momentum) * rm.get(rmo + j) + momentum * m));
                rv.put(rvo + j, (float) ((1.0 - momentum) * rv.get(rvo + j) + momentum * var * rows / (rows - 1)));
            }
        });
    });

    /** y = (x − mean[c])·rstd[c]·γ[c] + β[c]. */
    public static final Kernel BN_APPLY = Kernel.source(FAMILY, "batchnorm_apply", "out y, in x, in mean, in rstd, in gamma, in beta, int rows, int c", a -> {
        int c = a.i(7);
        normalizeChannels(a, channelStats(a, 2, 3, c, false, 0f), c, a.i(6));
    });

    /** y = (x − runMean[c])/√(runVar[c] + eps)·γ[c] + β[c]. */
    public static final Kernel BN_INFER_FWD = Kernel.source(FAMILY, "batchnorm_infer_fwd", "out y, in x, in rm, in rv, in gamma, in beta, int rows, int c, float eps", a -> {
        int c = a.i(7);
        normalizeChannels(a, channelStats(a, 2, 3, c, true, a.f(8)), c, a.i(6));
    });

    /**
     * Training backward, fused per channel: Σdy and Σdy·x̂ over the rows, then dβ, dγ and dx of that
     * channel.
     */
    public static final Kernel BN_BWD = Kernel.source(FAMILY, "batchnorm_bwd", "inout dx, inout dg, inout db, in dy, in x, in mean, in rstd, in gamma, int rows, int c", Norm::batchNormBackwardStages, a -> {
        int c = a.i(9);
        batchNormBackward(a, channelStats(a, 5, 6, c, false, 0f), c, a.i(8));
    });

    /** BatchNorm on opencl: the statistics and the training backward as work-group partials and fixed-order finals. */
    static final Kernel BN_MEAN_FINAL = Kernel.stage(FAMILY, "bn_mean_final", "out mean, in double part, int chunks, int rows, int c");
    static final Kernel BN_VAR_PARTIAL = Kernel.stage(FAMILY, "bn_var_partial", "out double part, in x, in mean, int rows, int c, int chunk");
    static final Kernel BN_STATS_FINAL = Kernel.stage(FAMILY, "bn_stats_final",
            "out rstd, inout rm, inout rv, in mean, in double part, int chunks, int rows, int c, float eps, float momentum");
    static final Kernel BN_BWD_PARTIAL = Kernel.stage(FAMILY, "bn_bwd_partial",
            "out double part, in dy, in x, in mean, in rstd, int rows, int c, int chunk");
    static final Kernel BN_BWD_FINAL = Kernel.stage(FAMILY, "bn_bwd_final",
            "inout dg, inout db, out double coef, in double part, in gamma, in rstd, int chunks, int rows, int c");
    static final Kernel BN_BWD_DX = Kernel.stage(FAMILY, "bn_bwd_dx",
            "inout dx, in dy, in x, in mean, in rstd, in double coef, int rows, int c");

    private static Lowering.Plan batchNormStatsStages(Object[] a) {
        int rows = (Integer) a[5], c = (Integer) a[6], p = Reductions.chunks(rows), chunk = Reductions.chunkRows(rows, p);
        return new Lowering.Plan(List.of(
                Reductions.partial(Linear.COLSUM_PARTIAL, rows, c, scratch(0), t(4), rows, c, chunk),
                Reductions.perItem(BN_MEAN_FINAL, c, t(0), scratch(0), p, rows, c),
                Reductions.partial(BN_VAR_PARTIAL, rows, c, scratch(0), t(4), t(0), rows, c, chunk),
                Reductions.perItem(BN_STATS_FINAL, c, t(1), t(2), t(3), t(0), scratch(0), p, rows, c, t(7), t(8))), (long) p * c);
    }

    /** The training backward from the batch's saved (mean, rstd). */
    private static Lowering.Plan batchNormBackwardStages(Object[] a) {
        int rows = (Integer) a[8], c = (Integer) a[9], p = Reductions.chunks(rows), chunk = Reductions.chunkRows(rows, p), coef = 2 * p * c;
        return new Lowering.Plan(List.of(
                Reductions.partial(BN_BWD_PARTIAL, rows, c, scratch(0), t(3), t(4), t(5), t(6), rows, c, chunk),
                Reductions.perItem(BN_BWD_FINAL, c, t(1), t(2), scratch(coef), scratch(0), t(7), t(6), p, rows, c),
                Reductions.perItem(BN_BWD_DX, (long) rows * c, t(0), t(3), t(4), t(5), t(6), scratch(coef), rows, c)),
                (long) coef + 3L * c);
    }

    /** Per-channel mean and rstd from arguments {@code meanArg}, {@code spreadArg} (rstd, or a variance to invert). */
    private static float[][] channelStats(CpuArgs a, int meanArg, int spreadArg, int c, boolean fromVariance, float eps) {
        FloatBuffer m = a.buf(meanArg), s = a.buf(spreadArg);
        int mo = a.off(meanArg), so = a.off(spreadArg);
        float[] mean = new float[c], rstd = new float[c];
        for (int j = 0; j < c; j++) {
            mean[j] = m.get(mo + j);
            rstd[j] = fromVariance ? (float) (1 / Math.sqrt((double) s.get(so + j) + eps)) : s.get(so + j);
        }
        return new float[][] {mean, rstd};
    }

    /** The BatchNorm affine map with per-channel statistics; args 0, 1, 4, 5 are y, x, gamma, beta. */
    private static void normalizeChannels(CpuArgs a, float[][] stats, int c, int rows) {
        FloatBuffer y = a.buf(0), x = a.buf(1), gamma = a.buf(4), beta = a.buf(5);
        int yo = a.off(0), xo = a.off(1);
        float[] mean = stats[0], scale = new float[c], shift = new float[c];
        for (int j = 0; j < c; j++) {
            scale[j] = stats[1][j] * gamma.get(a.off(4) + j);
            shift[j] = beta.get(a.off(5) + j);
        }
        Parallel.range(rows, 2 * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int xr = xo + r * c, yr = yo + r * c;
                for (int j = 0; j < c; j++) y.put(yr + j, (x.get(xr + j) - mean[j]) * scale[j] + shift[j]);
            }
        });
    }

    /**
     * The training BatchNorm backward; args 0–4 and 7 are dx, dgamma, dbeta, dy, x, gamma. The batch mean and
     * variance depend on x, which adds the −Σdy/n − x̂·Σ(dy·x̂)/n terms to dx.
     */
    private static void batchNormBackward(CpuArgs a, float[][] stats, int c, int rows) {
        FloatBuffer dx = a.buf(0), dg = a.buf(1), db = a.buf(2), dy = a.buf(3), x = a.buf(4), gamma = a.buf(7);
        int dxo = a.off(0), dgo = a.off(1), dbo = a.off(2), dyo = a.off(3), xo = a.off(4), go = a.off(7);
        float[] mean = stats[0], rstd = stats[1];
        Parallel.range(c, 4 * rows, (from, to) -> {
            int n = to - from;
            double[] sdy = new double[n], sdyx = new double[n];
            paramSums(dy, dyo, x, xo, null, null, mean, rstd, rows, c, from, to, sdy, sdyx);
            float[] k = new float[n], mdy = new float[n], mdyx = new float[n];
            for (int j = from; j < to; j++) {
                int i = j - from;
                dg.put(dgo + j, (float) (dg.get(dgo + j) + sdyx[i]));
                db.put(dbo + j, (float) (db.get(dbo + j) + sdy[i]));
                k[i] = gamma.get(go + j) * rstd[j];
                mdy[i] = (float) (sdy[i] / rows);
                mdyx[i] = (float) (sdyx[i] / rows);
            }
            for (int r = 0; r < rows; r++) {
                int row = r * c;
                for (int j = from; j < to; j++) {
                    int i = j - from;
                    float xh = (x.get(xo + row + j) - mean[j]) * rstd[j];
                    dx.put(dxo + row + j, dx.get(dxo + row + j) + k[i] * (dy.get(dyo + row + j) - mdy[i] - xh * mdyx[i]));
                }
            }
        });
    }

    /**
     * Σ_r dy[r, j] and Σ_r dy[r, j]·x̂[r, j] for channels [from, to), rows in order, where
     * x̂ = (x − rowMean[r] − chanMean[j])·rowRstd[r]·chanRstd[j]; LayerNorm passes per-row statistics
     * and null per-channel ones, BatchNorm the reverse.
     */
    private static void paramSums(FloatBuffer dy, int dyo, FloatBuffer x, int xo, float[] rowMean, float[] rowRstd,
                                  float[] chanMean, float[] chanRstd, int rows, int c, int from, int to, double[] sdy, double[] sdyx) {
        int n = to - from, step = Simd.D.length(), full = n - n % step;
        float[] cm = new float[n], cs = new float[n], g = Simd.scratch(0, n), xs = Simd.scratch(1, n);
        for (int i = 0; i < n; i++) {
            cm[i] = chanMean == null ? 0f : chanMean[from + i];
            cs[i] = chanRstd == null ? 1f : chanRstd[from + i];
        }
        // Channels in float64 lanes, rows in order per channel: the same sums, bit for bit, as one channel at a time.
        for (int r = 0; r < rows; r++) {
            float rm = rowMean == null ? 0f : rowMean[r], rs = rowRstd == null ? 1f : rowRstd[r];
            dy.get(dyo + r * c + from, g, 0, n);
            x.get(xo + r * c + from, xs, 0, n);
            for (int i = 0; i < full; i += step) {
                FloatVector gv = FloatVector.fromArray(Simd.FD, g, i);
                FloatVector xh = FloatVector.fromArray(Simd.FD, xs, i).sub(rm).sub(FloatVector.fromArray(Simd.FD, cm, i)).mul(rs)
                        .mul(FloatVector.fromArray(Simd.FD, cs, i));
                DoubleVector gd = (DoubleVector) gv.convertShape(VectorOperators.F2D, Simd.D, 0);
                DoubleVector xd = (DoubleVector) xh.convertShape(VectorOperators.F2D, Simd.D, 0);
                DoubleVector.fromArray(Simd.D, sdy, i).add(gd).intoArray(sdy, i);
                DoubleVector.fromArray(Simd.D, sdyx, i).add(gd.mul(xd)).intoArray(sdyx, i);
            }
            for (int i = full; i < n; i++) {
                float xh = (xs[i] - rm - cm[i]) * rs * cs[i];
                sdy[i] += g[i];
                sdyx[i] += (double) g[i] * xh;
            }
        }
    }

    /**
     * Per row: mean, biased variance (two passes, float64), rstd; y = (x − mean)·rstd·γ + β.
     */
    public static final Kernel LN_FWD = Kernel.source(FAMILY, "layernorm_fwd", "out y, out mean, out rstd, in x, in gamma, in beta, int rows, int c, float eps", a -> {
        FloatBuffer y = a.buf(0), mean = a.buf(1), rstd = a.buf(2), x = a.buf(3), gamma = a.buf(4), beta = a.buf(5);
        int yo = a.off(0), mo = a.off(1), so = a.off(2), xo = a.off(3), rows = a.i(6), c = a.i(7);
        float eps = a.f(8);
        float[] gm = floats(gamma, a.off(4), c), bt = floats(beta, a.off(5), c);
        int full = c - c % Simd.LANES, width = a.numerics().reductionLanes(Simd.LANES);
        Parallel.range(rows, 3 * c, (from, to) -> {
            float[] v = Simd.scratch(0, c), d = Simd.scratch(1, c), out = Simd.scratch(2, c), lanes = Simd.scratch(3, width);
            for (int r = from; r < to; r++) {
                x.get(xo + r * c, v, 0, c);
                float mf = (float) (Simd.laneSum(v, c, width, lanes) / c);
                for (int j = 0; j < full; j += Simd.LANES) FloatVector.fromArray(Simd.F, v, j).sub(mf).intoArray(d, j);
                for (int j = full; j < c; j++) d[j] = v[j] - mf;
                float rs = (float) (1 / Math.sqrt(Simd.laneDot(d, d, c, width, lanes) / c + eps));
                mean.put(mo + r, mf);
                rstd.put(so + r, rs);
                for (int j = 0; j < full; j += Simd.LANES)
                    FloatVector.fromArray(Simd.F, d, j).mul(rs).mul(FloatVector.fromArray(Simd.F, gm, j))
                            .add(FloatVector.fromArray(Simd.F, bt, j)).intoArray(out, j);
                for (int j = full; j < c; j++) out[j] = d[j] * rs * gm[j] + bt[j];
                y.put(yo + r * c, out, 0, c);
            }
        });
    });

    /** dx += rstd·(dx̂ − mean_c(dx̂) − x̂·mean_c(dx̂·x̂)) with dx̂ = dy·γ, per row. */
    public static final Kernel LN_BWD_DATA = Kernel.source(FAMILY, "layernorm_bwd_data", "inout dx, in dy, in x, in mean, in rstd, in gamma, int rows, int c", a -> {
        FloatBuffer dx = a.buf(0), dy = a.buf(1), x = a.buf(2), mean = a.buf(3), rstd = a.buf(4);
        int dxo = a.off(0), dyo = a.off(1), xo = a.off(2), mo = a.off(3), so = a.off(4), rows = a.i(6), c = a.i(7);
        float[] gm = floats(a.buf(5), a.off(5), c);
        int full = c - c % Simd.LANES, width = a.numerics().reductionLanes(Simd.LANES);
        Parallel.range(rows, 6 * c, (from, to) -> {
            float[] g = Simd.scratch(0, c), xh = Simd.scratch(1, c), acc = Simd.scratch(2, c), lanes = Simd.scratch(3, width);
            for (int r = from; r < to; r++) {
                int row = r * c;
                float m = mean.get(mo + r), rs = rstd.get(so + r);
                dy.get(dyo + row, g, 0, c);
                x.get(xo + row, xh, 0, c);
                dx.get(dxo + row, acc, 0, c);
                for (int j = 0; j < full; j += Simd.LANES) {
                    FloatVector.fromArray(Simd.F, g, j).mul(FloatVector.fromArray(Simd.F, gm, j)).intoArray(g, j);
                    FloatVector.fromArray(Simd.F, xh, j).sub(m).mul(rs).intoArray(xh, j);
                }
                for (int j = full; j < c; j++) {
                    g[j] *= gm[j];
                    xh[j] = (xh[j] - m) * rs;
                }
                double s1 = Simd.laneSum(g, c, width, lanes), s2 = Simd.laneDot(g, xh, c, width, lanes);
                float m1 = (float) (s1 / c), m2 = (float) (s2 / c);
                for (int j = 0; j < full; j += Simd.LANES) {
                    FloatVector t = FloatVector.fromArray(Simd.F, g, j).sub(m1).sub(FloatVector.fromArray(Simd.F, xh, j).mul(m2));
                    t.mul(rs).add(FloatVector.fromArray(Simd.F, acc, j)).intoArray(acc, j);
                }
                for (int j = full; j < c; j++) acc[j] = acc[j] + rs * (g[j] - m1 - xh[j] * m2);
                dx.put(dxo + row, acc, 0, c);
            }
        });
    });

    /** dγ[c] += Σ_r dy·x̂, dβ[c] += Σ_r dy, rows in order, threads split the channels. */
    public static final Kernel LN_BWD_PARAMS = Kernel.source(FAMILY, "layernorm_bwd_params", "inout dg, inout db, in dy, in x, in mean, in rstd, int rows, int c", Norm::layerNormParamsStages, a -> {
        FloatBuffer dg = a.buf(0), db = a.buf(1);
        int dgo = a.off(0), dbo = a.off(1), rows = a.i(6), c = a.i(7);
        float[] mean = floats(a.buf(4), a.off(4), rows), rstd = floats(a.buf(5), a.off(5), rows);
        Parallel.range(c, 3 * rows, (from, to) -> {
            double[] sdy = new double[to - from], sdyx = new double[to - from];
            paramSums(a.buf(2), a.off(2), a.buf(3), a.off(3), mean, rstd, null, null, rows, c, from, to, sdy, sdyx);
            for (int j = from; j < to; j++) {
                dg.put(dgo + j, (float) (dg.get(dgo + j) + sdyx[j - from]));
                db.put(dbo + j, (float) (db.get(dbo + j) + sdy[j - from]));
            }
        });
    });

    /** layernorm_bwd_params on opencl: (Σdy·x̂, Σdy) partials per chunk of rows, then each channel adds its chunks in order. */
    static final Kernel LN_PARAMS_PARTIAL = Kernel.stage(FAMILY, "ln_params_partial", "out double part, in dy, in x, in mean, in rstd, int rows, int c, int chunk");
    static final Kernel LN_PARAMS_FINAL = Kernel.stage(FAMILY, "ln_params_final", "inout dg, inout db, in double part, int chunks, int c");

    private static Lowering.Plan layerNormParamsStages(Object[] a) {
        int rows = (Integer) a[6], c = (Integer) a[7], p = Reductions.chunks(rows), chunk = Reductions.chunkRows(rows, p);
        return new Lowering.Plan(List.of(
                Reductions.partial(LN_PARAMS_PARTIAL, rows, c, scratch(0), t(2), t(3), t(4), t(5), rows, c, chunk),
                Reductions.perItem(LN_PARAMS_FINAL, c, t(0), t(1), scratch(0), p, c)), 2L * p * c);
    }

    private static float[] floats(FloatBuffer b, int off, int n) {
        float[] v = new float[n];
        b.get(off, v, 0, n);
        return v;
    }

    // ---- ops ----

    /**
     * BatchNorm1d in training mode over {@code rows} rows (B·T frames, or B embeddings) of C channels:
     * writes y, the saved mean and rstd [C], and updates runMean/runVar [C] in place.
     */
    public static void batchNormForward(TaskGraph g, View y, View mean, View rstd, View runMean, View runVar,
                                        View x, View gamma, View beta, int rows, int c) {
        sizes("batchnorm", rows, c);
        if (rows < 2) throw new IllegalArgumentException("batchnorm training needs more than one row per channel, got rows=" + rows);
        require(rows * c, "batchnorm", y, "y", x, "x");
        require(c, "batchnorm", mean, "mean", rstd, "rstd", runMean, "running mean", runVar, "running var", gamma, "gamma", beta, "beta");
        g.task(BN_STATS, Range.of(c), mean, rstd, runMean, runVar, x, rows, c, EPS, MOMENTUM);
        g.task(BN_APPLY, Range.of(rows * c), y, x, mean, rstd, gamma, beta, rows, c);
    }

    /** BatchNorm1d in inference mode: normalises with the running statistics, which stay unchanged. */
    public static void batchNormInferenceForward(TaskGraph g, View y, View runMean, View runVar, View x, View gamma, View beta, int rows, int c) {
        sizes("batchnorm", rows, c);
        require(rows * c, "batchnorm", y, "y", x, "x");
        require(c, "batchnorm", runMean, "running mean", runVar, "running var", gamma, "gamma", beta, "beta");
        g.task(BN_INFER_FWD, Range.of(rows * c), y, x, runMean, runVar, gamma, beta, rows, c, EPS);
    }

    /** Training-mode backward from the saved mean and rstd; accumulates dx, dgamma, dbeta. */
    public static void batchNormBackward(TaskGraph g, View dx, View dgamma, View dbeta, View dy, View x, View mean, View rstd,
                                         View gamma, int rows, int c) {
        sizes("batchnorm", rows, c);
        require(rows * c, "batchnorm", dx, "dx", dy, "dy", x, "x");
        require(c, "batchnorm", dgamma, "dgamma", dbeta, "dbeta", mean, "mean", rstd, "rstd", gamma, "gamma");
        g.task(BN_BWD, Range.of(c), dx, dgamma, dbeta, dy, x, mean, rstd, gamma, rows, c);
    }

    /** LayerNorm over the C channels of each row; writes y and the saved mean and rstd [rows]. */
    public static void layerNormForward(TaskGraph g, View y, View mean, View rstd, View x, View gamma, View beta, int rows, int c) {
        sizes("layernorm", rows, c);
        require(rows * c, "layernorm", y, "y", x, "x");
        require(rows, "layernorm", mean, "mean", rstd, "rstd");
        require(c, "layernorm", gamma, "gamma", beta, "beta");
        g.task(LN_FWD, Range.of(rows), y, mean, rstd, x, gamma, beta, rows, c, EPS);
    }

    /** Accumulates dx, dgamma, dbeta from the saved per-row mean and rstd. */
    public static void layerNormBackward(TaskGraph g, View dx, View dgamma, View dbeta, View dy, View x, View mean, View rstd,
                                         View gamma, int rows, int c) {
        sizes("layernorm", rows, c);
        require(rows * c, "layernorm", dx, "dx", dy, "dy", x, "x");
        require(rows, "layernorm", mean, "mean", rstd, "rstd");
        require(c, "layernorm", dgamma, "dgamma", dbeta, "dbeta", gamma, "gamma");
        g.task(LN_BWD_DATA, Range.of(rows), dx, dy, x, mean, rstd, gamma, rows, c);
        g.task(LN_BWD_PARAMS, Range.of(c), dgamma, dbeta, dy, x, mean, rstd, rows, c);
    }

    private static void sizes(String op, int rows, int c) {
        if (rows <= 0 || c <= 0) throw new IllegalArgumentException(op + ": sizes must be positive, got rows=" + rows + " C=" + c);
    }

    /** Checks that each view, given as (view, what) pairs, holds n floats. */
    private static void require(int n, String op, Object... viewsAndNames) {
        for (int i = 0; i < viewsAndNames.length; i += 2) ((View) viewsAndNames[i]).require(n, op + " " + viewsAndNames[i + 1]);
    }
}
