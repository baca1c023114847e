// optim.cl — the fused Adam update of kernels/Optim.java (PyTorch torch.optim.Adam, L2 weight decay).
// The complements 1 - beta arrive precomputed (rounded once from double), as in PyTorch.

__kernel void adam(__global float* p, int po, __global const float* g, int go, __global float* m, int mo,
                   __global float* v, int vo, int n, float scale, float wd, float b1, float c1, float b2, float c2,
                   float eps, float step_size, float bc2sqrt) {
    int i = get_global_id(0);
    if (i >= n) return;
    float pi = p[po + i], gi = scale * g[go + i] + wd * pi;
    float mi = m[mo + i] * b1 + gi * c1;
    float vi = v[vo + i] * b2 + c2 * gi * gi;
    m[mo + i] = mi;
    v[vo + i] = vi;
    p[po + i] = pi - step_size * (mi / (sqrt(vi) / bc2sqrt + eps));
}
