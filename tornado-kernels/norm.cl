// norm.cl — BatchNorm1d (training and inference) and LayerNorm over the channels of [rows, C]
// activations (kernels/Norm.java).
// Reductions over rows (BatchNorm statistics and backward, LayerNorm parameter sums) run one work item
// per channel looping over the rows in order: deterministic, the cpu body's order, and coalesced across
// channels. Reductions over channels (LayerNorm) run one work item per row. Accumulators are double,
// and the float/double conversions follow the cpu bodies so both backends round the same way.

// Batch statistics per channel: mean, then the biased variance around it (two passes); rstd, and the
// running statistics (running_var takes the unbiased variance, factor rows/(rows - 1), as PyTorch does).
__kernel void batchnorm_stats(__global float* mean, int mo, __global float* rstd, int so,
                              __global float* rm, int rmo, __global float* rv, int rvo,
                              __global const float* x, int xo, int rows, int c, float eps, float momentum) {
    int j = get_global_id(0);
    if (j >= c) return;
    double mu = 0.0, sq = 0.0;
    for (int r = 0; r < rows; r++) mu += x[xo + r * c + j];
    mu /= rows;
    for (int r = 0; r < rows; r++) {
        double d = x[xo + r * c + j] - mu;
        sq += d * d;
    }
    double var = sq / rows, mom = momentum;
    mean[mo + j] = (float) mu;
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

// Shared by both BatchNorm backwards, one work item per channel: sum dy and dy*xhat over the rows in
// order, then dbeta, dgamma and the dx column of that channel. With batch statistics the mean and
// variance depend on x, which adds the -sum(dy)/n - xhat*sum(dy*xhat)/n terms to dx.
inline void bn_backward(__global float* dx, int dxo, __global float* dg, int dgo, __global float* db, int dbo,
                        __global const float* dy, int dyo, __global const float* x, int xo,
                        float m, float rs, __global const float* gamma, int go, int rows, int c, int j, int batch_stats) {
    double sdy = 0.0, sdyx = 0.0;
    for (int r = 0; r < rows; r++) {
        float g = dy[dyo + r * c + j], xh = (x[xo + r * c + j] - m) * rs;
        sdy += g;
        sdyx += (double) g * xh;
    }
    dg[dgo + j] = (float) ((double) dg[dgo + j] + sdyx);
    db[dbo + j] = (float) ((double) db[dbo + j] + sdy);
    float k = gamma[go + j] * rs;
    float mdy = batch_stats ? (float) (sdy / rows) : 0.0f;
    float mdyx = batch_stats ? (float) (sdyx / rows) : 0.0f;
    for (int r = 0; r < rows; r++) {
        int e = r * c + j;
        float xh = (x[xo + e] - m) * rs;
        dx[dxo + e] += k * (dy[dyo + e] - mdy - xh * mdyx);
    }
}

__kernel void batchnorm_bwd(__global float* dx, int dxo, __global float* dg, int dgo, __global float* db, int dbo,
                            __global const float* dy, int dyo, __global const float* x, int xo,
                            __global const float* mean, int mo, __global const float* rstd, int so,
                            __global const float* gamma, int go, int rows, int c) {
    int j = get_global_id(0);
    if (j >= c) return;
    bn_backward(dx, dxo, dg, dgo, db, dbo, dy, dyo, x, xo, mean[mo + j], rstd[so + j], gamma, go, rows, c, j, 1);
}

__kernel void batchnorm_infer_bwd(__global float* dx, int dxo, __global float* dg, int dgo, __global float* db, int dbo,
                                  __global const float* dy, int dyo, __global const float* x, int xo,
                                  __global const float* rm, int rmo, __global const float* rv, int rvo,
                                  __global const float* gamma, int go, int rows, int c, float eps) {
    int j = get_global_id(0);
    if (j >= c) return;
    bn_backward(dx, dxo, dg, dgo, db, dbo, dy, dyo, x, xo, rm[rmo + j], rstd_of_var(rv[rvo + j], eps), gamma, go, rows, c, j, 0);
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

// One work item per channel, rows in order: dgamma += sum dy*xhat, dbeta += sum dy, xhat from the
// saved per-row statistics.
__kernel void layernorm_bwd_params(__global float* dg, int dgo, __global float* db, int dbo,
                                   __global const float* dy, int dyo, __global const float* x, int xo,
                                   __global const float* mean, int mo, __global const float* rstd, int so, int rows, int c) {
    int j = get_global_id(0);
    if (j >= c) return;
    double sdy = 0.0, sdyx = 0.0;
    for (int r = 0; r < rows; r++) {
        float g = dy[dyo + r * c + j], xh = (x[xo + r * c + j] - mean[mo + r]) * rstd[so + r];
        sdy += g;
        sdyx += (double) g * xh;
    }
    dg[dgo + j] = (float) ((double) dg[dgo + j] + sdyx);
    db[dbo + j] = (float) ((double) db[dbo + j] + sdy);
}
