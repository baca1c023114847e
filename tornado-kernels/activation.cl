// activation.cl — pointwise non-linearities, MFM and dropout (kernels/Activation.java).
// Forward: y = f(x). Backward accumulates dx += dy * f'(x).

// Standard normal CDF from e = exp(-v*v/2) through Abramowitz & Stegun 7.1.26 (|error of erf| <= 1.5e-7), the
// same formula as Simd.normalCdf on cpu; the backward shares e with the density.
inline float std_normal_cdf(float v, float e) {
    float z = fabs(v) * 0.70710678118654752f, t = 1.0f / (1.0f + 0.3275911f * z);
    float tail = 0.5f * t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f)))) * e;
    return v >= 0.0f ? 1.0f - tail : tail;
}

inline float gelu(float v) { return v * std_normal_cdf(v, exp(-0.5f * v * v)); }

#define POINTWISE(NAME, EXPR, ACC)                                                              \
__kernel void NAME(__global float* y, int yo, __global const float* p, int po,                  \
                   __global const float* q, int qo, int n) {                                    \
    int i = get_global_id(0);                                                                   \
    if (i >= n) return;                                                                         \
    float a = p[po + i], b = q[qo + i];                                                         \
    float v = (EXPR);                                                                           \
    y[yo + i] = ACC ? y[yo + i] + v : v;                                                        \
}

POINTWISE(relu_fwd, a > 0.0f ? a : 0.0f, 0)
POINTWISE(relu_bwd, b > 0.0f ? a : 0.0f, 1)
POINTWISE(gelu_fwd, gelu(a), 0)
POINTWISE(gelu_bwd, a * (std_normal_cdf(b, exp(-0.5f * b * b)) + b * 0.3989422804014327f * exp(-0.5f * b * b)), 1)
POINTWISE(tanh_fwd, tanh(a), 0)
POINTWISE(tanh_bwd, a * (1.0f - b * b), 1)

// GEMM epilogue: pre += bias (written back when keep), y = gelu(pre); y may be pre when keep is 0.
__kernel void bias_gelu_fwd(__global float* y, int yo, __global float* pre, int po, __global const float* bias, int bo,
                            int rows, int c, int keep) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    float v = pre[po + i] + bias[bo + i % c];
    if (keep) pre[po + i] = v;
    y[yo + i] = gelu(v);
}

// GEMM epilogue: pre [rows, 2c] += bias, m = max of the halves, y = gelu(m); pre and m written when keep.
__kernel void bias_mfm_gelu_fwd(__global float* y, int yo, __global float* m, int mo, __global float* pre, int po,
                                __global const float* bias, int bo, int rows, int c, int keep) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    int r = i / c, j = i - r * c, p1 = po + r * 2 * c + j;
    float a = pre[p1] + bias[bo + j], b = pre[p1 + c] + bias[bo + c + j], mx = fmax(a, b);
    if (keep) {
        pre[p1] = a;
        pre[p1 + c] = b;
        m[mo + i] = mx;
    }
    y[yo + i] = gelu(mx);
}

// y[r, j] = max(x[r, j], x[r, j + c]); one work item per output element.
__kernel void mfm_fwd(__global float* y, int yo, __global const float* x, int xo, int rows, int c) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    int r = i / c, j = i - r * c;
    y[yo + i] = fmax(x[xo + r * 2 * c + j], x[xo + r * 2 * c + c + j]);
}

// The winner (first half on ties) receives dy; each work item owns both candidate positions.
__kernel void mfm_bwd(__global float* dx, int dxo, __global const float* dy, int dyo,
                      __global const float* x, int xo, int rows, int c) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    int r = i / c, j = i - r * c;
    int w = x[xo + r * 2 * c + j] >= x[xo + r * 2 * c + c + j] ? j : c + j;
    dx[dxo + r * 2 * c + w] += dy[dyo + i];
}

// Inverted dropout; one work item per block of four elements, lane i%4 of philox((i/4, step, layer, 0), seed).
inline void dropout_block(__global float* y, int yo, __global const float* x, int xo, int n, float p,
                          uint k0, uint k1, uint step, uint layer, int accumulate) {
    int blk = get_global_id(0);
    if (blk * 4 >= n) return;
    uint4 w = philox4x32_10((uint4)((uint) blk, step, layer, 0u), (uint2)(k0, k1));
    uint words[4] = {w.x, w.y, w.z, w.w};
    float scale = 1.0f / (1.0f - p);
    for (int lane = 0; lane < 4; lane++) {
        int i = blk * 4 + lane;
        if (i >= n) break;
        float v = philox_uniform(words[lane]) >= p ? x[xo + i] * scale : 0.0f;
        y[yo + i] = accumulate ? y[yo + i] + v : v;
    }
}

__kernel void dropout_fwd(__global float* y, int yo, __global const float* x, int xo, int n, float p,
                          int k0, int k1, int step, int layer) {
    dropout_block(y, yo, x, xo, n, p, (uint) k0, (uint) k1, (uint) step, (uint) layer, 0);
}

__kernel void dropout_bwd(__global float* dx, int dxo, __global const float* dy, int dyo, int n, float p,
                          int k0, int k1, int step, int layer) {
    dropout_block(dx, dxo, dy, dyo, n, p, (uint) k0, (uint) k1, (uint) step, (uint) layer, 1);
}
