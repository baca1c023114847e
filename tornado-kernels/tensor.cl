// tensor.cl — fill, scaled accumulate, sum of squares (kernels/Tensor.java).

__kernel void fill(__global float* x, int xo, float v, int n) {
    int i = get_global_id(0);
    if (i < n) x[xo + i] = v;
}

// y = alpha*x + beta*y; beta == 0 overwrites (so NaN garbage in y never leaks).
__kernel void axpby(__global float* y, int yo, __global const float* x, int xo, float alpha, float beta, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float v = alpha * x[xo + i];
    y[yo + i] = beta == 0.0f ? v : v + beta * y[yo + i];
}

// One work item sums in index order with a double accumulator, as the cpu body does: deterministic.
__kernel void sumsq(__global float* out, int oo, __global const float* x, int xo, int n) {
    if (get_global_id(0) != 0) return;
    double s = 0.0;
    for (int i = 0; i < n; i++) { double v = x[xo + i]; s += v * v; }
    out[oo] = (float) s;
}
