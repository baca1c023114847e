package org.voxkd.bench;

import java.util.Locale;
import java.util.Map;

/**
 * Where a profiled step's time goes, by kind of kernel: GEMM (the BLAS routines), reductions (kernels that sum over rows,
 * time or a whole tensor: norms' statistics and backward, bias gradients, softmax over time, pooling, losses, Adam's
 * sums), element-wise (everything else: activations, dropout, bias, im2col, the LSTM cell, Adam), and host work (the
 * step's wall time outside the kernels: replay dispatch, transfers, metrics). The kind of a kernel is read from its name.
 */
final class ProfileShares {
    private ProfileShares() {}

    enum Kind { GEMM, REDUCTION, ELEMENTWISE }

    static Kind kind(String kernel) {
        if (kernel.startsWith("sgemm") || kernel.startsWith("gemm")) return Kind.GEMM;
        if (kernel.matches("sumsq|bias_grad|batchnorm_stats|batchnorm_bwd|layernorm_fwd|layernorm_bwd_data|layernorm_bwd_params"
                + "|softmax_time_.*|attn_stats_.*|time_mean_.*|l2norm_.*|margin_ce|kd_rows|mean_scaled|feature_mse_rows|rkd_.*|label_kd_rows"
                + "|confidence_weights|depthwise3_bwd_weight"))
            return Kind.REDUCTION;
        return Kind.ELEMENTWISE;
    }

    /**
     * One line: launches per step and the share of the step's wall time ({@code wallMs}) in each kind and in host work,
     * from {@code totals} ({total ns, launches} per task "scope/kernel") summed over {@code steps} steps.
     */
    static String line(Map<String, long[]> totals, int steps, double wallMs) {
        double[] ms = new double[Kind.values().length];
        long launches = 0;
        for (Map.Entry<String, long[]> e : totals.entrySet()) {
            String name = e.getKey(), kernel = name.substring(name.lastIndexOf('/') + 1);
            ms[kind(kernel).ordinal()] += e.getValue()[0] / 1e6 / steps;
            launches += e.getValue()[1];
        }
        double tasks = ms[0] + ms[1] + ms[2], wall = Math.max(wallMs, tasks), host = wall - tasks;
        return String.format(Locale.ROOT, "  %d launches per step; of %.1f ms (profiled steps, --clock): GEMM %.0f%%, element-wise %.0f%%, reductions %.0f%%, host %.0f%%",
                launches / steps, wall, 100 * ms[0] / wall, 100 * ms[2] / wall, 100 * ms[1] / wall, 100 * host / wall);
    }
}
