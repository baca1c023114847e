// linear.cl — bias kernels of the linear layer (kernels/Linear.java); the products go to CLBlast.

__kernel void bias_add(__global float* y, int yo, __global const float* b, int bo, int rows, int c) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    y[yo + i] += b[bo + i % c];
}

// One work item per channel sums the rows in order: deterministic, and coalesced across channels.
__kernel void bias_grad(__global float* db, int dbo, __global const float* dy, int dyo, int rows, int c) {
    int j = get_global_id(0);
    if (j >= c) return;
    float acc = 0.0f;
    for (int r = 0; r < rows; r++) acc += dy[dyo + r * c + j];
    db[dbo + j] += acc;
}

// Inference epilogue of a residual branch: y = (pre + bias) + res; y may be pre.
__kernel void bias_residual(__global float* y, int yo, __global const float* pre, int po, __global const float* b, int bo,
                            __global const float* res, int ro, int rows, int c) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    y[yo + i] = (pre[po + i] + b[bo + i % c]) + res[ro + i];
}
