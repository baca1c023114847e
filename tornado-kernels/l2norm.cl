// l2norm.cl — L2 normalisation of rows (kernels/L2Norm.java), PyTorch F.normalize semantics, double accumulators
// as the cpu bodies.

#define L2_EPS 1e-12

// Norm of row r, float64, channels in order.
inline double row_norm(__global const float* x, int o, int c) {
    double s = 0.0;
    for (int j = 0; j < c; j++) {
        double v = x[o + j];
        s += v * v;
    }
    return sqrt(s);
}

// y_r = x_r / max(|x_r|, 1e-12); one work item per row.
__kernel void l2norm_fwd(__global float* y, int yo, __global const float* x, int xo, int rows, int c) {
    int r = get_global_id(0);
    if (r >= rows) return;
    double inv = 1.0 / fmax(row_norm(x, xo + r * c, c), L2_EPS);
    for (int j = 0; j < c; j++) y[yo + r * c + j] = (float) (x[xo + r * c + j] * inv);
}

// dx_r += dy_r/n - (x_r.dy_r)/n^3 * x_r  (n > 1e-12), else dx_r += dy_r / 1e-12; one work item per row.
__kernel void l2norm_bwd(__global float* dx, int dxo, __global const float* dy, int dyo, __global const float* x, int xo,
                         int rows, int c) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int o = r * c;
    double n = row_norm(x, xo + o, c);
    if (n > L2_EPS) {
        double dot = 0.0;
        for (int j = 0; j < c; j++) dot += (double) x[xo + o + j] * dy[dyo + o + j];
        double k = dot / (n * n * n);
        for (int j = 0; j < c; j++) dx[dxo + o + j] += (float) (dy[dyo + o + j] / n - k * x[xo + o + j]);
    } else {
        for (int j = 0; j < c; j++) dx[dxo + o + j] += (float) (dy[dyo + o + j] / L2_EPS);
    }
}
