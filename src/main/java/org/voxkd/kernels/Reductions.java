package org.voxkd.kernels;

import java.util.List;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Lowering;
import org.voxkd.engine.Lowering.ScratchArg;
import org.voxkd.engine.Lowering.Stage;
import org.voxkd.engine.Lowering.TaskArg;

/**
 * The OpenCL form of the kernels that reduce over many rows (their {@link Lowering}, declared beside each kernel):
 * instead of one work item per channel looping over all B·T rows (12,800 at paper shapes, which serialises a GPU),
 * each runs as a few launches —
 * <pre>
 *   partial:  work groups of RED_X channels × RED_Y lanes, one per (channel block, chunk of rows): lanes sum rows in
 *             order, a fixed tree folds the lanes, one double per (chunk, channel) goes to the backend's scratch
 *   final:    one work item per channel adds its chunks in order (and writes the gradient, statistic, …)
 *   [dx:      BatchNorm's backward then updates dx element by element]
 * </pre>
 * (tornado-kernels/common.cl). The chunking depends only on the shape, so a given shape always sums in the same
 * order: bits are reproducible on a device, without float atomics. The cpu bodies are unchanged; the two
 * backends agree within float tolerance (BackendParityTest).
 */
final class Reductions {
    private Reductions() {}

    /** Work-group shape of the partial launches (must match RED_X, RED_Y in common.cl). */
    static final int RED_X = 16, RED_Y = 16;
    /** Rows each chunk covers at least, and the most chunks (work groups per channel block). */
    static final int MIN_CHUNK_ROWS = 256, MAX_CHUNKS = 64;
    /** Work-group size of the sum of squares (SQ_GROUP in tensor.cl), elements per group at least, most groups. */
    static final int SQ_GROUP = 256, SQ_MIN_ELEMENTS = 4096, SQ_MAX_GROUPS = 256;

    /** Chunks for {@code rows} rows: as many as keep each at least {@link #MIN_CHUNK_ROWS} rows, at most {@link #MAX_CHUNKS}. */
    static int chunks(int rows) { return Math.max(1, Math.min(MAX_CHUNKS, rows / MIN_CHUNK_ROWS)); }

    /** Rows per chunk when {@code rows} rows are split into {@code chunks} chunks. */
    static int chunkRows(int rows, int chunks) { return ceil(rows, chunks); }

    static int ceil(int n, int d) { return (n + d - 1) / d; }

    private static long up(long n, long m) { return (Math.max(n, 1) + m - 1) / m * m; }

    /** Argument {@code i} of the recorded task. */
    static TaskArg t(int i) { return new TaskArg(i); }

    /** The backend's scratch from double {@code offset}. */
    static ScratchArg scratch(int offset) { return new ScratchArg(offset); }

    /** The partial launch over a [rows, c] tensor. */
    static Stage partial(Kernel k, int rows, int c, Object... args) {
        int p = chunks(rows);
        return new Stage(k, new long[] {up(c, RED_X), (long) p * RED_Y}, new long[] {RED_X, RED_Y}, List.of(args));
    }

    /** A launch of one work item per channel (or per element, for n = rows·c). */
    static Stage perItem(Kernel k, long n, Object... args) {
        return new Stage(k, new long[] {up(n, 64)}, new long[] {64}, List.of(args));
    }
}
