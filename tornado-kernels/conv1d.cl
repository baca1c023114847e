// conv1d.cl — im2col/col2im of the dense kernel-3 convolution and the depthwise kernel-3 convolution
// (kernels/Conv1d.java); the dense and grouped products go to CLBlast.
// Activations are [B, T, C] row-major, row r = b*T + t; tap k reads time step t + k - 1, and frames
// outside [0, T) of the same batch item are zero padding (never the neighbouring item's frames).

#define K3 3

// col[r, i*3 + k] = x[r + k - 1, i] (0 outside the item); one work item per col element, so the writes
// are contiguous across work items.
__kernel void im2col3(__global float* col, int co, __global const float* x, int xo, int b, int t, int cin) {
    int e = get_global_id(0);
    int w = K3 * cin;
    if (e >= b * t * w) return;
    int r = e / w, q = e - r * w, i = q / K3, k = q - i * K3;
    int u = r % t + k - 1;
    col[co + e] = (u >= 0 && u < t) ? x[xo + (r + k - 1) * cin + i] : 0.0f;
}

// dx[r, i] += sum_k dcol[r - k + 1, i*3 + k] over the taps that stay inside the item, k in order (as the
// cpu body sums); one work item per dx element, so no two work items write the same element.
__kernel void col2im3(__global float* dx, int dxo, __global const float* dcol, int co, int b, int t, int cin) {
    int e = get_global_id(0);
    if (e >= b * t * cin) return;
    int r = e / cin, i = e - r * cin, tr = r % t;
    float acc = 0.0f;
    for (int k = 0; k < K3; k++) {
        int u = tr - k + 1;
        if (u >= 0 && u < t) acc += dcol[co + (r - k + 1) * K3 * cin + i * K3 + k];
    }
    dx[dxo + e] += acc;
}

// out[r, j] (+)= sum_k w[j, k] * in[r + s_k, j], s_k = k - 1 forward and 1 - k (mirrored taps) for the
// data gradient, which accumulates. One work item per output element.
inline void depthwise3(__global float* out, int oo, __global const float* in, int io,
                       __global const float* w, int wo, int b, int t, int c, int adjoint) {
    int e = get_global_id(0);
    if (e >= b * t * c) return;
    int r = e / c, j = e - r * c, tr = r % t;
    float acc = 0.0f;
    for (int k = 0; k < K3; k++) {
        int s = adjoint ? 1 - k : k - 1;
        if (tr + s < 0 || tr + s >= t) continue;
        acc += w[wo + j * K3 + k] * in[io + (r + s) * c + j];
    }
    out[oo + e] = adjoint ? out[oo + e] + acc : acc;
}

__kernel void depthwise3_fwd(__global float* y, int yo, __global const float* x, int xo,
                             __global const float* w, int wo, int b, int t, int c) {
    depthwise3(y, yo, x, xo, w, wo, b, t, c, 0);
}

__kernel void depthwise3_bwd_data(__global float* dx, int dxo, __global const float* dy, int dyo,
                                  __global const float* w, int wo, int b, int t, int c) {
    depthwise3(dx, dxo, dy, dyo, w, wo, b, t, c, 1);
}

// dw[j, k] += sum_r dy[r, j] * x[r + k - 1, j]: one work item per channel sums the rows in order with
// double accumulators (deterministic, the cpu body's order), and reads are coalesced across channels.
__kernel void depthwise3_bwd_weight(__global float* dw, int dwo, __global const float* dy, int dyo,
                                    __global const float* x, int xo, int b, int t, int c) {
    int j = get_global_id(0);
    if (j >= c) return;
    int rows = b * t;
    double acc[K3] = {0.0, 0.0, 0.0};
    for (int r = 0; r < rows; r++) {
        int tr = r % t;
        double g = dy[dyo + r * c + j];
        for (int k = 0; k < K3; k++) {
            if (tr + k - 1 < 0 || tr + k - 1 >= t) continue;
            acc[k] += g * (double) x[xo + (r + k - 1) * c + j];
        }
    }
    for (int k = 0; k < K3; k++) {
        int d = dwo + j * K3 + k;
        dw[d] = (float) ((double) dw[d] + acc[k]);
    }
}
