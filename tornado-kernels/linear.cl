// linear.cl — bias kernels of the linear layer (kernels/Linear.java); the products go to CLBlast.

__kernel void bias_add(__global float* y, int yo, __global const float* b, int bo, int rows, int c) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    y[yo + i] += b[bo + i % c];
}

// Column sums of v [rows, C], the partial launch of a two-launch reduction (common.cl): bias gradients, and the
// BatchNorm means of norm.cl.
__kernel void colsum_partial(__global double* part, int po, __global const float* v, int vo, int rows, int c, int chunk) {
    __local double s[RED_X * RED_Y];
    RED_ROWS(rows, chunk, c)
    double acc[1] = {0.0};
    if (live)
        for (int r = r0 + get_local_id(1); r < r1; r += RED_Y) acc[0] += v[vo + r * c + j];
    red_store(s, part, po, acc, 1, c);
}

// bias_grad's final launch: db[j] += the chunks' sums, in order.
__kernel void bias_grad_final(__global float* db, int dbo, __global const double* part, int po, int chunks, int c) {
    int j = get_global_id(0);
    if (j >= c) return;
    db[dbo + j] = (float) ((double) db[dbo + j] + red_total(part, po, chunks, c, j, 1, 0));
}

// Inference epilogue of a residual branch: y = (pre + bias) + res; y may be pre.
__kernel void bias_residual(__global float* y, int yo, __global const float* pre, int po, __global const float* b, int bo,
                            __global const float* res, int ro, int rows, int c) {
    int i = get_global_id(0);
    if (i >= rows * c) return;
    y[yo + i] = (pre[po + i] + b[bo + i % c]) + res[ro + i];
}
