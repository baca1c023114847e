package org.voxkd.engine.opencl;

import java.util.List;
import org.voxkd.engine.Task;

/**
 * The OpenCL form of the kernels that reduce over many rows: instead of one work item per channel looping over
 * all B·T rows (12,800 at paper shapes, which serialises a GPU), each runs as a few launches —
 * <pre>
 *   partial:  work groups of RED_X channels × RED_Y lanes, one per (channel block, chunk of rows): lanes sum rows in
 *             order, a fixed tree folds the lanes, one double per (chunk, channel) goes to the backend's scratch
 *   final:    one work item per channel adds its chunks in order (and writes the gradient, statistic, …)
 *   [dx:      BatchNorm's backward then updates dx element by element]
 * </pre>
 * (tornado-kernels/common.cl). The chunking depends only on the shape, so a given shape always sums in the same
 * order: bits are reproducible on a device, without float atomics. The cpu bodies are unchanged; the two
 * backends agree within float tolerance as before (BackendParityTest).
 */
final class Reductions {
    private Reductions() {}

    /** Work-group shape of the partial launches (must match RED_X, RED_Y in common.cl). */
    static final int RED_X = 16, RED_Y = 16;
    /** Rows each chunk covers at least, and the most chunks (work groups per channel block). */
    static final int MIN_CHUNK_ROWS = 256, MAX_CHUNKS = 64;
    /** Work-group size of the sum of squares (SQ_GROUP in tensor.cl), elements per group at least, most groups. */
    static final int SQ_GROUP = 256, SQ_MIN_ELEMENTS = 4096, SQ_MAX_GROUPS = 256;

    /** An argument of a stage: argument {@code index} of the recorded task, as recorded. */
    record TaskArg(int index) {}

    /** An argument of a stage: the backend's scratch buffer (doubles) and an offset into it. */
    record ScratchArg(int offset) {}

    /**
     * One launch: kernel {@code name} of tornado-kernels/{@code family}.cl over {@code global} items in work groups of
     * {@code local}; {@code args} are {@link TaskArg}, {@link ScratchArg}, Integer or Float.
     */
    record Stage(String family, String name, long[] global, long[] local, List<Object> args) {}

    /** The stages of one task and the scratch doubles they need. */
    record Plan(List<Stage> stages, long scratch) {}

    /** Chunks for {@code rows} rows: as many as keep each at least {@link #MIN_CHUNK_ROWS} rows, at most {@link #MAX_CHUNKS}. */
    static int chunks(int rows) { return Math.max(1, Math.min(MAX_CHUNKS, rows / MIN_CHUNK_ROWS)); }

    private static long up(long n, long m) { return (Math.max(n, 1) + m - 1) / m * m; }

    private static TaskArg t(int i) { return new TaskArg(i); }

    /** The partial launch over a [rows, c] tensor. */
    private static Stage partial(String family, String name, int rows, int c, Object... args) {
        int p = chunks(rows);
        return new Stage(family, name, new long[] {up(c, RED_X), (long) p * RED_Y}, new long[] {RED_X, RED_Y}, List.of(args));
    }

    /** A launch of one work item per channel (or per element, for n = rows·c). */
    private static Stage perItem(String family, String name, long n, Object... args) {
        return new Stage(family, name, new long[] {up(n, 64)}, new long[] {64}, List.of(args));
    }

    /** The plan of {@code task} when its kernel is one of these reductions, else null (a plain single launch). */
    static Plan of(Task task) {
        Object[] a = task.args();
        String k = task.kernel().family() + "/" + task.kernel().name();
        switch (k) {
            case "linear/bias_grad": { // db, dy, rows, c
                int rows = (Integer) a[2], c = (Integer) a[3], p = chunks(rows), chunk = ceil(rows, p);
                return new Plan(List.of(
                        partial("linear", "colsum_partial", rows, c, new ScratchArg(0), t(1), rows, c, chunk),
                        perItem("linear", "bias_grad_final", c, t(0), new ScratchArg(0), p, c)), (long) p * c);
            }
            case "norm/batchnorm_stats": { // mean, rstd, runMean, runVar, x, rows, c, eps, momentum
                int rows = (Integer) a[5], c = (Integer) a[6], p = chunks(rows), chunk = ceil(rows, p);
                return new Plan(List.of(
                        partial("linear", "colsum_partial", rows, c, new ScratchArg(0), t(4), rows, c, chunk),
                        perItem("norm", "bn_mean_final", c, t(0), new ScratchArg(0), p, rows, c),
                        partial("norm", "bn_var_partial", rows, c, new ScratchArg(0), t(4), t(0), rows, c, chunk),
                        perItem("norm", "bn_stats_final", c, t(1), t(2), t(3), t(0), new ScratchArg(0), p, rows, c, t(7), t(8))), (long) p * c);
            }
            case "norm/batchnorm_bwd":       // dx, dgamma, dbeta, dy, x, mean, rstd, gamma, rows, c
            case "norm/batchnorm_infer_bwd": { // ..., runMean, runVar, gamma, rows, c, eps
                boolean infer = k.endsWith("infer_bwd");
                int rows = (Integer) a[8], c = (Integer) a[9], p = chunks(rows), chunk = ceil(rows, p), coef = 2 * p * c;
                Object fromVar = infer ? 1 : 0, eps = infer ? t(10) : (Object) 0f;
                return new Plan(List.of(
                        partial("norm", "bn_bwd_partial", rows, c, new ScratchArg(0), t(3), t(4), t(5), t(6), fromVar, eps, rows, c, chunk),
                        perItem("norm", "bn_bwd_final", c, t(1), t(2), new ScratchArg(coef), new ScratchArg(0), t(7), t(6), fromVar, eps, p, rows, c,
                                infer ? 0 : 1),
                        perItem("norm", "bn_bwd_dx", (long) rows * c, t(0), t(3), t(4), t(5), t(6), fromVar, eps, new ScratchArg(coef), rows, c)),
                        (long) coef + 3L * c);
            }
            case "norm/layernorm_bwd_params": { // dgamma, dbeta, dy, x, mean, rstd, rows, c
                int rows = (Integer) a[6], c = (Integer) a[7], p = chunks(rows), chunk = ceil(rows, p);
                return new Plan(List.of(
                        partial("norm", "ln_params_partial", rows, c, new ScratchArg(0), t(2), t(3), t(4), t(5), rows, c, chunk),
                        perItem("norm", "ln_params_final", c, t(0), t(1), new ScratchArg(0), p, c)), 2L * p * c);
            }
            case "tensor/sumsq": { // out, x, n
                int n = (Integer) a[2], groups = Math.max(1, Math.min(SQ_MAX_GROUPS, n / SQ_MIN_ELEMENTS)), chunk = ceil(n, groups);
                return new Plan(List.of(
                        new Stage("tensor", "sumsq_partial", new long[] {(long) groups * SQ_GROUP}, new long[] {SQ_GROUP},
                                List.of(new ScratchArg(0), t(1), n, chunk)),
                        new Stage("tensor", "sumsq_final", new long[] {1}, new long[] {1}, List.of(t(0), new ScratchArg(0), groups))), groups);
            }
            default:
                return null;
        }
    }

    private static int ceil(int n, int d) { return (n + d - 1) / d; }
}
