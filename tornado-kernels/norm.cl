// norm.cl — BatchNorm1d (training and inference) and LayerNorm over the channels of [rows, C]
// activations (kernels/Norm.java).
// Reductions over rows (BatchNorm statistics and backward, LayerNorm parameter sums) are two-launch work-group
// reductions (common.cl, engine/opencl/Reductions.java): many work groups per channel block, a fixed-order tree
// and a fixed-order final, so a GPU runs them in parallel and the bits never change. Reductions over channels
// (LayerNorm) run one work item per row. Accumulators are double, and the float/double conversions follow the
// cpu bodies so both backends round the same way.

// Batch statistics, launches 2-4 of 4 (launch 1 is linear.cl's colsum_partial over x): the mean, then the
// biased variance around it (two passes, double sums), rstd, and the running statistics (running_var takes the
// unbiased variance, factor rows/(rows - 1), as PyTorch does).
__kernel void bn_mean_final(__global float* mean, int mo, __global const double* part, int po, int chunks, int rows, int c) {
    int j = get_global_id(0);
    if (j >= c) return;
    mean[mo + j] = (float) (red_total(part, po, chunks, c, j, 1, 0) / rows);
}

__kernel void bn_var_partial(__global double* part, int po, __global const float* x, int xo, __global const float* mean, int mo,
                             int rows, int c, int chunk) {
    __local double s[RED_X * RED_Y];
    RED_ROWS(rows, chunk, c)
    double acc[1] = {0.0};
    if (live) {
        double m = mean[mo + j];
        for (int r = r0 + get_local_id(1); r < r1; r += RED_Y) {
            double d = x[xo + r * c + j] - m;
            acc[0] += d * d;
        }
    }
    red_store(s, part, po, acc, 1, c);
}

__kernel void bn_stats_final(__global float* rstd, int so, __global float* rm, int rmo, __global float* rv, int rvo,
                             __global const float* mean, int mo, __global const double* part, int po, int chunks, int rows, int c,
                             float eps, float momentum) {
    int j = get_global_id(0);
    if (j >= c) return;
    double var = red_total(part, po, chunks, c, j, 1, 0) / rows, mom = momentum, mu = mean[mo + j];
    rstd[so + j] = (float) (1.0 / sqrt(var + (double) eps));
    rm[rmo + j] = (float) ((1.0 - mom) * rm[rmo + j] + mom * mu);
    rv[rvo + j] = (float) ((1.0 - mom) * rv[rvo + j] + mom * var * rows / (rows - 1));
}

// y = (x - mean[j]) * (rstd[j] * gamma[j]) + beta[j]; one work item per element.
inline void bn_affine(__global float* y, int yo, __global const float* x, int xo, float m, float rs,
                      __global const float* gamma, int go, __global const float* beta, int bo, int i, int j) {
    float scale = rs * gamma[go + j];
    y[yo + i] = (x[xo + i] - m) * scale + beta[bo + j];
}

__kernel void batchnorm_apply(__global float* y, int yo, __global const float* x, int xo,
                              __global const float* mean, int mo, __global const float* rstd, int so,
                              __global const float* gamma, int go, __global const float* beta, int bo, int rows, int c) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    int j = i % c;
    bn_affine(y, yo, x, xo, mean[mo + j], rstd[so + j], gamma, go, beta, bo, i, j);
}

// rstd from a running variance, rounded to float as the cpu body does.
inline float rstd_of_var(float var, float eps) { return (float) (1.0 / sqrt((double) var + (double) eps)); }

__kernel void batchnorm_infer_fwd(__global float* y, int yo, __global const float* x, int xo,
                                  __global const float* rm, int rmo, __global const float* rv, int rvo,
                                  __global const float* gamma, int go, __global const float* beta, int bo,
                                  int rows, int c, float eps) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    int j = i % c;
    bn_affine(y, yo, x, xo, rm[rmo + j], rstd_of_var(rv[rvo + j], eps), gamma, go, beta, bo, i, j);
}

// The training BatchNorm backward in three launches, x-hat from the batch's saved (mean, rstd).
// Launch 1: sum dy and sum dy*xhat over each chunk of rows.
__kernel void bn_bwd_partial(__global double* part, int po, __global const float* dy, int dyo, __global const float* x, int xo,
                             __global const float* mean, int mo, __global const float* rstd, int so, int rows, int c, int chunk) {
    __local double s[RED_X * RED_Y];
    RED_ROWS(rows, chunk, c)
    double acc[2] = {0.0, 0.0};
    if (live) {
        float mj = mean[mo + j], rs = rstd[so + j];
        for (int r = r0 + get_local_id(1); r < r1; r += RED_Y) {
            float g = dy[dyo + r * c + j], xh = (x[xo + r * c + j] - mj) * rs;
            acc[0] += g;
            acc[1] += (double) g * xh;
        }
    }
    red_store(s, part, po, acc, 2, c);
}

// Launch 2, per channel: dbeta += sum dy, dgamma += sum dy*xhat; coef[j] = (gamma*rstd, mean dy, mean dy*xhat) for
// launch 3.
__kernel void bn_bwd_final(__global float* dg, int dgo, __global float* db, int dbo, __global double* coef, int co,
                           __global const double* part, int po, __global const float* gamma, int go,
                           __global const float* rstd, int so, int chunks, int rows, int c) {
    int j = get_global_id(0);
    if (j >= c) return;
    double sdy = red_total(part, po, chunks, c, j, 2, 0), sdyx = red_total(part, po, chunks, c, j, 2, 1);
    dg[dgo + j] = (float) ((double) dg[dgo + j] + sdyx);
    db[dbo + j] = (float) ((double) db[dbo + j] + sdy);
    coef[co + 3 * j] = gamma[go + j] * rstd[so + j];
    coef[co + 3 * j + 1] = (float) (sdy / rows);
    coef[co + 3 * j + 2] = (float) (sdyx / rows);
}

// Launch 3, one work item per element: dx += k*(dy - mean dy - xhat*mean dy*xhat).
__kernel void bn_bwd_dx(__global float* dx, int dxo, __global const float* dy, int dyo, __global const float* x, int xo,
                        __global const float* mean, int mo, __global const float* rstd, int so,
                        __global const double* coef, int co, int rows, int c) {
    int e = get_global_id(0);
    if (e >= rows * c) return;
    int j = e % c;
    float xh = (x[xo + e] - mean[mo + j]) * rstd[so + j];
    float k = (float) coef[co + 3 * j], mdy = (float) coef[co + 3 * j + 1], mdyx = (float) coef[co + 3 * j + 2];
    dx[dxo + e] += k * (dy[dyo + e] - mdy - xh * mdyx);
}

// One work item per row: mean, biased variance (two passes, double), rstd; y = (x - mean)*rstd*gamma + beta.
__kernel void layernorm_fwd(__global float* y, int yo, __global float* mean, int mo, __global float* rstd, int so,
                            __global const float* x, int xo, __global const float* gamma, int go,
                            __global const float* beta, int bo, int rows, int c, float eps) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int xr = xo + r * c, yr = yo + r * c;
    double s = 0.0, sq = 0.0;
    for (int j = 0; j < c; j++) s += x[xr + j];
    double m = s / c;
    for (int j = 0; j < c; j++) {
        double d = x[xr + j] - m;
        sq += d * d;
    }
    float mf = (float) m, rs = (float) (1.0 / sqrt(sq / c + (double) eps));
    mean[mo + r] = mf;
    rstd[so + r] = rs;
    for (int j = 0; j < c; j++) y[yr + j] = (x[xr + j] - mf) * rs * gamma[go + j] + beta[bo + j];
}

// One work item per row: dx += rstd*(dxh - mean_c(dxh) - xhat*mean_c(dxh*xhat)), dxh = dy*gamma.
__kernel void layernorm_bwd_data(__global float* dx, int dxo, __global const float* dy, int dyo,
                                 __global const float* x, int xo, __global const float* mean, int mo,
                                 __global const float* rstd, int so, __global const float* gamma, int go, int rows, int c) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int row = r * c;
    float m = mean[mo + r], rs = rstd[so + r];
    double s1 = 0.0, s2 = 0.0;
    for (int j = 0; j < c; j++) {
        float g = dy[dyo + row + j] * gamma[go + j], xh = (x[xo + row + j] - m) * rs;
        s1 += g;
        s2 += (double) g * xh;
    }
    float m1 = (float) (s1 / c), m2 = (float) (s2 / c);
    for (int j = 0; j < c; j++) {
        float g = dy[dyo + row + j] * gamma[go + j], xh = (x[xo + row + j] - m) * rs;
        dx[dxo + row + j] += rs * (g - m1 - xh * m2);
    }
}

// LayerNorm parameter gradients in two launches: per chunk of rows sum dy and dy*xhat (xhat from the saved
// per-row statistics), then per channel dbeta += sum dy, dgamma += sum dy*xhat.
__kernel void ln_params_partial(__global double* part, int po, __global const float* dy, int dyo, __global const float* x, int xo,
                                __global const float* mean, int mo, __global const float* rstd, int so, int rows, int c, int chunk) {
    __local double s[RED_X * RED_Y];
    RED_ROWS(rows, chunk, c)
    double acc[2] = {0.0, 0.0};
    if (live)
        for (int r = r0 + get_local_id(1); r < r1; r += RED_Y) {
            float g = dy[dyo + r * c + j], xh = (x[xo + r * c + j] - mean[mo + r]) * rstd[so + r];
            acc[0] += g;
            acc[1] += (double) g * xh;
        }
    red_store(s, part, po, acc, 2, c);
}

__kernel void ln_params_final(__global float* dg, int dgo, __global float* db, int dbo, __global const double* part, int po,
                              int chunks, int c) {
    int j = get_global_id(0);
    if (j >= c) return;
    dg[dgo + j] = (float) ((double) dg[dgo + j] + red_total(part, po, chunks, c, j, 2, 1));
    db[dbo + j] = (float) ((double) db[dbo + j] + red_total(part, po, chunks, c, j, 2, 0));
}
