// pooling.cl — softmax over time and attentive statistics (kernels/Pooling.java).
// Reductions over time: one work item per (utterance b, channel j) loops over the frames in order with double
// accumulators, exactly as the cpu bodies do per channel (their blocks of 64 channels are only a cpu work split).
// Rows are frames: element (b, s, j) of a [B, T, C] tensor is at (b*T + s)*C + j.

#define VAR_FLOOR 1e-5
// attn_stats_bwd, SCALAR variant: one work group per utterance (its reqd_work_group_size, which the opencl
// backend honours) and Pooling.STATS_GROUP, which sizes the launch, must be equal.
#define STATS_GROUP 64
// Frames each work item of that group accumulates per pass (a pass covers STATS_GROUP * STATS_FRAMES frames).
#define STATS_FRAMES 8

// ---- softmax over time ----

// w = exp(x - max_t) / sum_t exp(x - max_t) per (b, j). w may alias x: each element of the column is read
// before this work item overwrites it, and no other work item touches the column.
__kernel void softmax_time_fwd(__global float* w, int wo, __global const float* x, int xo, int batch, int t, int c) {
    int id = get_global_id(0);
    if (id >= batch * c) return;
    int b = id / c, j = id - b * c, base = b * t * c + j;
    double max = -INFINITY, sum = 0.0;
    for (int s = 0; s < t; s++) max = fmax(max, (double) x[xo + base + s * c]);
    for (int s = 0; s < t; s++) {
        // Rounded to float before summing, as the cpu body sums the values it stores.
        float e = (float) exp((double) x[xo + base + s * c] - max);
        w[wo + base + s * c] = e;
        sum += e;
    }
    for (int s = 0; s < t; s++) w[wo + base + s * c] = (float) ((double) w[wo + base + s * c] / sum);
}

// dx += w * (dw - sum_t w*dw) per (b, j).
__kernel void softmax_time_bwd(__global float* dx, int dxo, __global const float* dw, int dwo,
                               __global const float* w, int wo, int batch, int t, int c) {
    int id = get_global_id(0);
    if (id >= batch * c) return;
    int b = id / c, j = id - b * c, base = b * t * c + j;
    double dot = 0.0;
    for (int s = 0; s < t; s++) dot += (double) w[wo + base + s * c] * dw[dwo + base + s * c];
    for (int s = 0; s < t; s++) {
        int i = base + s * c;
        dx[dxo + i] += (float) (w[wo + i] * ((double) dw[dwo + i] - dot));
    }
}

// ---- weighted statistics ----

// Channel j of utterance b: mu = sum_t w*x, the variance of the variant, and q = sum_t w*(x - mu) (SCALAR: w is
// [B, T, 1], centred variance in a second pass around the finished mean) or q = mu (CHANNEL: w is [B, T, C],
// uncentred variance sum_t w*x^2 - mu^2). Same order and precision as Pooling.moments.
inline void stats_moments(__global const float* x, int xo, __global const float* w, int wo, int b, int j,
                          int t, int c, int scalar, double* mu, double* var, double* q) {
    int wc = scalar ? 1 : c;
    double m = 0.0, v = 0.0;
    for (int s = 0; s < t; s++) {
        double xv = x[xo + (b * t + s) * c + j];
        double wx = w[wo + (b * t + s) * wc + (scalar ? 0 : j)] * xv;
        m += wx;
        if (!scalar) v += wx * xv;
    }
    if (!scalar) {
        *mu = m;
        *var = v - m * m;
        *q = m;
        return;
    }
    double qq = 0.0;
    for (int s = 0; s < t; s++) {
        double wv = w[wo + b * t + s], d = x[xo + (b * t + s) * c + j] - m;
        v += wv * d * d;
        qq += wv * d;
    }
    *mu = m;
    *var = v;
    *q = qq;
}

// The backward coefficients of channel j: ds = dsigma/sigma above the variance floor (else 0: the clamp passes
// no gradient), the centre m (mu for SCALAR, 0 for CHANNEL) and dmu' = dmu - ds*q.
inline void stats_coeffs(__global const float* dy, int dyo, __global const float* x, int xo, __global const float* w,
                         int wo, int b, int j, int t, int c, int scalar, double* dmu, double* ds, double* centre) {
    double mu, var, q;
    stats_moments(x, xo, w, wo, b, j, t, c, scalar, &mu, &var, &q);
    double sigma = sqrt(fmax(var, VAR_FLOOR));
    double dsv = var > VAR_FLOOR ? dy[dyo + b * 2 * c + c + j] / sigma : 0.0;
    *centre = scalar ? mu : 0.0;
    *dmu = dy[dyo + b * 2 * c + j] - dsv * q;
    *ds = dsv;
}

// y[b] = [mu | sigma]; one work item per (b, j) in both variants (the launch covers B*C items).
__kernel void attn_stats_fwd(__global float* y, int yo, __global const float* x, int xo, __global const float* w, int wo,
                             int batch, int t, int c, int mode) {
    int id = get_global_id(0);
    if (id >= batch * c) return;
    int b = id / c, j = id - b * c;
    double mu, var, q;
    stats_moments(x, xo, w, wo, b, j, t, c, mode != 0, &mu, &var, &q);
    y[yo + b * 2 * c + j] = (float) mu;
    y[yo + b * 2 * c + c + j] = (float) sqrt(fmax(var, VAR_FLOOR));
}

// dx += w*(dmu' + ds*(x - m)),  dw += dmu'*x + ds/2*(x - m)^2  (summed over channels for SCALAR).
//
// CHANNEL (mode 0, launch B*C items): one work item per (b, j) owns dx and dw of its channel.
// SCALAR (mode 1, launch B*STATS_GROUP items): dw[b, s] sums over every channel, so one work group owns an
// utterance. Channels go in blocks of STATS_GROUP: item l computes the coefficients of channel c0 + l (and its
// dx column) and shares them in local memory; then each item adds the block's terms to the double accumulators
// of its own frames, channels in order. Every dw[b, s] is therefore one double sum over channels 0..C-1 in
// order, rounded once, as on cpu; no element is written by two work items.
__kernel __attribute__((reqd_work_group_size(STATS_GROUP, 1, 1)))
void attn_stats_bwd(__global float* dx, int dxo, __global float* dw, int dwo, __global const float* dy, int dyo,
                    __global const float* x, int xo, __global const float* w, int wo, int batch, int t, int c, int mode) {
    __local double l_dmu[STATS_GROUP], l_ds[STATS_GROUP], l_centre[STATS_GROUP];
    if (mode == 0) {
        int id = get_global_id(0);
        if (id < batch * c) {
            int b = id / c, j = id - b * c;
            double dmu, ds, centre;
            stats_coeffs(dy, dyo, x, xo, w, wo, b, j, t, c, 0, &dmu, &ds, &centre);
            for (int s = 0; s < t; s++) {
                int i = (b * t + s) * c + j;
                double xv = x[xo + i], wv = w[wo + i], d = xv - centre;
                dx[dxo + i] += (float) (wv * (dmu + ds * d));
                dw[dwo + i] += (float) (dmu * xv + 0.5 * ds * d * d);
            }
        }
    } else {
        // Barriers below are reached by the whole group: every bound in these loops is uniform over it.
        int b = get_group_id(0), lid = get_local_id(0);
        if (b < batch) {
            // Passes over frame chunks keep the per-item accumulators bounded; the coefficients are recomputed
            // per pass (one pass for T <= STATS_GROUP * STATS_FRAMES), and dx is updated in the first only.
            for (int s0 = 0; s0 < t; s0 += STATS_GROUP * STATS_FRAMES) {
                double acc[STATS_FRAMES];
                for (int k = 0; k < STATS_FRAMES; k++) acc[k] = 0.0;
                for (int c0 = 0; c0 < c; c0 += STATS_GROUP) {
                    int j = c0 + lid;
                    if (j < c) {
                        double dmu, ds, centre;
                        stats_coeffs(dy, dyo, x, xo, w, wo, b, j, t, c, 1, &dmu, &ds, &centre);
                        l_dmu[lid] = dmu;
                        l_ds[lid] = ds;
                        l_centre[lid] = centre;
                        if (s0 == 0)
                            for (int s = 0; s < t; s++) {
                                int i = (b * t + s) * c + j;
                                double wv = w[wo + b * t + s];
                                dx[dxo + i] += (float) (wv * (dmu + ds * ((double) x[xo + i] - centre)));
                            }
                    }
                    barrier(CLK_LOCAL_MEM_FENCE);
                    int c1 = min(c, c0 + STATS_GROUP);
                    for (int k = 0; k < STATS_FRAMES; k++) {
                        int s = s0 + k * STATS_GROUP + lid;
                        if (s >= t) break;
                        int r = xo + (b * t + s) * c;
                        for (int jj = c0; jj < c1; jj++) {
                            double xv = x[r + jj], d = xv - l_centre[jj - c0];
                            acc[k] += l_dmu[jj - c0] * xv + 0.5 * l_ds[jj - c0] * d * d;
                        }
                    }
                    barrier(CLK_LOCAL_MEM_FENCE); // the next block overwrites the shared coefficients
                }
                for (int k = 0; k < STATS_FRAMES; k++) {
                    int s = s0 + k * STATS_GROUP + lid;
                    if (s < t) dw[dwo + b * t + s] += (float) acc[k];
                }
            }
        }
    }
}
