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

// Sum of squares, two launches: work group g sums [g*chunk, (g+1)*chunk) with SQ_GROUP items striding in order and
// folds them in a fixed tree; the final item adds the groups in order. Deterministic, no atomics.
#define SQ_GROUP 256
__kernel __attribute__((reqd_work_group_size(SQ_GROUP, 1, 1)))
void sumsq_partial(__global double* part, int po, __global const float* x, int xo, int n, int chunk) {
    __local double s[SQ_GROUP];
    int l = get_local_id(0), g = get_group_id(0), i0 = g * chunk, i1 = min(n, i0 + chunk);
    double acc = 0.0;
    for (int i = i0 + l; i < i1; i += SQ_GROUP) {
        double v = x[xo + i];
        acc += v * v;
    }
    s[l] = acc;
    for (int w = SQ_GROUP / 2; w > 0; w >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < w) s[l] += s[l + w];
    }
    if (l == 0) part[po + g] = s[0];
}

__kernel void sumsq_final(__global float* out, int oo, __global const double* part, int po, int groups) {
    if (get_global_id(0) != 0) return;
    double s = 0.0;
    for (int g = 0; g < groups; g++) s += part[po + g];
    out[oo] = (float) s;
}

// y = x rounded to the nearest bfloat16 (ties to even; NaN stays NaN), kept as a float: the operands of a bf16
// GEMM (kernels/Blas.java GEMM_BF16), rounded as engine/cpu/Bf16.round and oneDNN do. Any device: integer ops only.
__kernel void round_bf16(__global float* y, int yo, __global const float* x, int xo, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    uint b = as_uint(x[xo + i]);
    if ((b & 0x7F800000u) == 0x7F800000u) b = (b & 0x007FFFFFu) != 0u ? (b | 0x00400000u) : b;
    else b = (b + 0x7FFFu + ((b >> 16) & 1u)) & 0xFFFF0000u;
    y[yo + i] = as_float(b);
}
