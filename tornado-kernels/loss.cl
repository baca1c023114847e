// loss.cl — margin-softmax cross-entropy, distillation losses, ordered means (kernels/Loss.java).
// One work item per batch row; every sum runs in index order with double accumulators, as on cpu.

__kernel void margin_ce(__global float* rl, int rlo, __global float* cr, int cro, __global float* dc, int dco,
                        __global const float* cs, int cso, __global const float* lb, int lbo,
                        int b, int k, int kind, float m, float s, float weight) {
    int r = get_global_id(0);
    if (r >= b) return;
    float yf = lb[lbo + r];
    int row = r * k, y = yf >= 0.0f && yf < (float) k ? (int) yf : 0; // bad labels are flagged by check_labels; never read out of bounds
    double c = cs[cso + row + y], phi, dphi;
    double md = m, cosM = cos(md), sinM = sin(md), th = cos(M_PI - md), mm = sin(M_PI - md) * md;
    if (kind == 0) {
        double sn = sqrt(fmin(1.0, fmax(0.0, 1.0 - c * c)));
        if (c - th > 0) { phi = c * cosM - sn * sinM; dphi = cosM + (sn > 1e-12 ? sinM * c / sn : 0.0); }
        else { phi = c - mm; dphi = 1.0; }
    } else { phi = c - md; dphi = 1.0; }
    double mx = -INFINITY;
    int arg = 0;
    for (int j = 0; j < k; j++) {
        double z = s * (j == y ? phi : (double) cs[cso + row + j]);
        if (z > mx) { mx = z; arg = j; }
    }
    double sum = 0.0;
    for (int j = 0; j < k; j++) sum += exp(s * (j == y ? phi : (double) cs[cso + row + j]) - mx);
    double lse = mx + log(sum), g = weight / (double) b;
    rl[rlo + r] = (float) (lse - s * phi);
    cr[cro + r] = arg == y ? 1.0f : 0.0f;
    for (int j = 0; j < k; j++) {
        double z = s * (j == y ? phi : (double) cs[cso + row + j]), p = exp(z - lse);
        dc[dco + row + j] = (float) (j == y ? g * s * (p - 1.0) * dphi : g * s * p);
    }
}

// One work item: status[0] = 1 + the first row whose label is not a class in [0, k), status[1] = that label (else 0, 0).
__kernel void check_labels(__global float* st, int so, __global const float* lb, int lbo, int b, int k) {
    if (get_global_id(0) != 0) return;
    float bad = 0.0f, label = 0.0f;
    for (int r = 0; r < b; r++) {
        float y = lb[lbo + r];
        if (!(y >= 0.0f && y < (float) k && y == floor(y))) { bad = (float) (r + 1); label = y; break; }
    }
    st[so] = bad;
    st[so + 1] = label;
}

__kernel void kd_rows(__global float* rl, int rlo, __global float* ds, int dso, __global const float* sv, int so,
                      __global const float* tv, int to, int b, int d, int kind, float tau, float weight) {
    int r = get_global_id(0);
    if (r >= b) return;
    int row = r * d;
    double g = weight / (double) b, t = tau;
    if (kind == 2) {
        double ms = -INFINITY, mt = -INFINITY, zs = 0.0, zt = 0.0, kl = 0.0;
        for (int i = 0; i < d; i++) { ms = fmax(ms, (double) (sv[so + row + i] / tau)); mt = fmax(mt, (double) (tv[to + row + i] / tau)); }
        for (int i = 0; i < d; i++) { zs += exp(sv[so + row + i] / tau - ms); zt += exp(tv[to + row + i] / tau - mt); }
        double lzs = ms + log(zs), lzt = mt + log(zt);
        for (int i = 0; i < d; i++) {
            double lp = tv[to + row + i] / tau - lzt, lq = sv[so + row + i] / tau - lzs, p = exp(lp);
            kl += p * (lp - lq);
            ds[dso + row + i] = (float) (ds[dso + row + i] + g * t * (exp(lq) - p));
        }
        rl[rlo + r] = (float) (t * t * kl);
        return;
    }
    double ss = 0.0, tt = 0.0, st = 0.0;
    for (int i = 0; i < d; i++) {
        double x = sv[so + row + i], y = tv[to + row + i];
        ss += x * x; tt += y * y; st += x * y;
    }
    double ns = fmax(sqrt(ss), 1e-12), nt = fmax(sqrt(tt), 1e-12);
    if (kind == 1) {
        /* the seed's mse element by element on the float unit vectors (see Loss.KD_ROWS) */
        double acc = 0.0, dot = 0.0;
        for (int i = 0; i < d; i++) {
            float us = (float) (sv[so + row + i] / ns), ut = (float) (tv[to + row + i] / nt), e = us / tau - ut / tau;
            acc += (double) e * e; dot += (double) us * e;
        }
        rl[rlo + r] = (float) (acc / d);
        double gs = 2.0 * g / (t * d);
        for (int i = 0; i < d; i++) {
            float us = (float) (sv[so + row + i] / ns), ut = (float) (tv[to + row + i] / nt), e = us / tau - ut / tau;
            ds[dso + row + i] = (float) (ds[dso + row + i] + gs * (e - us * dot) / ns);
        }
        return;
    }
    double cs = st / (ns * nt);
    rl[rlo + r] = (float) (1.0 - cs);
    for (int i = 0; i < d; i++) {
        double x = sv[so + row + i], y = tv[to + row + i];
        ds[dso + row + i] = (float) (ds[dso + row + i] + (y / (ns * nt) - cs * x / (ns * ns)) * (-g));
    }
}

__kernel void mean_scaled(__global float* out, int oo, __global const float* x, int xo, int n, float scale) {
    if (get_global_id(0) != 0) return;
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += x[xo + i];
    out[oo] = (float) (scale * sum / n);
}
