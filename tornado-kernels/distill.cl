// distill.cl — feature matching, relational KD, label-level KD and teacher mixing (kernels/Distill.java).
// One work item per output row (or element); every sum runs in index order with double accumulators, as on cpu.

#define L2_EPS 1e-12

// y[b, c] = sum_t x[b, t, c] / T; one work item per (b, c).
__kernel void time_mean_fwd(__global float* y, int yo, __global const float* x, int xo, int b, int t, int c) {
    int id = get_global_id(0);
    if (id >= b * c) return;
    int bi = id / c, ci = id - bi * c;
    double s = 0.0;
    for (int f = 0; f < t; f++) s += x[xo + (bi * t + f) * c + ci];
    y[yo + id] = (float) (s / t);
}

// dx[b, t, c] += dy[b, c] / T; one work item per element.
__kernel void time_mean_bwd(__global float* dx, int dxo, __global const float* dy, int dyo, int b, int t, int c) {
    int id = get_global_id(0);
    if (id >= b * t * c) return;
    int r = id / c, ci = id - r * c, bi = r / t;
    dx[dxo + id] = dx[dxo + id] + (float) (dy[dyo + bi * c + ci] / (double) t);
}

// Per row: loss_r = sum_i (a - t)^2 / D, da += weight/N * 2(a - t)/D.
__kernel void feature_mse_rows(__global float* rl, int rlo, __global float* da, int dao, __global const float* av, int ao,
                               __global const float* tv, int to, int n, int d, float weight) {
    int r = get_global_id(0);
    if (r >= n) return;
    double g = weight / (double) n, s = 0.0;
    for (int i = 0; i < d; i++) {
        double e = (double) av[ao + r * d + i] - (double) tv[to + r * d + i];
        s += e * e;
        da[dao + r * d + i] = (float) (da[dao + r * d + i] + g * 2 * e / d);
    }
    rl[rlo + r] = (float) (s / d);
}

// dist[i, j] = ||x_i - x_j|| (0 on the diagonal); one work item per row i.
__kernel void rkd_pdist(__global float* dist, int dso, __global const float* x, int xo, int b, int d) {
    int i = get_global_id(0);
    if (i >= b) return;
    for (int j = 0; j < b; j++) {
        double s = 0.0;
        if (j != i)
            for (int k = 0; k < d; k++) {
                double e = (double) x[xo + i * d + k] - (double) x[xo + j * d + k];
                s += e * e;
            }
        dist[dso + i * b + j] = (float) sqrt(s);
    }
}

// The distance-wise relational loss and the pair coefficients of its gradient (one work item; see Distill.java).
__kernel void rkd_dist_loss(__global float* out, int oo, __global float* coef, int co, __global const float* ds, int so,
                            __global const float* dt, int to, int b, float weight) {
    if (get_global_id(0) != 0) return;
    double pairs = (double) b * (b - 1), ms = 0.0, mt = 0.0;
    for (int i = 0; i < b * b; i++) { ms += ds[so + i]; mt += dt[to + i]; }
    ms /= pairs;
    mt /= pairs;
    bool ok = ms > 0 && mt > 0;
    double loss = 0.0, c = 0.0;
    for (int i = 0; i < b * b; i++) {
        if (i / b == i % b || !ok) continue;
        double e = ds[so + i] / ms - dt[to + i] / mt, ae = fabs(e);
        loss += ae < 1 ? 0.5 * e * e : ae - 0.5;
        c += (ae < 1 ? e : sign(e)) * ds[so + i];
    }
    double gs = weight / ((double) b * b);
    c *= gs / (ms * ms * pairs);
    for (int i = 0; i < b * b; i++) {
        double dij = ds[so + i];
        if (i / b == i % b || !(dij > 0) || !ok) { coef[co + i] = 0.0f; continue; }
        double e = dij / ms - dt[to + i] / mt, h = fabs(e) < 1 ? e : sign(e);
        coef[co + i] = (float) (2 * (gs * h / ms - c) / dij);
    }
    out[oo] = (float) (loss / ((double) b * b));
}

// dx_k += sum_l coef[k, l] (x_k - x_l); one work item per element (k, i).
__kernel void rkd_dist_grad(__global float* dx, int dxo, __global const float* coef, int co, __global const float* x, int xo,
                            int b, int d) {
    int id = get_global_id(0);
    if (id >= b * d) return;
    int k = id / d, i = id - k * d;
    double s = 0.0, xk = x[xo + k * d + i];
    for (int l = 0; l < b; l++) s += coef[co + k * b + l] * (xk - x[xo + l * d + i]);
    dx[dxo + id] = (float) (dx[dxo + id] + s);
}

// Per row: tau^2 KL(softmax(z_t) || softmax(z_s)), z = scale*cos/tau; dcs += weight/B * tau * scale * (q - p).
__kernel void label_kd_rows(__global float* rl, int rlo, __global float* dc, int dco, __global const float* cs, int cso,
                            __global const float* ct, int cto, int b, int k, float scale, float tau, float weight) {
    int r = get_global_id(0);
    if (r >= b) return;
    int row = r * k;
    double sc = scale, ta = tau, g = weight / (double) b, z = sc / ta;
    double ms = -INFINITY, mt = -INFINITY, ss = 0.0, st = 0.0, kl = 0.0;
    for (int j = 0; j < k; j++) { ms = fmax(ms, z * cs[cso + row + j]); mt = fmax(mt, z * ct[cto + row + j]); }
    for (int j = 0; j < k; j++) { ss += exp(z * cs[cso + row + j] - ms); st += exp(z * ct[cto + row + j] - mt); }
    double ls = ms + log(ss), lt = mt + log(st);
    for (int j = 0; j < k; j++) {
        double lq = z * cs[cso + row + j] - ls, lp = z * ct[cto + row + j] - lt, p = exp(lp);
        kl += p * (lp - lq);
        dc[dco + row + j] = (float) (dc[dco + row + j] + g * ta * sc * (exp(lq) - p));
    }
    rl[rlo + r] = (float) (ta * ta * kl);
}

// Per sample: w_kb = (1 - softmax_k(ce)_k) / (K - 1); one work item.
__kernel void confidence_weights(__global float* w, int wo, __global const float* ce, int ceo, int nt, int b) {
    if (get_global_id(0) != 0) return;
    for (int r = 0; r < b; r++) {
        double m = -INFINITY, s = 0.0;
        for (int k = 0; k < nt; k++) m = fmax(m, (double) ce[ceo + k * b + r]);
        for (int k = 0; k < nt; k++) s += exp(ce[ceo + k * b + r] - m);
        for (int k = 0; k < nt; k++) w[wo + k * b + r] = (float) ((1 - exp(ce[ceo + k * b + r] - m) / s) / (nt - 1));
    }
}

// y_b = sum_k w[k, b] x_kb / max(||x_kb||, eps); one work item per element (b, i).
__kernel void mix_rows(__global float* y, int yo, __global const float* w, int wo, __global const float* x, int xo,
                       int nt, int b, int d) {
    int id = get_global_id(0);
    if (id >= b * d) return;
    int r = id / d, i = id - r * d;
    double acc = 0.0;
    for (int k = 0; k < nt; k++) {
        int o = xo + (k * b + r) * d;
        double n = 0.0;
        for (int j = 0; j < d; j++) n += (double) x[o + j] * x[o + j];
        double f = w[wo + k * b + r] / fmax(sqrt(n), L2_EPS);
        acc += f * x[o + i];
    }
    y[yo + id] = (float) acc;
}
